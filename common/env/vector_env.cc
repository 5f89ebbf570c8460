#include "common/env/vector_env.h"

#include <random>

#include "common/env/registry.h"
#include "common/status_macros.h"

namespace entropic {

absl::StatusOr<std::unique_ptr<VectorEnv>> VectorEnv::Create(
    const std::string& id, int num_envs, uint64_t seed) {
  v1::EnvironmentSpec spec;
  spec.set_id(id);
  return Create(spec, num_envs, seed);
}

absl::StatusOr<std::unique_ptr<VectorEnv>> VectorEnv::Create(
    const v1::EnvironmentSpec& spec, int num_envs, uint64_t seed) {
  if (num_envs < 1) {
    return absl::InvalidArgumentError("num_envs: must be at least 1");
  }
  std::unique_ptr<VectorEnv> vector(new VectorEnv());
  // Independent, reproducible streams per environment.
  std::seed_seq seeds{seed, uint64_t{0x9e3779b97f4a7c15}};
  std::vector<uint32_t> env_seeds(num_envs);
  seeds.generate(env_seeds.begin(), env_seeds.end());
  for (int i = 0; i < num_envs; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<Environment> env, MakeEnvironment(spec));
    vector->envs_.push_back(std::move(env));
    vector->rngs_.emplace_back(env_seeds[i]);
  }
  vector->observation_size_ = vector->info().observation_space.FlatSize();
  vector->observations_.resize(num_envs * vector->observation_size_);
  vector->final_observations_.resize(num_envs * vector->observation_size_);
  vector->episode_returns_.assign(num_envs, 0.0);
  vector->episode_lengths_.assign(num_envs, 0);
  vector->ended_.assign(num_envs, false);
  for (int i = 0; i < num_envs; ++i) {
    vector->envs_[i]->Reset(
        vector->rngs_[i],
        absl::MakeSpan(vector->observations_)
            .subspan(i * vector->observation_size_, vector->observation_size_));
  }
  return vector;
}

absl::Span<const float> VectorEnv::observation(int i) const {
  return absl::MakeConstSpan(observations_)
      .subspan(i * observation_size_, observation_size_);
}

absl::Span<const float> VectorEnv::final_observation(int i) const {
  return absl::MakeConstSpan(final_observations_)
      .subspan(i * observation_size_, observation_size_);
}

StepResult VectorEnv::Step(int i, const Action& action) {
  if (ended_[i]) {
    episode_returns_[i] = 0.0;
    episode_lengths_[i] = 0;
    ended_[i] = false;
  }
  absl::Span<float> current =
      absl::MakeSpan(observations_)
          .subspan(i * observation_size_, observation_size_);
  const StepResult result = envs_[i]->Step(action, current);
  episode_returns_[i] += result.reward;
  ++episode_lengths_[i];
  if (result.terminated || result.truncated) {
    ended_[i] = true;
    std::copy(current.begin(), current.end(),
              final_observations_.begin() + i * observation_size_);
    envs_[i]->Reset(rngs_[i], current);
  }
  return result;
}

}  // namespace entropic
