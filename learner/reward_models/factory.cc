#include "learner/reward_models/factory.h"

#include <string>

#include "common/status_macros.h"
#include "learner/reward_models/adversarial_reward.h"
#include "learner/reward_models/forward_model_bonus.h"
#include "learner/reward_models/hashed_count_bonus.h"
#include "learner/reward_models/pseudo_count_bonus.h"
#include "learner/reward_models/rnd_bonus.h"

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
  // Exploration bonuses add to the rewards, in ExplorationSpec's order.
  const v1::ExplorationSpec& exploration = spec.exploration();
  if (exploration.has_rnd()) {
    models.push_back(
        std::make_unique<RndBonus>(exploration.rnd(), env, device));
  }
  if (exploration.has_hashed_counts()) {
    models.push_back(
        std::make_unique<HashedCountBonus>(exploration.hashed_counts()));
  }
  if (exploration.has_pseudo_counts()) {
    ASSIGN_OR_RETURN(std::unique_ptr<PseudoCountBonus> model,
                     PseudoCountBonus::Create(exploration.pseudo_counts(), env,
                                              "exploration.pseudo_counts"));
    models.push_back(std::move(model));
  }
  if (exploration.has_forward_model()) {
    models.push_back(std::make_unique<ForwardModelBonus>(
        exploration.forward_model(), env, device));
  }
  return models;
}

}  // namespace entropic
