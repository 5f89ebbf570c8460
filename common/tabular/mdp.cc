#include "common/tabular/mdp.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace entropic::tabular {
namespace {

absl::Status CheckDistribution(const double* p, int n, const char* name,
                               int row) {
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    if (!(p[i] >= 0 && p[i] <= 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": entry ", i, " of row ", row, " is ", p[i],
                       ", not a probability"));
    }
    sum += p[i];
  }
  if (std::abs(sum - 1) > 1e-9) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": row ", row, " sums to ", sum, ", not 1"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Mdp::Validate() const {
  if (num_states < 1 || num_actions < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_states, num_actions: must be >= 1, got ", num_states,
                     " and ", num_actions));
  }
  const size_t pairs = static_cast<size_t>(num_states) * num_actions;
  if (transition.size() != pairs * num_states) {
    return absl::InvalidArgumentError(
        absl::StrCat("transition: ", transition.size(), " entries, expected ",
                     pairs * num_states));
  }
  if (reward.size() != pairs) {
    return absl::InvalidArgumentError(
        absl::StrCat("reward: ", reward.size(), " entries, expected ", pairs));
  }
  if (initial.size() != static_cast<size_t>(num_states)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "initial: ", initial.size(), " entries, expected ", num_states));
  }
  for (size_t row = 0; row < pairs; ++row) {
    absl::Status valid = CheckDistribution(&transition[row * num_states],
                                           num_states, "transition", row);
    if (!valid.ok()) return valid;
  }
  for (double r : reward) {
    if (!std::isfinite(r)) {
      return absl::InvalidArgumentError("reward: entries must be finite");
    }
  }
  return CheckDistribution(initial.data(), num_states, "initial", 0);
}

std::vector<double> SpreadStateReward(const std::vector<double>& state_reward,
                                      int num_actions) {
  std::vector<double> reward;
  reward.reserve(state_reward.size() * num_actions);
  for (double r : state_reward) reward.insert(reward.end(), num_actions, r);
  return reward;
}

}  // namespace entropic::tabular
