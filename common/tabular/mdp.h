#ifndef ENTROPIC_COMMON_TABULAR_MDP_H_
#define ENTROPIC_COMMON_TABULAR_MDP_H_

#include <vector>

#include "absl/status/status.h"

namespace entropic::tabular {

// A finite MDP with known dynamics, for the exact tools of soft optimality
// and inverse RL (soft_value_iteration.h). Dense row-major
// arrays of float64.
struct Mdp {
  int num_states = 0;
  int num_actions = 0;
  // P(s' | s, a) at [(s * num_actions + a) * num_states + s'].
  std::vector<double> transition;
  // r(s, a) at [s * num_actions + a].
  std::vector<double> reward;
  // Distribution of the first state.
  std::vector<double> initial;

  double P(int s, int a, int next) const {
    return transition[(s * num_actions + a) * num_states + next];
  }
  double R(int s, int a) const { return reward[s * num_actions + a]; }

  // Sizes agree, probabilities are in [0, 1] and each distribution sums to
  // 1 (within 1e-9). InvalidArgument naming the array otherwise.
  absl::Status Validate() const;
};

// r(s, a) = state_reward[s] for every a.
std::vector<double> SpreadStateReward(const std::vector<double>& state_reward,
                                      int num_actions);

}  // namespace entropic::tabular

#endif  // ENTROPIC_COMMON_TABULAR_MDP_H_
