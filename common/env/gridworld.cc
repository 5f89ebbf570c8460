#include "common/env/gridworld.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"

namespace entropic {

Gridworld::Gridworld()
    : layout_(tabular::DefaultGridworld()),
      mdp_(tabular::GridworldMdp(layout_)) {
  info_.id = "Gridworld-v0";
  info_.observation_space.kind = Space::Kind::kBox;
  info_.observation_space.shape = {layout_.num_cells()};
  info_.observation_space.low.assign(layout_.num_cells(), 0.0f);
  info_.observation_space.high.assign(layout_.num_cells(), 1.0f);
  info_.action_space.kind = Space::Kind::kDiscrete;
  info_.action_space.num_actions = tabular::kGridworldActions;
  info_.max_episode_steps = layout_.horizon;
}

int Gridworld::CellOf(absl::Span<const float> observation) {
  int cell = -1;
  for (size_t i = 0; i < observation.size(); ++i) {
    if (observation[i] == 1.0f && cell < 0) {
      cell = static_cast<int>(i);
    } else if (observation[i] != 0.0f) {
      return -1;
    }
  }
  return cell;
}

void Gridworld::DoReset(EnvRng& rng) {
  slip_rng_.seed(rng());
  cell_ = layout_.start;
}

StepResult Gridworld::DoStep(const Action& action) {
  StepResult result;
  result.reward = layout_.cell_reward[cell_];
  const int S = mdp_.num_states;
  const double* next =
      &mdp_.transition[(cell_ * mdp_.num_actions + action.index) * S];
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(slip_rng_);
  // Rounding can leave u just past the last cell: it gets the last cell
  // the move can reach.
  for (int cell = 0; cell < S; ++cell) {
    if (next[cell] == 0) continue;
    cell_ = cell;
    if (u < next[cell]) break;
    u -= next[cell];
  }
  return result;
}

absl::Status Gridworld::DoSetState(absl::Span<const double> state) {
  if (state.size() != 1 || state[0] != std::floor(state[0]) || state[0] < 0 ||
      state[0] >= layout_.num_cells()) {
    return absl::InvalidArgumentError(
        absl::StrCat(info_.id, ": the state is one cell index in [0, ",
                     layout_.num_cells(), ")"));
  }
  cell_ = static_cast<int>(state[0]);
  return absl::OkStatus();
}

void Gridworld::Observe(absl::Span<float> observation) const {
  std::fill(observation.begin(), observation.end(), 0.0f);
  observation[cell_] = 1.0f;
}

}  // namespace entropic
