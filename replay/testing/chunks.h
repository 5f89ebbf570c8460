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

}  // namespace entropic::testing

#endif  // ENTROPIC_REPLAY_TESTING_CHUNKS_H_
