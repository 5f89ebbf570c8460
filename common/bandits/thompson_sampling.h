#ifndef ENTROPIC_COMMON_BANDITS_THOMPSON_SAMPLING_H_
#define ENTROPIC_COMMON_BANDITS_THOMPSON_SAMPLING_H_

#include <cstdint>
#include <vector>

#include "common/bandits/bandit_agent.h"

namespace entropic::bandits {

// Bernoulli Thompson sampling (Thompson 1933; Agrawal and Goyal 2012): a
// Beta(1 + successes, 1 + failures) posterior per arm, starting from the
// uniform Beta(1, 1) prior; each pull draws one mean from every posterior
// and pulls the largest (the lowest index among equal draws). A reward r
// in [0, 1] counts as a success with probability r (values outside are
// clamped), drawn from the agent's own generator: rewards of exactly 0 or
// 1 count as they are without a draw, and the posterior stays exact for
// Bernoulli arms.
class ThompsonSampling final : public BanditAgent {
 public:
  // num_arms >= 1; `seed` seeds the binarisation of fractional rewards.
  ThompsonSampling(int num_arms, uint64_t seed);

  int SelectArm(BanditRng& rng) override;
  void Update(int arm, double reward) override;
  // The arm of the highest posterior mean (1 + s) / (2 + s + f).
  int GreedyArm() const override;

  int64_t successes(int arm) const { return successes_[arm]; }
  int64_t failures(int arm) const { return failures_[arm]; }
  double PosteriorMean(int arm) const;

 private:
  std::vector<int64_t> successes_;
  std::vector<int64_t> failures_;
  BanditRng binarise_rng_;
};

}  // namespace entropic::bandits

#endif  // ENTROPIC_COMMON_BANDITS_THOMPSON_SAMPLING_H_
