#ifndef ENTROPIC_LEARNER_DEVICE_H_
#define ENTROPIC_LEARNER_DEVICE_H_

#include <c10/core/Device.h>

#include <string>

#include "absl/status/statusor.h"

namespace entropic {

// The LibTorch device named `name` ("cpu", "cuda", "cuda:N"), if this
// process can train on it: InvalidArgument for a name LibTorch does not
// know, FailedPrecondition for CUDA in a build without it, with no GPU
// visible, or with an index past the last GPU.
absl::StatusOr<c10::Device> UsableDevice(const std::string& name);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_DEVICE_H_
