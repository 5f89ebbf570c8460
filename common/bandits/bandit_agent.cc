#include "common/bandits/bandit_agent.h"

namespace entropic::bandits {

int ArmEstimates::BestMeanArm() const {
  int best = 0;
  bool found = false;
  for (int arm = 0; arm < num_arms(); ++arm) {
    if (pulls_[arm] == 0) continue;
    if (!found || mean(arm) > mean(best)) best = arm;
    found = true;
  }
  return best;
}

}  // namespace entropic::bandits
