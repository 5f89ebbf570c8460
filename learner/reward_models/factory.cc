#include "learner/reward_models/factory.h"

#include <string>

#include "common/status_macros.h"
#include "learner/reward_models/adversarial_reward.h"
#include "learner/reward_models/hashed_count_bonus.h"

namespace entropic {
namespace {

// The adversarial part of the job's algorithm, its discount and its field
// path; nullptr for an algorithm without one.
const v1::AdversarialSpec* AdversarialOf(const v1::AlgorithmSpec& algorithm,
                                         double* gamma, std::string* field) {
  switch (algorithm.algorithm_case()) {
    case v1::AlgorithmSpec::kSoftQ:
      if (!algorithm.soft_q().has_adversarial()) return nullptr;
      *gamma = algorithm.soft_q().gamma();
      *field = "algorithm.soft_q.adversarial";
      return &algorithm.soft_q().adversarial();
    case v1::AlgorithmSpec::kSac:
      if (!algorithm.sac().has_adversarial()) return nullptr;
      *gamma = algorithm.sac().gamma();
      *field = "algorithm.sac.adversarial";
      return &algorithm.sac().adversarial();
    default:
      return nullptr;
  }
}

}  // namespace

absl::StatusOr<std::vector<std::unique_ptr<RewardModel>>> MakeRewardModels(
    const v1::JobSpec& spec, const EnvironmentInfo& env,
    const torch::Device& device) {
  std::vector<std::unique_ptr<RewardModel>> models;
  double gamma = 0;
  std::string field;
  if (const v1::AdversarialSpec* adversarial =
          AdversarialOf(spec.algorithm(), &gamma, &field)) {
    ASSIGN_OR_RETURN(
        std::unique_ptr<AdversarialReward> model,
        AdversarialReward::Create(*adversarial, gamma, env, device, field));
    models.push_back(std::move(model));
  }
  // Exploration bonuses, in ExplorationSpec's order, add to the rewards.
  if (spec.exploration().has_hashed_counts()) {
    models.push_back(
        std::make_unique<HashedCountBonus>(spec.exploration().hashed_counts()));
  }
  return models;
}

}  // namespace entropic
