#ifndef ENTROPIC_COMMON_BANDITS_BANDIT_RUN_H_
#define ENTROPIC_COMMON_BANDITS_BANDIT_RUN_H_

#include <cstdint>
#include <vector>

#include "common/bandits/bandit_agent.h"
#include "common/bandits/sampling.h"
#include "common/env/bandit.h"

namespace entropic::bandits {

// One agent pulling the arms of one bandit environment, each pull a whole
// episode (reset, step), with the regret it accumulates:
//   regret(T) = sum over the first T pulls of best mean - pulled arm's mean,
// the pseudo-regret, free of the rewards' noise (equal to bsuite's
// total_regret on its deterministic bandit). Shared by the bandit job and
// the regret benchmark. Holds references to both; not thread-safe.
class BanditRun {
 public:
  // The agent draws from a generator seeded by (seed, 0), the environment
  // from one seeded by (seed, 1), so changing the agent leaves the
  // bandit's draws alone.
  BanditRun(Bandit& bandit, BanditAgent& agent, uint64_t seed);

  // One pull: the agent picks an arm, the bandit pays, the agent learns.
  void Pull();

  int64_t pulls() const { return pulls_; }
  double regret() const { return regret_; }
  double total_reward() const { return total_reward_; }
  // What the latest pull paid (0 before the first).
  double last_reward() const { return last_reward_; }
  // Pulls of each arm.
  const std::vector<int64_t>& arm_pulls() const { return arm_pulls_; }

 private:
  Bandit& bandit_;
  BanditAgent& agent_;
  BanditRng agent_rng_;
  EnvRng env_rng_;
  float observation_ = 0;
  int64_t pulls_ = 0;
  double regret_ = 0;
  double total_reward_ = 0;
  double last_reward_ = 0;
  std::vector<int64_t> arm_pulls_;
};

}  // namespace entropic::bandits

#endif  // ENTROPIC_COMMON_BANDITS_BANDIT_RUN_H_
