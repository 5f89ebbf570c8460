#include "common/tabular/maxent_irl.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/tabular/soft_value_iteration.h"

namespace entropic::tabular {
namespace {

// The likelihood and its gradient at one theta.
struct Evaluation {
  double log_likelihood = 0;
  std::vector<double> gradient;    // mu_expert - mu_theta
  std::vector<double> visitation;  // mu_theta
};

class Objective {
 public:
  Objective(const Mdp& mdp, const std::vector<double>& expert,
            const MaxEntIrlOptions& options)
      : mdp_(mdp), expert_(expert), options_(options) {}

  absl::StatusOr<Evaluation> Evaluate(const std::vector<double>& theta) {
    mdp_.reward = SpreadStateReward(theta, mdp_.num_actions);
    absl::StatusOr<FiniteHorizonSolution> solution =
        SoftValueIterationFiniteHorizon(mdp_, options_.horizon,
                                        options_.discount, options_.temperature,
                                        theta);
    if (!solution.ok()) return solution.status();
    Evaluation evaluation;
    evaluation.visitation = DiscountedVisitation(
        StateOccupancies(mdp_, *solution), mdp_.num_states, options_.discount);
    const int S = mdp_.num_states;
    evaluation.gradient.resize(S);
    for (int s = 0; s < S; ++s) {
      evaluation.gradient[s] = expert_[s] - evaluation.visitation[s] -
                               options_.l2_penalty * theta[s];
      evaluation.log_likelihood +=
          theta[s] * expert_[s] - mdp_.initial[s] * solution->V(0, s) -
          0.5 * options_.l2_penalty * theta[s] * theta[s];
    }
    return evaluation;
  }

 private:
  Mdp mdp_;
  const std::vector<double>& expert_;
  const MaxEntIrlOptions& options_;
};

double LargestMagnitude(const std::vector<double>& values) {
  double largest = 0;
  for (double v : values) largest = std::max(largest, std::abs(v));
  return largest;
}

// Solves matrix * x = rhs (n x n, row-major) by Gaussian elimination with
// partial pivoting; the matrix is positive definite here (damped).
std::vector<double> Solve(std::vector<double> matrix, std::vector<double> rhs) {
  const int n = static_cast<int>(rhs.size());
  for (int col = 0; col < n; ++col) {
    int pivot = col;
    for (int row = col + 1; row < n; ++row) {
      if (std::abs(matrix[row * n + col]) > std::abs(matrix[pivot * n + col])) {
        pivot = row;
      }
    }
    for (int k = 0; k < n; ++k) {
      std::swap(matrix[col * n + k], matrix[pivot * n + k]);
    }
    std::swap(rhs[col], rhs[pivot]);
    for (int row = col + 1; row < n; ++row) {
      const double factor = matrix[row * n + col] / matrix[col * n + col];
      for (int k = col; k < n; ++k) {
        matrix[row * n + k] -= factor * matrix[col * n + k];
      }
      rhs[row] -= factor * rhs[col];
    }
  }
  std::vector<double> x(n);
  for (int row = n - 1; row >= 0; --row) {
    double sum = rhs[row];
    for (int k = row + 1; k < n; ++k) sum -= matrix[row * n + k] * x[k];
    x[row] = sum / matrix[row * n + row];
  }
  return x;
}

}  // namespace

absl::StatusOr<MaxEntIrlResult> MaxEntIrl(
    const Mdp& mdp, const std::vector<double>& expert_visitation,
    const MaxEntIrlOptions& options) {
  const int S = mdp.num_states;
  if (expert_visitation.size() != static_cast<size_t>(S)) {
    return absl::InvalidArgumentError(
        absl::StrCat("expert_visitation: ", expert_visitation.size(),
                     " entries for ", S, " states"));
  }
  if (options.max_iterations < 1 || !(options.tolerance > 0) ||
      !(options.l2_penalty >= 0)) {
    return absl::InvalidArgumentError(
        "max_iterations, tolerance: must be positive; l2_penalty: must be "
        ">= 0");
  }
  Objective objective(mdp, expert_visitation, options);
  MaxEntIrlResult result;
  result.state_reward.assign(S, 0);
  absl::StatusOr<Evaluation> current = objective.Evaluate(result.state_reward);
  if (!current.ok()) return current.status();
  double damping = 1e-3;
  constexpr double kStep = 1e-6;  // finite differences of the gradient
  for (int i = 1; i <= options.max_iterations; ++i) {
    result.iterations = i;
    if (LargestMagnitude(current->gradient) < options.tolerance) break;
    // Negative Hessian of L: d(mu_theta)/d(theta), column by column.
    std::vector<double> curvature(static_cast<size_t>(S) * S);
    for (int j = 0; j < S; ++j) {
      std::vector<double> nudged = result.state_reward;
      nudged[j] += kStep;
      absl::StatusOr<Evaluation> near = objective.Evaluate(nudged);
      if (!near.ok()) return near.status();
      for (int s = 0; s < S; ++s) {
        curvature[s * S + j] =
            (near->visitation[s] - current->visitation[s]) / kStep;
      }
      curvature[j * S + j] += options.l2_penalty;
    }
    // Levenberg-Marquardt: damp until the likelihood goes up.
    bool improved = false;
    while (!improved && damping < 1e12) {
      std::vector<double> damped = curvature;
      for (int s = 0; s < S; ++s) damped[s * S + s] += damping;
      const std::vector<double> step = Solve(damped, current->gradient);
      std::vector<double> theta = result.state_reward;
      for (int s = 0; s < S; ++s) theta[s] += step[s];
      absl::StatusOr<Evaluation> next = objective.Evaluate(theta);
      if (!next.ok()) return next.status();
      if (next->log_likelihood > current->log_likelihood) {
        result.state_reward = std::move(theta);
        current = std::move(next);
        damping = std::max(damping / 10, 1e-9);
        improved = true;
      } else {
        damping *= 10;
      }
    }
    if (!improved) break;  // no step helps: as close as it gets
  }
  result.visitation = current->visitation;
  result.converged = LargestMagnitude(current->gradient) < options.tolerance;
  for (int s = 0; s < S; ++s) {
    result.largest_gap =
        std::max(result.largest_gap,
                 std::abs(expert_visitation[s] - current->visitation[s]));
  }
  return result;
}

}  // namespace entropic::tabular
