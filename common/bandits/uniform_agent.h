#ifndef ENTROPIC_COMMON_BANDITS_UNIFORM_AGENT_H_
#define ENTROPIC_COMMON_BANDITS_UNIFORM_AGENT_H_

#include "common/bandits/bandit_agent.h"

namespace entropic::bandits {

// Pulls every arm with the same probability, whatever it learned: the
// baseline whose expected regret grows linearly, (best mean - average
// mean) a pull. Its greedy arm is the best empirical mean.
class UniformAgent final : public BanditAgent {
 public:
  explicit UniformAgent(int num_arms) : estimates_(num_arms) {}

  int SelectArm(BanditRng& rng) override {
    return static_cast<int>(UniformIndex(rng, estimates_.num_arms()));
  }
  void Update(int arm, double reward) override { estimates_.Add(arm, reward); }
  int GreedyArm() const override { return estimates_.BestMeanArm(); }

  const ArmEstimates& estimates() const { return estimates_; }

 private:
  ArmEstimates estimates_;
};

}  // namespace entropic::bandits

#endif  // ENTROPIC_COMMON_BANDITS_UNIFORM_AGENT_H_
