#include "common/tabular/soft_value_iteration.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace entropic::tabular {
namespace {

absl::Status CheckTemperature(double temperature) {
  if (!(temperature > 0) || !std::isfinite(temperature)) {
    return absl::InvalidArgumentError(
        absl::StrCat("temperature: must be > 0, got ", temperature));
  }
  return absl::OkStatus();
}

// Q(s, .) = r(s, .) + discount * E[next_values(s')], for every s.
void Backup(const Mdp& mdp, const double* next_values, double discount,
            double* q) {
  const int S = mdp.num_states, A = mdp.num_actions;
  for (int s = 0; s < S; ++s) {
    for (int a = 0; a < A; ++a) {
      double expected = 0;
      if (next_values != nullptr && discount != 0) {
        const double* p = &mdp.transition[(s * A + a) * S];
        for (int next = 0; next < S; ++next) {
          expected += p[next] * next_values[next];
        }
      }
      q[s * A + a] = mdp.R(s, a) + discount * expected;
    }
  }
}

// V(s) = alpha log sum_a exp(Q(s, a) / alpha) and pi(a|s), stably.
void SoftMax(const double* q, int S, int A, double alpha, double* values,
             double* policy) {
  for (int s = 0; s < S; ++s) {
    const double* row = q + s * A;
    const double top = *std::max_element(row, row + A);
    double sum = 0;
    for (int a = 0; a < A; ++a) sum += std::exp((row[a] - top) / alpha);
    values[s] = top + alpha * std::log(sum);
    for (int a = 0; a < A; ++a) {
      policy[s * A + a] = std::exp((row[a] - values[s]) / alpha);
    }
  }
}

}  // namespace

absl::StatusOr<FiniteHorizonSolution> SoftValueIterationFiniteHorizon(
    const Mdp& mdp, int horizon, double discount, double temperature,
    const std::vector<double>& terminal_values) {
  if (absl::Status valid = mdp.Validate(); !valid.ok()) return valid;
  if (horizon < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("horizon: must be >= 1, got ", horizon));
  }
  if (!(discount >= 0 && discount <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("discount: must be in [0, 1], got ", discount));
  }
  if (absl::Status valid = CheckTemperature(temperature); !valid.ok()) {
    return valid;
  }
  if (!terminal_values.empty() &&
      terminal_values.size() != static_cast<size_t>(mdp.num_states)) {
    return absl::InvalidArgumentError(
        absl::StrCat("terminal_values: ", terminal_values.size(),
                     " entries for ", mdp.num_states, " states"));
  }
  const int S = mdp.num_states, A = mdp.num_actions;
  FiniteHorizonSolution solution;
  solution.horizon = horizon;
  solution.num_states = S;
  solution.num_actions = A;
  solution.q.resize(static_cast<size_t>(horizon) * S * A);
  solution.values.resize(static_cast<size_t>(horizon) * S);
  solution.policy.resize(solution.q.size());
  for (int t = horizon - 1; t >= 0; --t) {
    const double* next = t + 1 < horizon ? &solution.values[(t + 1) * S]
                         : terminal_values.empty() ? nullptr
                                                   : terminal_values.data();
    double* q = &solution.q[t * S * A];
    Backup(mdp, next, discount, q);
    SoftMax(q, S, A, temperature, &solution.values[t * S],
            &solution.policy[t * S * A]);
  }
  return solution;
}

absl::StatusOr<InfiniteHorizonSolution> SoftValueIteration(const Mdp& mdp,
                                                           double discount,
                                                           double temperature,
                                                           double tolerance,
                                                           int max_iterations) {
  if (absl::Status valid = mdp.Validate(); !valid.ok()) return valid;
  if (!(discount >= 0 && discount < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("discount: must be in [0, 1), got ", discount));
  }
  if (absl::Status valid = CheckTemperature(temperature); !valid.ok()) {
    return valid;
  }
  const int S = mdp.num_states, A = mdp.num_actions;
  InfiniteHorizonSolution solution;
  solution.num_states = S;
  solution.num_actions = A;
  solution.q.assign(static_cast<size_t>(S) * A, 0);
  solution.values.assign(S, 0);
  solution.policy.assign(solution.q.size(), 1.0 / A);
  std::vector<double> values(S);
  for (int i = 1; i <= max_iterations; ++i) {
    Backup(mdp, solution.values.data(), discount, solution.q.data());
    SoftMax(solution.q.data(), S, A, temperature, values.data(),
            solution.policy.data());
    double change = 0;
    for (int s = 0; s < S; ++s) {
      change = std::max(change, std::abs(values[s] - solution.values[s]));
    }
    solution.values.swap(values);
    if (change < tolerance) {
      solution.iterations = i;
      return solution;
    }
  }
  return absl::FailedPreconditionError(
      absl::StrCat("soft value iteration: no convergence to ", tolerance,
                   " in ", max_iterations, " sweeps"));
}

std::vector<double> StateOccupancies(const Mdp& mdp,
                                     const FiniteHorizonSolution& solution) {
  const int S = mdp.num_states, A = mdp.num_actions, H = solution.horizon;
  std::vector<double> occupancy(static_cast<size_t>(H + 1) * S, 0);
  std::copy(mdp.initial.begin(), mdp.initial.end(), occupancy.begin());
  for (int t = 0; t < H; ++t) {
    const double* now = &occupancy[t * S];
    double* next = &occupancy[(t + 1) * S];
    for (int s = 0; s < S; ++s) {
      if (now[s] == 0) continue;
      for (int a = 0; a < A; ++a) {
        const double mass = now[s] * solution.Pi(t, s, a);
        const double* p = &mdp.transition[(s * A + a) * S];
        for (int s2 = 0; s2 < S; ++s2) next[s2] += mass * p[s2];
      }
    }
  }
  return occupancy;
}

std::vector<double> DiscountedVisitation(const std::vector<double>& occupancies,
                                         int num_states, double discount) {
  std::vector<double> visitation(num_states, 0);
  const size_t slices = occupancies.size() / num_states;
  double weight = 1;
  for (size_t t = 0; t < slices; ++t) {
    for (int s = 0; s < num_states; ++s) {
      visitation[s] += weight * occupancies[t * num_states + s];
    }
    weight *= discount;
  }
  return visitation;
}

double ExpectedReturn(const FiniteHorizonSolution& solution,
                      const std::vector<double>& occupancies,
                      const std::vector<double>& reward) {
  const int S = solution.num_states;
  const int A = solution.num_actions;
  double total = 0;
  for (int t = 0; t < solution.horizon; ++t) {
    for (int s = 0; s < S; ++s) {
      for (int a = 0; a < A; ++a) {
        total +=
            occupancies[t * S + s] * solution.Pi(t, s, a) * reward[s * A + a];
      }
    }
  }
  return total;
}

}  // namespace entropic::tabular
