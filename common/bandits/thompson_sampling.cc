#include "common/bandits/thompson_sampling.h"

#include <algorithm>
#include <random>

namespace entropic::bandits {

namespace {

// Stream 2 of `seed` (BanditRun draws streams 0 and 1 of the job's seed).
BanditRng BinariseRng(uint64_t seed) {
  std::seed_seq sequence{static_cast<uint32_t>(seed),
                         static_cast<uint32_t>(seed >> 32), uint32_t{2}};
  return BanditRng(sequence);
}

}  // namespace

ThompsonSampling::ThompsonSampling(int num_arms, uint64_t seed)
    : successes_(num_arms, 0),
      failures_(num_arms, 0),
      binarise_rng_(BinariseRng(seed)) {}

int ThompsonSampling::SelectArm(BanditRng& rng) {
  int best = 0;
  double best_draw = -1;
  for (int arm = 0; arm < static_cast<int>(successes_.size()); ++arm) {
    const double draw = Beta(rng, 1.0 + successes_[arm], 1.0 + failures_[arm]);
    if (draw > best_draw) {
      best = arm;
      best_draw = draw;
    }
  }
  return best;
}

void ThompsonSampling::Update(int arm, double reward) {
  const double r = std::clamp(reward, 0.0, 1.0);
  bool success = r >= 1;
  if (r > 0 && r < 1) success = Uniform01(binarise_rng_) < r;
  ++(success ? successes_ : failures_)[arm];
}

double ThompsonSampling::PosteriorMean(int arm) const {
  return (1.0 + successes_[arm]) /
         (2.0 + static_cast<double>(successes_[arm] + failures_[arm]));
}

int ThompsonSampling::GreedyArm() const {
  int best = 0;
  for (int arm = 1; arm < static_cast<int>(successes_.size()); ++arm) {
    if (PosteriorMean(arm) > PosteriorMean(best)) best = arm;
  }
  return best;
}

}  // namespace entropic::bandits
