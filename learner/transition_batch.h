#ifndef ENTROPIC_LEARNER_TRANSITION_BATCH_H_
#define ENTROPIC_LEARNER_TRANSITION_BATCH_H_

#include <torch/types.h>

#include "absl/status/statusor.h"
#include "entropic/v1/replay.pb.h"

namespace entropic {

// A batch of B transitions as tensors on the learner's device.
struct TransitionBatch {
  torch::Tensor observations;       // [B, obs] float32
  torch::Tensor actions;            // [B] int64 (discrete)
  torch::Tensor rewards;            // [B] float32
  torch::Tensor next_observations;  // [B, obs] float32
  torch::Tensor terminated;         // [B] float32, 1 when s' is terminal
  torch::Tensor policy_versions;    // [B] int64, on the CPU
};

// Converts a sampled batch (one copy into tensors, then to `device`).
// InvalidArgument naming the field if a tensor has an unexpected dtype or
// shape.
absl::StatusOr<TransitionBatch> BatchFromSample(
    const v1::SampleResponse& sample, const torch::Device& device);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_TRANSITION_BATCH_H_
