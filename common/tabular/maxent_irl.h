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
  // Stop once every component of the gradient is below this: with no
  // penalty, every state's visitation is within it of the expert's.
  double tolerance = 1e-6;
  // lambda of a Gaussian prior on theta: maximises L - lambda/2 |theta|^2,
  // whose gradient is mu_expert - mu_theta - lambda theta. Needed when the
  // expert's visitation cannot be matched exactly (counted from sampled
  // episodes, a state never visited): without it theta runs off to
  // -infinity there. It leaves each state's visitation lambda theta(s) from
  // the expert's.
  double l2_penalty = 0;
};

struct MaxEntIrlResult {
  std::vector<double> state_reward;  // theta, [S]
  std::vector<double> visitation;    // mu_theta, [S]
  double largest_gap = 0;            // max_s |mu_expert(s) - mu_theta(s)|
  int iterations = 0;
  // The gradient fell below the tolerance. If not (max_iterations reached,
  // or no step improved), the result is the best reward found.
  bool converged = false;
};

// `mdp`'s reward is ignored (theta starts at zero); its dynamics and initial
// distribution are used. `expert_visitation` is sum_{t=0..H} discount^t of
// the expert's state distribution at t. InvalidArgument for a visitation of
// the wrong size or bad options.
absl::StatusOr<MaxEntIrlResult> MaxEntIrl(
    const Mdp& mdp, const std::vector<double>& expert_visitation,
    const MaxEntIrlOptions& options);

}  // namespace entropic::tabular

#endif  // ENTROPIC_COMMON_TABULAR_MAXENT_IRL_H_
