#include "learner/reward_models/adversarial_reward.h"

#include <torch/torch.h>

#include "absl/strings/str_cat.h"

namespace entropic {

absl::StatusOr<std::unique_ptr<AdversarialReward>> AdversarialReward::Create(
    const v1::AdversarialSpec& spec, double gamma, const EnvironmentInfo& env,
    const torch::Device& device, const std::string& field) {
  std::unique_ptr<AdversarialReward> model(
      new AdversarialReward(spec, gamma, env, device));
  if (model->frozen()) {
    const absl::Status loaded =
        model->discriminator_.Load(spec.reward_checkpoint());
    if (!loaded.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".reward_checkpoint: ", loaded.message()));
    }
  }
  return model;
}

AdversarialReward::AdversarialReward(const v1::AdversarialSpec& spec,
                                     double gamma, const EnvironmentInfo& env,
                                     const torch::Device& device)
    : spec_(spec),
      discriminator_(spec, gamma, env.observation_space.FlatSize(),
                     env.action_space, device) {}

std::vector<StatisticSpec> AdversarialReward::statistics() const {
  if (frozen()) {
    return {{"learned_reward_mean",
             "Mean learned reward handed to the policy on the latest batch"}};
  }
  return {
      {"discriminator_loss", "Discriminator logistic loss, latest batch"},
      {"discriminator_accuracy",
       "Share of the latest batch the discriminator classified right"},
      {"learned_reward_mean",
       "Mean learned reward handed to the policy on the latest batch"},
      {"learned_reward_std",
       "Standard deviation of the learned reward on the latest batch"},
  };
}

Statistics AdversarialReward::Process(TransitionBatch& batch,
                                      Algorithm& algorithm) {
  if (frozen()) {
    batch.rewards =
        discriminator_.StateActionReward(batch.observations, batch.actions);
    return {{"learned_reward_mean", batch.rewards.mean().item<double>()}};
  }
  const DiscriminatorUpdate update = discriminator_.Update(
      batch, algorithm.LogPolicy(batch.observations, batch.actions));
  batch.rewards = update.rewards;
  return {{"discriminator_loss", update.loss},
          {"discriminator_accuracy", update.accuracy},
          {"learned_reward_mean", update.reward_mean},
          {"learned_reward_std", update.reward_std}};
}

absl::Status AdversarialReward::Save(const std::string& directory) const {
  if (frozen()) return absl::OkStatus();
  return discriminator_.Save(directory);
}

absl::Status AdversarialReward::Load(const std::string& directory) {
  if (frozen()) return absl::OkStatus();
  return discriminator_.Load(directory);
}

}  // namespace entropic
