#ifndef ENTROPIC_LEARNER_ALGORITHMS_FACTORY_H_
#define ENTROPIC_LEARNER_ALGORITHMS_FACTORY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/env/environment.h"
#include "entropic/v1/job_spec.pb.h"
#include "learner/algorithms/algorithm.h"

namespace entropic {

// The algorithm of `spec` (its AlgorithmSpec case, defaults filled in) for
// an environment with `env`'s spaces, on `device`, initialised from
// spec.seed(). The one place that maps an AlgorithmSpec case to its
// learner: adding an algorithm is its files plus a case here.
// InvalidArgument for a case that has no learner here (maxent_irl runs as
// its own job mode) or a device LibTorch cannot use.
absl::StatusOr<std::unique_ptr<Algorithm>> MakeAlgorithm(
    const v1::JobSpec& spec, const EnvironmentInfo& env,
    const std::string& device);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_ALGORITHMS_FACTORY_H_
