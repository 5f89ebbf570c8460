#ifndef ENTROPIC_LEARNER_EVALUATOR_H_
#define ENTROPIC_LEARNER_EVALUATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "entropic/v1/jobs.pb.h"
#include "entropic/v1/parameters.pb.h"

namespace entropic {

struct EvaluationOptions {
  std::string env_id;
  int episodes = 20;
  // Argmax Q instead of sampling the Boltzmann policy.
  bool greedy = true;
  std::vector<int64_t> hidden;
  uint64_t seed = 0;
};

// Runs `episodes` full episodes (in lockstep, one environment each) with the
// policy of `weights`, as an actor would act with them, and summarises the
// undiscounted returns. Fills mean, std, min, max and episodes of the result.
absl::StatusOr<v1::EvalResult> Evaluate(const v1::Weights& weights,
                                        const EvaluationOptions& options);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_EVALUATOR_H_
