#include "learner/algorithms/factory.h"

#include "learner/algorithms/bootstrapped_soft_q.h"
#include "learner/algorithms/sac.h"
#include "learner/algorithms/soft_q.h"

namespace entropic {

absl::StatusOr<std::unique_ptr<Algorithm>> MakeAlgorithm(
    const v1::JobSpec& spec, const EnvironmentInfo& env,
    const std::string& device) {
  const int64_t observation_size = env.observation_space.FlatSize();
  switch (spec.algorithm().algorithm_case()) {
    case v1::AlgorithmSpec::kSoftQ:
      if (spec.exploration().has_bootstrapped_heads()) {
        return BootstrappedSoftQLearner::Create(
            spec.algorithm().soft_q(), spec.exploration().bootstrapped_heads(),
            observation_size, env.action_space.num_actions, device,
            spec.seed());
      }
      return SoftQLearner::Create(spec.algorithm().soft_q(), observation_size,
                                  env.action_space.num_actions, device,
                                  spec.seed());
    case v1::AlgorithmSpec::kSac:
      return SacLearner::Create(spec.algorithm().sac(), observation_size,
                                env.action_space.low, env.action_space.high,
                                device, spec.seed());
    default:
      return absl::InvalidArgumentError(
          "algorithm: no learner trains this algorithm on batches");
  }
}

}  // namespace entropic
