#include "learner/demonstration_recorder.h"

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "actor/policy/policy.h"
#include "common/env/registry.h"
#include "common/env/tabular_model.h"
#include "common/exception_status.h"
#include "common/status_macros.h"
#include "common/tabular/soft_value_iteration.h"
#include "common/tensor.h"
#include "learner/run_checkpoint.h"

namespace entropic {

absl::StatusOr<ExpertPolicy> SoftOptimalExpert(const std::string& env_id,
                                               double temperature,
                                               uint64_t seed) {
  ASSIGN_OR_RETURN(std::unique_ptr<Environment> env, MakeEnvironment(env_id));
  const TabularModel* model = TabularModelOf(*env);
  if (model == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        env_id, " has no known dynamics: record from a checkpoint instead"));
  }
  ASSIGN_OR_RETURN(
      tabular::FiniteHorizonSolution solution,
      tabular::SoftValueIterationFiniteHorizon(
          model->mdp(), env->info().max_episode_steps, 1.0, temperature));
  auto shared =
      std::make_shared<tabular::FiniteHorizonSolution>(std::move(solution));
  auto rng = std::make_shared<std::mt19937_64>(seed);
  // The model outlives the policy: keep the environment that owns it.
  std::shared_ptr<Environment> owner = std::move(env);
  return ExpertPolicy([shared, rng, owner, model](
                          absl::Span<const float> observation, int step) {
    const int state = model->StateOf(observation);
    std::vector<double> pi(shared->num_actions);
    for (int a = 0; a < shared->num_actions; ++a) {
      pi[a] = shared->Pi(step, state, a);
    }
    return ExpertAction{
        std::discrete_distribution<int>(pi.begin(), pi.end())(*rng), {}};
  });
}

absl::StatusOr<ExpertPolicy> CheckpointExpert(const std::string& run_dir,
                                              bool greedy, uint64_t seed,
                                              std::string* env_id) {
  ASSIGN_OR_RETURN(const RunCheckpoint checkpoint, LoadRunCheckpoint(run_dir));
  ASSIGN_OR_RETURN(std::unique_ptr<Environment> env,
                   MakeEnvironment(checkpoint.spec.env().id()));
  RETURN_IF_ERROR(CheckPolicyFits(checkpoint.policy, env->info()));
  ASSIGN_OR_RETURN(std::shared_ptr<Policy> policy,
                   MakePolicy(checkpoint.policy));
  RETURN_IF_ERROR(policy->Load(checkpoint.weights));
  auto rng = std::make_shared<std::mt19937_64>(seed);
  *env_id = checkpoint.spec.env().id();
  // The policy acts on the calling thread; LibTorch errors surface as
  // exceptions, which RecordEpisodes turns into a status.
  return ExpertPolicy(
      [policy, rng, greedy](absl::Span<const float> observation, int) {
        const ActionBatch actions = policy->Act(observation, 1, greedy, *rng);
        if (!actions.indices.empty()) {
          return ExpertAction{actions.indices[0], {}};
        }
        return ExpertAction{0, actions.values};
      });
}

absl::StatusOr<RecordedEpisodes> RecordEpisodes(const std::string& env_id,
                                                const ExpertPolicy& expert,
                                                int episodes, uint64_t seed) {
  ASSIGN_OR_RETURN(std::unique_ptr<Environment> env, MakeEnvironment(env_id));
  const EnvironmentInfo& info = env->info();
  const bool discrete = info.action_space.kind == Space::Kind::kDiscrete;
  const int64_t action_size = info.action_space.FlatSize();
  const int64_t observation_size = info.observation_space.FlatSize();
  std::vector<float> observations, next_observations, rewards, box_actions;
  std::vector<int64_t> actions;
  std::vector<uint8_t> terminated, truncated;
  std::vector<double> returns;
  EnvRng rng(seed);
  std::vector<float> observation(observation_size);
  for (int episode = 0; episode < episodes; ++episode) {
    env->Reset(rng, absl::MakeSpan(observation));
    double episode_return = 0;
    for (int step = 0;; ++step) {
      ExpertAction action;
      try {
        action = expert(observation, step);
      } catch (const std::exception& e) {
        return InternalFromException("the expert failed", e);
      }
      if (!discrete &&
          static_cast<int64_t>(action.values.size()) != action_size) {
        return absl::InvalidArgumentError(
            absl::StrCat("the expert gave ", action.values.size(),
                         " action values; ", env_id, " takes ", action_size));
      }
      observations.insert(observations.end(), observation.begin(),
                          observation.end());
      const StepResult result = env->Step(
          Action{action.index, action.values}, absl::MakeSpan(observation));
      next_observations.insert(next_observations.end(), observation.begin(),
                               observation.end());
      if (discrete) {
        actions.push_back(action.index);
      } else {
        box_actions.insert(box_actions.end(), action.values.begin(),
                           action.values.end());
      }
      rewards.push_back(static_cast<float>(result.reward));
      terminated.push_back(result.terminated);
      truncated.push_back(result.truncated && !result.terminated);
      episode_return += result.reward;
      if (result.terminated || result.truncated) break;
    }
    returns.push_back(episode_return);
  }
  RecordedEpisodes recorded;
  recorded.episodes = episodes;
  recorded.steps = static_cast<int64_t>(rewards.size());
  const int64_t n = recorded.steps;
  std::vector<int64_t> observation_shape = {n};
  observation_shape.insert(observation_shape.end(),
                           info.observation_space.shape.begin(),
                           info.observation_space.shape.end());
  recorded.arrays["observations"] =
      MakeTensor<float>(observations, observation_shape);
  recorded.arrays["next_observations"] =
      MakeTensor<float>(next_observations, observation_shape);
  recorded.arrays["actions"] =
      discrete ? MakeTensor<int64_t>(actions, {n})
               : MakeTensor<float>(box_actions, {n, action_size});
  recorded.arrays["rewards"] = MakeTensor<float>(rewards, {n});
  recorded.arrays["terminated"] = MakeTensor<uint8_t>(terminated, {n});
  recorded.arrays["truncated"] = MakeTensor<uint8_t>(truncated, {n});
  recorded.arrays["terminated"].set_dtype(v1::DTYPE_BOOL);
  recorded.arrays["truncated"].set_dtype(v1::DTYPE_BOOL);
  if (!returns.empty()) {
    double sum = 0;
    for (double r : returns) sum += r;
    recorded.mean_return = sum / static_cast<double>(returns.size());
    recorded.min_return = *std::min_element(returns.begin(), returns.end());
    recorded.max_return = *std::max_element(returns.begin(), returns.end());
  }
  return recorded;
}

}  // namespace entropic
