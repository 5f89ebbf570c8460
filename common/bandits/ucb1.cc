#include "common/bandits/ucb1.h"

#include <cmath>
#include <limits>

namespace entropic::bandits {

Ucb1::Ucb1(int num_arms, double c) : c_(c), estimates_(num_arms) {}

double Ucb1::Index(int arm) const {
  const int64_t n = estimates_.pulls(arm);
  if (n == 0) return std::numeric_limits<double>::infinity();
  const double t = static_cast<double>(estimates_.total_pulls());
  return estimates_.mean(arm) + c_ * std::sqrt(2 * std::log(t) / n);
}

int Ucb1::SelectArm(BanditRng& /*rng*/) {
  int best = 0;
  double best_index = Index(0);
  for (int arm = 1; arm < estimates_.num_arms(); ++arm) {
    const double index = Index(arm);
    if (index > best_index) {
      best = arm;
      best_index = index;
    }
  }
  return best;
}

void Ucb1::Update(int arm, double reward) { estimates_.Add(arm, reward); }

}  // namespace entropic::bandits
