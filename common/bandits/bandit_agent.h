#ifndef ENTROPIC_COMMON_BANDITS_BANDIT_AGENT_H_
#define ENTROPIC_COMMON_BANDITS_BANDIT_AGENT_H_

#include <cstdint>
#include <vector>

#include "common/bandits/sampling.h"

namespace entropic::bandits {

// A multi-armed bandit agent: picks the arm to pull, learns from what the
// pull paid. Arms are 0 .. num_arms - 1. Randomness comes from the
// generator the caller passes (or, for what Update needs, one the agent
// seeds at construction), so a run is reproducible from its seeds. Not
// thread-safe.
class BanditAgent {
 public:
  virtual ~BanditAgent() = default;

  // The arm to pull next.
  virtual int SelectArm(BanditRng& rng) = 0;
  // Records that pulling `arm` paid `reward`.
  virtual void Update(int arm, double reward) = 0;
  // The arm the agent believes best now (what it would pull greedily).
  virtual int GreedyArm() const = 0;
};

// Per-arm pull counts and reward sums, the statistics UCB1 and the uniform
// agent keep.
class ArmEstimates {
 public:
  explicit ArmEstimates(int num_arms)
      : pulls_(num_arms, 0), reward_sums_(num_arms, 0.0) {}

  void Add(int arm, double reward) {
    ++pulls_[arm];
    ++total_pulls_;
    reward_sums_[arm] += reward;
  }

  int num_arms() const { return static_cast<int>(pulls_.size()); }
  int64_t pulls(int arm) const { return pulls_[arm]; }
  int64_t total_pulls() const { return total_pulls_; }
  // Mean reward of `arm`'s pulls; 0 before its first.
  double mean(int arm) const {
    return pulls_[arm] == 0 ? 0.0 : reward_sums_[arm] / pulls_[arm];
  }
  // The pulled arm with the highest mean (the lowest index among equals);
  // arm 0 before any pull.
  int BestMeanArm() const;

 private:
  std::vector<int64_t> pulls_;
  std::vector<double> reward_sums_;
  int64_t total_pulls_ = 0;
};

}  // namespace entropic::bandits

#endif  // ENTROPIC_COMMON_BANDITS_BANDIT_AGENT_H_
