#include "actor/adders/chunk_builder.h"

#include <utility>

#include "common/tensor.h"

namespace entropic {

ChunkBuilder::ChunkBuilder(ChunkLayout layout, uint32_t env_index)
    : layout_(std::move(layout)), env_index_(env_index) {}

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
  behaviour_log_probs_.clear();
}

void ChunkBuilder::Append(const Action& action, float reward,
                          absl::Span<const float> next_observation,
                          float behaviour_log_prob) {
  if (layout_.behaviour_log_prob) {
    behaviour_log_probs_.push_back(behaviour_log_prob);
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
  if (layout_.behaviour_log_prob) {
    v1::NamedTensor& column = *chunk.add_extra_columns();
    column.set_name(kBehaviourLogProbColumn);
    *column.mutable_tensor() = MakeTensor<float>(behaviour_log_probs_, {n});
  }
  // Gymnasium may report both at the time limit: termination wins.
  chunk.set_terminated(terminated);
  chunk.set_truncated(truncated && !terminated);
  active_ = false;
  return chunk;
}

}  // namespace entropic
