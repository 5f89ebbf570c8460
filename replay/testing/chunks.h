#ifndef ENTROPIC_REPLAY_TESTING_CHUNKS_H_
#define ENTROPIC_REPLAY_TESTING_CHUNKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/tensor.h"
#include "entropic/v1/replay.pb.h"

namespace entropic::testing {

// A table for CartPole-shaped data: float32[4] observations, int64 actions.
inline v1::TableConfig CartPoleTable(int64_t capacity, int64_t min_size = 1,
                                     double samples_per_insert = 0,
                                     double error_buffer = 0) {
  v1::TableConfig config;
  config.set_name("agent");
  config.mutable_observation()->set_dtype(v1::DTYPE_FLOAT32);
  config.mutable_observation()->add_shape(4);
  config.mutable_action()->set_dtype(v1::DTYPE_INT64);
  config.set_capacity(capacity);
  config.set_max_chunk_length(64);
  config.mutable_rate_limit()->set_min_size_to_sample(min_size);
  config.mutable_rate_limit()->set_samples_per_insert(samples_per_insert);
  config.mutable_rate_limit()->set_error_buffer(error_buffer);
  return config;
}

// A chunk of `n` steps whose observation at step t is [base + t] * 4, action
// t % 2 and reward base + t, so any sampled transition identifies itself.
inline v1::TrajectoryChunk MakeChunk(const std::string& actor,
                                     uint64_t sequence, int n, float base,
                                     bool terminated = false) {
  v1::TrajectoryChunk chunk;
  chunk.set_job_id("job");
  chunk.set_table("agent");
  chunk.set_actor_id(actor);
  chunk.set_sequence(sequence);
  chunk.set_policy_version(static_cast<int64_t>(sequence));
  std::vector<float> observations;
  for (int t = 0; t <= n; ++t) {
    for (int k = 0; k < 4; ++k) observations.push_back(base + t);
  }
  std::vector<int64_t> actions;
  std::vector<float> rewards;
  for (int t = 0; t < n; ++t) {
    actions.push_back(t % 2);
    rewards.push_back(base + t);
  }
  *chunk.mutable_observations() = MakeTensor<float>(observations, {n + 1, 4});
  *chunk.mutable_actions() = MakeTensor<int64_t>(actions, {n});
  *chunk.mutable_rewards() = MakeTensor<float>(rewards, {n});
  chunk.set_terminated(terminated);
  return chunk;
}

// A chunk of `episode` from environment `env_index` of `actor`, starting at
// `start_step`, with observations and rewards base + t as in MakeChunk.
inline v1::TrajectoryChunk MakeEpisodeChunk(const std::string& actor,
                                            uint64_t sequence,
                                            uint32_t env_index,
                                            uint64_t episode, int n, float base,
                                            bool terminated = false,
                                            bool truncated = false) {
  v1::TrajectoryChunk chunk = MakeChunk(actor, sequence, n, base, terminated);
  chunk.set_env_index(env_index);
  chunk.set_episode_id(episode);
  chunk.set_truncated(truncated);
  return chunk;
}

// Declares the extra columns of the tests: "behaviour_log_prob" (float32,
// one per step) and "task" (int64 [2] per step).
inline void AddTestColumns(v1::TableConfig& config) {
  v1::ColumnSpec* log_prob = config.add_extra_columns();
  log_prob->set_name("behaviour_log_prob");
  log_prob->mutable_spec()->set_dtype(v1::DTYPE_FLOAT32);
  v1::ColumnSpec* task = config.add_extra_columns();
  task->set_name("task");
  task->mutable_spec()->set_dtype(v1::DTYPE_INT64);
  task->mutable_spec()->add_shape(2);
}

// The value of AddTestColumns' columns at a step whose observation (first
// element, as MakeChunk makes them) is `o`: behaviour_log_prob -o, task
// [o, 7]. Sampled values name the step they came from.
inline float TestLogProb(float o) { return -o; }
inline std::vector<int64_t> TestTask(float o) {
  return {static_cast<int64_t>(o), 7};
}

// `chunk` (from MakeChunk) with AddTestColumns' columns, task first: a chunk
// may list its columns in any order.
inline v1::TrajectoryChunk WithTestColumns(v1::TrajectoryChunk chunk) {
  const int64_t n = chunk.rewards().shape(0);
  const int64_t row = chunk.observations().data().size() /
                      (sizeof(float) * chunk.observations().shape(0));
  const std::vector<float> observations =
      TensorValues<float>(chunk.observations());
  std::vector<float> log_probs;
  std::vector<int64_t> tasks;
  for (int64_t t = 0; t < n; ++t) {
    const float o = observations[t * row];
    log_probs.push_back(TestLogProb(o));
    for (int64_t value : TestTask(o)) tasks.push_back(value);
  }
  v1::NamedTensor* task = chunk.add_extra_columns();
  task->set_name("task");
  *task->mutable_tensor() = MakeTensor<int64_t>(tasks, {n, 2});
  v1::NamedTensor* log_prob = chunk.add_extra_columns();
  log_prob->set_name("behaviour_log_prob");
  *log_prob->mutable_tensor() = MakeTensor<float>(log_probs, {n});
  return chunk;
}

}  // namespace entropic::testing

#endif  // ENTROPIC_REPLAY_TESTING_CHUNKS_H_
