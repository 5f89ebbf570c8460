#include "actor/adders/chunk_builder.h"

#include <utility>

#include "common/tensor.h"

namespace entropic {

int64_t ExtraColumnLayout::elements() const {
  int64_t elements = 1;
  for (int64_t dim : shape) elements *= dim;
  return elements;
}

int64_t ChunkLayout::extra_elements() const {
  int64_t elements = 0;
  for (const ExtraColumnLayout& column : extra_columns) {
    elements += column.elements();
  }
  return elements;
}

ChunkBuilder::ChunkBuilder(ChunkLayout layout, uint32_t env_index)
    : layout_(std::move(layout)),
      env_index_(env_index),
      extra_values_(layout_.extra_columns.size()) {}

void ChunkBuilder::Begin(absl::Span<const float> observation,
                         uint64_t episode_id, int64_t start_step,
                         int64_t policy_version) {
  active_ = true;
  episode_id_ = episode_id;
  start_step_ = start_step;
  policy_version_ = policy_version;
  observations_.assign(observation.begin(), observation.end());
  discrete_actions_.clear();
  box_actions_.clear();
  rewards_.clear();
  for (std::vector<float>& values : extra_values_) values.clear();
}

void ChunkBuilder::Append(const Action& action, float reward,
                          absl::Span<const float> next_observation,
                          absl::Span<const float> extra_values) {
  size_t offset = 0;
  for (size_t c = 0; c < layout_.extra_columns.size(); ++c) {
    const int64_t elements = layout_.extra_columns[c].elements();
    for (int64_t e = 0; e < elements; ++e, ++offset) {
      extra_values_[c].push_back(
          offset < extra_values.size() ? extra_values[offset] : 0.0f);
    }
  }
  if (layout_.discrete_actions) {
    discrete_actions_.push_back(action.index);
  } else {
    box_actions_.insert(box_actions_.end(), action.values.begin(),
                        action.values.end());
  }
  rewards_.push_back(reward);
  observations_.insert(observations_.end(), next_observation.begin(),
                       next_observation.end());
}

v1::TrajectoryChunk ChunkBuilder::Finish(bool terminated, bool truncated) {
  const int64_t n = length();
  v1::TrajectoryChunk chunk;
  chunk.set_job_id(layout_.job_id);
  chunk.set_table(layout_.table);
  chunk.set_actor_id(layout_.actor_id);
  chunk.set_env_index(env_index_);
  chunk.set_policy_version(policy_version_);
  chunk.set_episode_id(episode_id_);
  chunk.set_start_step(start_step_);
  *chunk.mutable_observations() =
      MakeTensor<float>(observations_, {n + 1, layout_.observation_size});
  if (layout_.discrete_actions) {
    *chunk.mutable_actions() = MakeTensor<int64_t>(discrete_actions_, {n});
  } else {
    *chunk.mutable_actions() =
        MakeTensor<float>(box_actions_, {n, layout_.action_size});
  }
  *chunk.mutable_rewards() = MakeTensor<float>(rewards_, {n});
  for (size_t c = 0; c < layout_.extra_columns.size(); ++c) {
    const ExtraColumnLayout& layout = layout_.extra_columns[c];
    std::vector<int64_t> shape = {n};
    shape.insert(shape.end(), layout.shape.begin(), layout.shape.end());
    v1::NamedTensor& column = *chunk.add_extra_columns();
    column.set_name(layout.name);
    *column.mutable_tensor() = MakeTensor<float>(extra_values_[c], shape);
  }
  // Gymnasium may report both at the time limit: termination wins.
  chunk.set_terminated(terminated);
  chunk.set_truncated(truncated && !terminated);
  active_ = false;
  return chunk;
}

}  // namespace entropic
