#include "learner/reward_models/discriminator.h"

#include <torch/torch.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace entropic {
namespace {

std::vector<int64_t> Hidden(const v1::AdversarialSpec& spec) {
  return {spec.hidden().begin(), spec.hidden().end()};
}

bool IsAirl(const v1::AdversarialSpec& spec) {
  return spec.kind() == v1::AdversarialSpec::AIRL;
}

}  // namespace

torch::Tensor DiscriminatorLogit(v1::AdversarialSpec::Kind kind,
                                 const torch::Tensor& g_or_c,
                                 const torch::Tensor& h,
                                 const torch::Tensor& next_h,
                                 const torch::Tensor& discount,
                                 const torch::Tensor& log_pi) {
  if (kind != v1::AdversarialSpec::AIRL) return g_or_c;
  return g_or_c + discount * next_h - h - log_pi;
}

torch::Tensor DiscriminatorLoss(const torch::Tensor& logit,
                                const torch::Tensor& is_demonstration) {
  const torch::Tensor expert = is_demonstration.to(torch::kFloat32);
  const torch::Tensor agent = 1 - expert;
  // -log D = softplus(-logit); -log(1 - D) = softplus(logit).
  const torch::Tensor expert_loss =
      (torch::softplus(-logit) * expert).sum() / expert.sum().clamp_min(1);
  const torch::Tensor agent_loss =
      (torch::softplus(logit) * agent).sum() / agent.sum().clamp_min(1);
  return expert_loss + agent_loss;
}

Discriminator::Discriminator(const v1::AdversarialSpec& spec, double gamma,
                             int64_t observation_size,
                             const Space& action_space,
                             const torch::Device& device)
    : spec_(spec),
      gamma_(gamma),
      device_(device),
      discrete_(action_space.kind == Space::Kind::kDiscrete),
      g_(discrete_ ? observation_size
                   : observation_size + action_space.FlatSize(),
         discrete_ ? action_space.num_actions : 1, Hidden(spec)),
      h_(observation_size, 1, Hidden(spec)) {
  g_->to(device);
  h_->to(device);
  std::vector<torch::Tensor> parameters = g_->parameters();
  if (IsAirl(spec_)) {
    for (const torch::Tensor& p : h_->parameters()) parameters.push_back(p);
  }
  optimizer_ = std::make_unique<torch::optim::Adam>(
      parameters, torch::optim::AdamOptions(spec_.lr()));
}

torch::Tensor Discriminator::StateAction(const torch::Tensor& observations,
                                         const torch::Tensor& actions) {
  if (discrete_) {
    return g_->forward(observations).gather(1, actions.unsqueeze(1)).squeeze(1);
  }
  return g_->forward(torch::cat({observations, actions}, /*dim=*/1)).squeeze(1);
}

torch::Tensor Discriminator::Logit(const TransitionBatch& batch,
                                   const torch::Tensor& log_pi) {
  const torch::Tensor g_or_c = StateAction(batch.observations, batch.actions);
  if (!IsAirl(spec_)) {
    return DiscriminatorLogit(spec_.kind(), g_or_c, {}, {}, {}, {});
  }
  // The shaping term's discount: gamma, or 0 past a terminal state.
  const torch::Tensor discount = gamma_ * (1 - batch.terminated);
  return DiscriminatorLogit(
      spec_.kind(), g_or_c, h_->forward(batch.observations).squeeze(1),
      h_->forward(batch.next_observations).squeeze(1), discount, log_pi);
}

DiscriminatorUpdate Discriminator::Update(const TransitionBatch& batch,
                                          const torch::Tensor& log_pi) {
  const torch::Tensor is_demonstration =
      batch.from_demonstrations.to(batch.observations.device());
  const torch::Tensor logit = Logit(batch, log_pi);
  const torch::Tensor loss = DiscriminatorLoss(logit, is_demonstration);
  optimizer_->zero_grad();
  loss.backward();
  optimizer_->step();

  DiscriminatorUpdate update;
  torch::NoGradGuard no_grad;
  update.loss = loss.item<double>();
  const torch::Tensor expert = is_demonstration.to(torch::kFloat32);
  const torch::Tensor d = torch::sigmoid(logit.detach());
  const torch::Tensor right =
      ((d > 0.5).to(torch::kFloat32) == expert).to(torch::kFloat32);
  update.accuracy = right.mean().item<double>();
  const double experts = expert.sum().item<double>();
  const double agents = expert.numel() - experts;
  update.expert_d =
      experts > 0 ? (d * expert).sum().item<double>() / experts : 0;
  update.agent_d =
      agents > 0 ? (d * (1 - expert)).sum().item<double>() / agents : 0;

  // The reward after the step.
  const torch::Tensor new_logit = Logit(batch, log_pi);
  torch::Tensor reward;
  switch (spec_.reward()) {
    case v1::AdversarialSpec::F:
      reward = new_logit + log_pi;  // f = logit + log pi
      break;
    case v1::AdversarialSpec::SURVIVAL:
      reward = torch::softplus(new_logit);  // -log(1 - D)
      break;
    default:
      reward = new_logit;
      break;
  }
  update.rewards = (reward * spec_.reward_scale()).to(torch::kFloat32);
  update.reward_mean = update.rewards.mean().item<double>();
  update.reward_std = update.rewards.std().item<double>();
  return update;
}

torch::Tensor Discriminator::StateActionReward(
    const torch::Tensor& observations, const torch::Tensor& actions) {
  torch::NoGradGuard no_grad;
  return StateAction(observations, actions) * spec_.reward_scale();
}

absl::Status Discriminator::Save(const std::string& directory) const {
  try {
    torch::save(g_, directory + "/discriminator_g.pt");
    torch::save(h_, directory + "/discriminator_h.pt");
    torch::save(*optimizer_, directory + "/discriminator_optimizer.pt");
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("saving the discriminator to ",
                                            directory, ": ", e.what()));
  }
  return absl::OkStatus();
}

absl::Status Discriminator::Load(const std::string& directory) {
  try {
    torch::load(g_, directory + "/discriminator_g.pt", device_);
    torch::load(h_, directory + "/discriminator_h.pt", device_);
    torch::load(*optimizer_, directory + "/discriminator_optimizer.pt",
                device_);
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "loading the discriminator in ", directory, ": ", e.what()));
  }
  return absl::OkStatus();
}

}  // namespace entropic
