#ifndef ENTROPIC_ACTOR_POLICY_WEIGHTS_H_
#define ENTROPIC_ACTOR_POLICY_WEIGHTS_H_

#include <torch/nn/module.h>

#include <cstdint>

#include "absl/status/status.h"
#include "entropic/v1/parameters.pb.h"

namespace entropic {

// Converts a module's parameters to the wire form (float32, by name) and
// back. Both sides build the same architecture from the job spec, so names
// and shapes must match exactly.

// The module's parameters as a Weights message (copied to CPU).
v1::Weights WeightsFromModule(const torch::nn::Module& module,
                              const std::string& job_id, int64_t version,
                              double temperature);

// Copies `weights` into the module's parameters. InvalidArgument naming the
// parameter if a name is missing or unknown, or a shape or dtype differs; the
// module is unchanged then.
absl::Status LoadWeightsIntoModule(const v1::Weights& weights,
                                   torch::nn::Module& module);

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_POLICY_WEIGHTS_H_
