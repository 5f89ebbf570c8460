#ifndef ENTROPIC_COMMON_TABULAR_MAXENT_IRL_H_
#define ENTROPIC_COMMON_TABULAR_MAXENT_IRL_H_

#include <vector>

#include "absl/status/statusor.h"
#include "common/tabular/mdp.h"

namespace entropic::tabular {

// Maximum (causal) entropy inverse RL with known dynamics (Ziebart et al.):
// a state reward theta, counted at every state of a trajectory s_0 .. s_H,
// whose soft-optimal policy visits states as the expert did. The expert's
// log-likelihood
//   L(theta) = theta . mu_expert - sum_s initial(s) V_0(s)
// is concave with gradient mu_expert - mu_theta (discounted visitations of
// all H + 1 states: the backward messages run with V_H = theta, the forward
// pass gives mu_theta). A state the expert rarely visits has a nearly flat
// direction, where gradient ascent crawls, so each step is a damped Newton
// step (Levenberg-Marquardt) with the Hessian taken from the gradient by
// finite differences: S + 1 exact passes per step.
struct MaxEntIrlOptions {
  int horizon = 20;
  double discount = 1.0;
  double temperature = 1.0;
  int max_iterations = 200;
  // Stop once every state's visitation is within this of the expert's.
  double tolerance = 1e-6;
};

struct MaxEntIrlResult {
  std::vector<double> state_reward;  // theta, [S]
  std::vector<double> visitation;    // mu_theta, [S]
  double largest_gap = 0;            // max_s |mu_expert(s) - mu_theta(s)|
  int iterations = 0;
};

// `mdp`'s reward is ignored (theta starts at zero); its dynamics and initial
// distribution are used. `expert_visitation` is sum_{t=0..H} discount^t of
// the expert's state distribution at t. InvalidArgument for a visitation of
// the wrong size or bad options; FailedPrecondition if it does not converge.
absl::StatusOr<MaxEntIrlResult> MaxEntIrl(
    const Mdp& mdp, const std::vector<double>& expert_visitation,
    const MaxEntIrlOptions& options);

}  // namespace entropic::tabular

#endif  // ENTROPIC_COMMON_TABULAR_MAXENT_IRL_H_
