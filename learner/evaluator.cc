#include "learner/evaluator.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "actor/policy/policy.h"
#include "common/env/vector_env.h"
#include "common/exception_status.h"
#include "common/status_macros.h"

namespace entropic {

namespace {

absl::StatusOr<v1::EvalResult> EvaluateOrThrow(
    const v1::PolicySpec& policy_spec, const v1::Weights& weights,
    const EvaluationOptions& options) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<VectorEnv> envs,
      VectorEnv::Create(options.env, options.episodes, options.seed));
  RETURN_IF_ERROR(CheckPolicyFits(policy_spec, envs->info()));
  ASSIGN_OR_RETURN(std::unique_ptr<Policy> made, MakePolicy(policy_spec));
  Policy& policy = *made;
  RETURN_IF_ERROR(policy.Load(weights));
  std::mt19937_64 rng(options.seed);

  const int n = envs->num_envs();
  // Each row plays one episode.
  for (int i = 0; i < n; ++i) policy.BeginEpisode(i, rng);
  std::vector<double> returns(n, 0.0);
  std::vector<bool> done(n, false);
  int remaining = n;
  // Every episode ends by the time limit at the latest.
  while (remaining > 0) {
    const ActionBatch actions =
        policy.Act(envs->observations(), n, options.greedy, rng);
    for (int i = 0; i < n; ++i) {
      if (done[i]) continue;
      const StepResult step = envs->Step(i, actions.action(i));
      returns[i] += step.reward;
      if (step.terminated || step.truncated) {
        done[i] = true;
        --remaining;
      }
    }
  }
  double sum = 0, sum_squares = 0;
  for (double r : returns) {
    sum += r;
    sum_squares += r * r;
  }
  v1::EvalResult result;
  result.set_episodes(n);
  result.set_mean_return(sum / n);
  result.set_std_return(
      std::sqrt(std::max(0.0, sum_squares / n - (sum / n) * (sum / n))));
  result.set_min_return(*std::min_element(returns.begin(), returns.end()));
  result.set_max_return(*std::max_element(returns.begin(), returns.end()));
  return result;
}

}  // namespace

absl::StatusOr<v1::EvalResult> Evaluate(const v1::PolicySpec& policy,
                                        const v1::Weights& weights,
                                        const EvaluationOptions& options) {
  try {
    return EvaluateOrThrow(policy, weights, options);
  } catch (const std::exception& e) {
    return InternalFromException("evaluation failed", e);
  }
}

}  // namespace entropic
