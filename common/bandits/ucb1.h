#ifndef ENTROPIC_COMMON_BANDITS_UCB1_H_
#define ENTROPIC_COMMON_BANDITS_UCB1_H_

#include "common/bandits/bandit_agent.h"

namespace entropic::bandits {

// UCB1 (Auer, Cesa-Bianchi and Fischer 2002): pulls each arm once, in
// index order, then the arm maximising
//   mean_a + c sqrt(2 ln t / n_a),
// t the pulls so far and n_a the arm's. Ties go to the lowest index, so
// UCB1 uses no randomness: on a deterministic bandit a run is fixed by the
// bandit alone. Regret O(log T) for rewards in [0, 1] with c = 1.
class Ucb1 final : public BanditAgent {
 public:
  // num_arms >= 1; c > 0 and finite (checked by the job spec's validation).
  Ucb1(int num_arms, double c);

  int SelectArm(BanditRng& rng) override;
  void Update(int arm, double reward) override;
  int GreedyArm() const override { return estimates_.BestMeanArm(); }

  // The arm's index now; +infinity for an arm not pulled yet.
  double Index(int arm) const;
  const ArmEstimates& estimates() const { return estimates_; }

 private:
  const double c_;
  ArmEstimates estimates_;
};

}  // namespace entropic::bandits

#endif  // ENTROPIC_COMMON_BANDITS_UCB1_H_
