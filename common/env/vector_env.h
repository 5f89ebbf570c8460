#ifndef ENTROPIC_COMMON_ENV_VECTOR_ENV_H_
#define ENTROPIC_COMMON_ENV_VECTOR_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/env/environment.h"
#include "entropic/v1/job_spec.pb.h"

namespace entropic {

// N copies of one environment stepped in lockstep, each reset automatically
// when its episode ends. Observations live in one [N, obs] float buffer that
// a policy can read as a batch without copying.
//
// Not thread-safe: owned and stepped by one thread.
class VectorEnv {
 public:
  // Creates `num_envs` environments of `id`, seeded from `seed`, and resets
  // them. NotFound for an unknown id.
  static absl::StatusOr<std::unique_ptr<VectorEnv>> Create(
      const std::string& id, int num_envs, uint64_t seed);
  // The same for the environment `spec` names, with its options (see
  // MakeEnvironment); spec.num_envs is not looked at.
  static absl::StatusOr<std::unique_ptr<VectorEnv>> Create(
      const v1::EnvironmentSpec& spec, int num_envs, uint64_t seed);

  int num_envs() const { return static_cast<int>(envs_.size()); }
  const EnvironmentInfo& info() const { return envs_.front()->info(); }
  int64_t observation_size() const { return observation_size_; }

  // The current observation of every environment, [N * observation_size].
  absl::Span<const float> observations() const { return observations_; }
  absl::Span<const float> observation(int i) const;

  // Steps environment i with `action`. When the episode ends, the final
  // observation is kept in final_observation(i), the environment is reset
  // and observation(i) is the first of the next episode.
  StepResult Step(int i, const Action& action);

  // Valid after Step(i) ended an episode, until the next Step(i).
  absl::Span<const float> final_observation(int i) const;

  // Undiscounted return and length of environment i's current episode so far
  // (of the episode that just ended, right after Step(i) ended it).
  double episode_return(int i) const { return episode_returns_[i]; }
  int64_t episode_length(int i) const { return episode_lengths_[i]; }

 private:
  VectorEnv() = default;

  std::vector<std::unique_ptr<Environment>> envs_;
  std::vector<EnvRng> rngs_;
  int64_t observation_size_ = 0;
  std::vector<float> observations_;
  std::vector<float> final_observations_;
  std::vector<double> episode_returns_;
  std::vector<int64_t> episode_lengths_;
  std::vector<bool> ended_;  // the last Step(i) ended an episode
};

}  // namespace entropic

#endif  // ENTROPIC_COMMON_ENV_VECTOR_ENV_H_
