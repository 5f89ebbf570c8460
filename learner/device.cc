#include "learner/device.h"

#include <torch/cuda.h>

#include "absl/strings/str_cat.h"

namespace entropic {

absl::StatusOr<c10::Device> UsableDevice(const std::string& name) {
  c10::Device device(c10::kCPU);
  try {
    device = c10::Device(name);
  } catch (const c10::Error&) {
    return absl::InvalidArgumentError(absl::StrCat(
        "device: '", name, "' is not a LibTorch device (cpu, cuda or cuda:N)"));
  }
  if (device.is_cpu()) return device;
  if (!device.is_cuda()) {
    return absl::InvalidArgumentError(
        absl::StrCat("device: must be cpu or cuda[:N], got '", name, "'"));
  }
  if (!torch::cuda::is_available()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "device: ", name,
        " requested, but this LibTorch build has no CUDA support or no GPU "
        "is visible"));
  }
  const int64_t count = static_cast<int64_t>(torch::cuda::device_count());
  if (device.has_index() && device.index() >= count) {
    return absl::FailedPreconditionError(
        absl::StrCat("device: ", name, " requested, but only ", count,
                     " GPU(s) are visible"));
  }
  return device;
}

}  // namespace entropic
