#ifndef ENTROPIC_LEARNER_EVALUATOR_H_
#define ENTROPIC_LEARNER_EVALUATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "entropic/v1/job_spec.pb.h"
#include "entropic/v1/jobs.pb.h"
#include "entropic/v1/parameters.pb.h"
#include "entropic/v1/policy.pb.h"

namespace entropic {

struct EvaluationOptions {
  // The environment and its options (env.num_envs is not looked at).
  v1::EnvironmentSpec env;
  int episodes = 20;
  // The deterministic action (argmax Q, the Gaussian's mean) instead of
  // sampling the policy.
  bool greedy = true;
  uint64_t seed = 0;
};

// Runs `episodes` full episodes (in lockstep, one environment each) with the
// policy `policy` describes and `weights`, as an actor would act with them,
// and summarises the undiscounted returns. Fills mean, std, min, max and
// episodes of the result. InvalidArgument when the policy does not fit the
// environment or the weights the policy; Internal for a LibTorch error.
absl::StatusOr<v1::EvalResult> Evaluate(const v1::PolicySpec& policy,
                                        const v1::Weights& weights,
                                        const EvaluationOptions& options);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_EVALUATOR_H_
