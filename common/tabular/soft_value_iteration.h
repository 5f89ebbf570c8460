#ifndef ENTROPIC_COMMON_TABULAR_SOFT_VALUE_ITERATION_H_
#define ENTROPIC_COMMON_TABULAR_SOFT_VALUE_ITERATION_H_

#include <vector>

#include "absl/status/statusor.h"
#include "common/tabular/mdp.h"

namespace entropic::tabular {

// Soft optimality on a known MDP, exactly: the backward messages of control
// as inference (in log space, the soft Q and V functions) and the forward
// pass that turns a policy into state occupancies. Temperature alpha:
//   Q[t](s, a) = r(s, a) + discount * sum_s' P(s' | s, a) V[t + 1](s')
//   V[t](s)    = alpha * log sum_a exp(Q[t](s, a) / alpha)
//   pi[t](a|s) = exp((Q[t](s, a) - V[t](s)) / alpha)
// with V[H] = terminal values (zero unless given) after the last step.

// A time-indexed policy over a horizon of H steps.
struct FiniteHorizonSolution {
  int horizon = 0;
  int num_states = 0;
  int num_actions = 0;
  std::vector<double> q;       // [H][S][A]
  std::vector<double> values;  // [H][S]
  std::vector<double> policy;  // [H][S][A]

  double Q(int t, int s, int a) const {
    return q[(t * num_states + s) * num_actions + a];
  }
  double V(int t, int s) const { return values[t * num_states + s]; }
  double Pi(int t, int s, int a) const {
    return policy[(t * num_states + s) * num_actions + a];
  }
};

// InvalidArgument for an invalid MDP, horizon < 1, discount outside [0, 1],
// temperature <= 0 or terminal values of the wrong size.
absl::StatusOr<FiniteHorizonSolution> SoftValueIterationFiniteHorizon(
    const Mdp& mdp, int horizon, double discount, double temperature,
    const std::vector<double>& terminal_values = {});

// A stationary policy: the fixed point of the recursion above.
struct InfiniteHorizonSolution {
  int num_states = 0;
  int num_actions = 0;
  std::vector<double> q;       // [S][A]
  std::vector<double> values;  // [S]
  std::vector<double> policy;  // [S][A]
  int iterations = 0;          // sweeps until the values moved < tolerance
};

// Iterates to a largest change of V below `tolerance`. InvalidArgument for
// discount outside [0, 1); FailedPrecondition if `max_iterations` sweeps do
// not get there.
absl::StatusOr<InfiniteHorizonSolution> SoftValueIteration(
    const Mdp& mdp, double discount, double temperature,
    double tolerance = 1e-10, int max_iterations = 100000);

// Forward pass: D[0] = mdp.initial and
//   D[t + 1](s') = sum_{s,a} D[t](s) pi[t](a|s) P(s' | s, a)
// for t < H, so H + 1 slices, [H + 1][S]. Each slice sums to 1.
std::vector<double> StateOccupancies(const Mdp& mdp,
                                     const FiniteHorizonSolution& solution);

// sum_{t=0..H} discount^t D[t](s): the state visitation MaxEnt IRL matches.
// With discount 1 it sums to H + 1.
std::vector<double> DiscountedVisitation(const std::vector<double>& occupancies,
                                         int num_states, double discount);

// The expected undiscounted return of the solution's policy over its H
// steps, sum_{t<H} sum_{s,a} D[t](s) pi[t](a|s) reward(s, a), for any reward
// ([S][A]: e.g. the environment's own when the policy was solved for a
// learned one). `occupancies` are StateOccupancies(mdp, solution).
double ExpectedReturn(const FiniteHorizonSolution& solution,
                      const std::vector<double>& occupancies,
                      const std::vector<double>& reward);

}  // namespace entropic::tabular

#endif  // ENTROPIC_COMMON_TABULAR_SOFT_VALUE_ITERATION_H_
