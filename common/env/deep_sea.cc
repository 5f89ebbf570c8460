#include "common/env/deep_sea.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"

namespace entropic {

absl::StatusOr<std::unique_ptr<DeepSea>> DeepSea::Create(
    const v1::DeepSeaOptions& options) {
  const int size = options.size() == 0 ? 10 : options.size();
  if (size < 1 || size > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("env.deep_sea.size: must be in [1, 100], got ", size));
  }
  const double move_cost =
      options.has_unscaled_move_cost() ? options.unscaled_move_cost() : 0.01;
  if (!std::isfinite(move_cost) || move_cost < 0 || move_cost > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "env.deep_sea.unscaled_move_cost: must be in [0, 1], got ",
        move_cost));
  }
  return std::unique_ptr<DeepSea>(
      new DeepSea(size, options.mapping_seed(), move_cost));
}

DeepSea::DeepSea(int size, uint64_t mapping_seed, double unscaled_move_cost)
    : size_(size), move_cost_(unscaled_move_cost / size) {
  info_.id = "DeepSea-v0";
  info_.observation_space.kind = Space::Kind::kBox;
  info_.observation_space.shape = {int64_t{size} * size};
  info_.observation_space.low.assign(size * size, 0.0f);
  info_.observation_space.high.assign(size * size, 1.0f);
  info_.action_space.kind = Space::Kind::kDiscrete;
  info_.action_space.num_actions = 2;
  // Episodes terminate after N steps; the time limit is never reached.
  info_.max_episode_steps = size + 1;
  // mt19937_64's output is fixed by the standard, so a seed's mapping is the
  // same on every platform; one bit per cell.
  std::mt19937_64 mapping(mapping_seed);
  right_action_.resize(size * size);
  for (int64_t& action : right_action_) action = mapping() >> 63;
}

void DeepSea::DoReset(EnvRng& /*rng*/) {
  row_ = 0;
  column_ = 0;
}

StepResult DeepSea::DoStep(const Action& action) {
  StepResult result;
  const bool right = action.index == RightAction(row_, column_);
  if (right) {
    if (column_ == size_ - 1) result.reward += 1.0;  // the treasure
    result.reward -= move_cost_;
    column_ = std::min(column_ + 1, size_ - 1);
  } else {
    column_ = std::max(column_ - 1, 0);
  }
  ++row_;
  result.terminated = row_ == size_;
  return result;
}

absl::Status DeepSea::DoSetState(absl::Span<const double> state) {
  if (state.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "DeepSea-v0: a state is [row, column], got ", state.size(),
        " values"));
  }
  const double row = state[0];
  const double column = state[1];
  if (row != std::floor(row) || column != std::floor(column) || column < 0 ||
      column > row || row >= size_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "DeepSea-v0: state [", row, ", ", column,
        "] is no cell: need integers with 0 <= column <= row < ", size_));
  }
  row_ = static_cast<int>(row);
  column_ = static_cast<int>(column);
  return absl::OkStatus();
}

void DeepSea::Observe(absl::Span<float> observation) const {
  std::fill(observation.begin(), observation.end(), 0.0f);
  if (row_ < size_) observation[row_ * size_ + column_] = 1.0f;
}

}  // namespace entropic
