#ifndef ENTROPIC_LEARNER_TRANSITION_BATCH_H_
#define ENTROPIC_LEARNER_TRANSITION_BATCH_H_

#include <torch/types.h>

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "entropic/v1/replay.pb.h"

namespace entropic {

// A batch of B transitions as tensors on the learner's device.
struct TransitionBatch {
  torch::Tensor observations;       // [B, obs] float32
  // [B] int64 for discrete actions, [B, A] float32 for box actions.
  torch::Tensor actions;
  torch::Tensor rewards;            // [B] float32
  torch::Tensor next_observations;  // [B, obs] float32
  torch::Tensor terminated;         // [B] float32, 1 when s' is terminal
  // [B] float32: gamma^m, or 0 when the episode terminated within the m
  // steps; the target is rewards + discounts * V(next_observations).
  torch::Tensor discounts;
  torch::Tensor weights;  // [B] float32 importance weights
  // On the CPU: [B] int64 each.
  torch::Tensor policy_versions;
  torch::Tensor keys;                 // item keys, for priority updates
  torch::Tensor from_demonstrations;  // [B] bool
  // The sampled table's extra per-step columns by name, [B, shape...] on
  // the device, the value at each transition's first step (zeros for
  // demonstration rows whose table lacks the column), e.g.
  // kBehaviourLogProbColumn (common/replay_columns.h).
  std::map<std::string, torch::Tensor> extra;
};

// Converts a sampled batch (one copy into tensors, then to `device`);
// items from the table named `demonstrations_table` are marked
// from_demonstrations. InvalidArgument naming the field if a tensor has an
// unexpected dtype or shape.
absl::StatusOr<TransitionBatch> BatchFromSample(
    const v1::SampleResponse& sample, const std::string& demonstrations_table,
    const torch::Device& device);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_TRANSITION_BATCH_H_
