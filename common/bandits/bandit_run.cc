#include "common/bandits/bandit_run.h"

#include <random>

#include "absl/types/span.h"

namespace entropic::bandits {
namespace {

// A generator for stream `stream` of `seed`; std::seed_seq's mixing is
// specified by the standard, so streams are the same everywhere.
template <typename Rng>
Rng Stream(uint64_t seed, uint32_t stream) {
  std::seed_seq sequence{static_cast<uint32_t>(seed),
                         static_cast<uint32_t>(seed >> 32), stream};
  return Rng(sequence);
}

}  // namespace

BanditRun::BanditRun(Bandit& bandit, BanditAgent& agent, uint64_t seed)
    : bandit_(bandit),
      agent_(agent),
      agent_rng_(Stream<BanditRng>(seed, 0)),
      env_rng_(Stream<EnvRng>(seed, 1)),
      arm_pulls_(bandit.num_arms(), 0) {}

void BanditRun::Pull() {
  const absl::Span<float> observation(&observation_, 1);
  bandit_.Reset(env_rng_, observation);
  const int arm = agent_.SelectArm(agent_rng_);
  Action action;
  action.index = arm;
  const StepResult result = bandit_.Step(action, observation);
  agent_.Update(arm, result.reward);
  ++pulls_;
  ++arm_pulls_[arm];
  regret_ += bandit_.best_mean() - bandit_.arm_means()[arm];
  total_reward_ += result.reward;
  last_reward_ = result.reward;
}

}  // namespace entropic::bandits
