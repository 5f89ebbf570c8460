#ifndef ENTROPIC_LEARNER_REWARD_MODELS_FACTORY_H_
#define ENTROPIC_LEARNER_REWARD_MODELS_FACTORY_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "common/env/environment.h"
#include "entropic/v1/job_spec.pb.h"
#include "learner/reward_models/reward_model.h"

namespace entropic {

// The reward models of `spec`, in the order they process each batch (an
// adversarial discriminator first: it replaces the rewards that later
// models add to). Empty for a job that learns from the environment's reward
// alone. InvalidArgument naming the field for a model that cannot be built
// (a reward_checkpoint that does not load).
absl::StatusOr<std::vector<std::unique_ptr<RewardModel>>> MakeRewardModels(
    const v1::JobSpec& spec, const EnvironmentInfo& env,
    const torch::Device& device);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_REWARD_MODELS_FACTORY_H_
