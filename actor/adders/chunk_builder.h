#ifndef ENTROPIC_ACTOR_ADDERS_CHUNK_BUILDER_H_
#define ENTROPIC_ACTOR_ADDERS_CHUNK_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "common/env/environment.h"
#include "common/replay_columns.h"
#include "entropic/v1/replay.pb.h"

namespace entropic {

// One extra float32 per-step column of the chunks (TableConfig's
// extra_columns), e.g. kBehaviourLogProbColumn or kBootstrapMaskColumn.
struct ExtraColumnLayout {
  std::string name;
  // The shape of one step's value; empty for one value per step. A chunk
  // of n steps carries [n, shape...].
  std::vector<int64_t> shape;

  // Floats per step.
  int64_t elements() const;
};

// Where one actor's chunks go and what they look like.
struct ChunkLayout {
  std::string job_id;
  std::string table;
  std::string actor_id;
  int64_t observation_size = 0;
  // Discrete actions travel as int64 [n]; box actions as float32 [n, dim].
  bool discrete_actions = true;
  int64_t action_size = 1;
  // The extra columns chunks carry, in this order.
  std::vector<ExtraColumnLayout> extra_columns;

  // Floats per step over all extra columns.
  int64_t extra_elements() const;
};

// Accumulates the steps of one environment into a TrajectoryChunk: the
// observations once each ([n + 1] rows), actions and rewards. A chunk ends
// when it is full or its episode ends; the next chunk of the same episode
// starts from the last observation of the previous one. Chunks carry the
// environment's index: replay links consecutive chunks of one
// (actor_id, env_index), which is how n-step transitions and sequences run
// on from one chunk into the next.
//
// Not thread-safe: one per environment, used by the acting thread.
class ChunkBuilder {
 public:
  // `env_index`: which of the actor's environments this builder's steps come
  // from, distinct for each of them.
  ChunkBuilder(ChunkLayout layout, uint32_t env_index);

  // Starts a chunk at `observation`, step `start_step` of episode
  // `episode_id`, acted on by weights `policy_version`.
  void Begin(absl::Span<const float> observation, uint64_t episode_id,
             int64_t start_step, int64_t policy_version);
  bool active() const { return active_; }
  int length() const { return static_cast<int>(rewards_.size()); }

  // Records one step: the action taken, its reward, and the observation
  // after it (the final observation if the episode ended); and the step's
  // values of the layout's extra columns, concatenated in their order
  // (layout.extra_elements() floats; missing ones are written as 0, extra
  // ones ignored).
  void Append(const Action& action, float reward,
              absl::Span<const float> next_observation,
              absl::Span<const float> extra_values = {});

  // The finished chunk (sequence left 0 for the writer to assign); the
  // builder becomes inactive.
  v1::TrajectoryChunk Finish(bool terminated, bool truncated);

 private:
  const ChunkLayout layout_;
  const uint32_t env_index_;
  bool active_ = false;
  uint64_t episode_id_ = 0;
  int64_t start_step_ = 0;
  int64_t policy_version_ = 0;
  std::vector<float> observations_;
  std::vector<int64_t> discrete_actions_;
  std::vector<float> box_actions_;
  std::vector<float> rewards_;
  // Per extra column, its values so far.
  std::vector<std::vector<float>> extra_values_;
};

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_ADDERS_CHUNK_BUILDER_H_
