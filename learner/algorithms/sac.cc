#include "learner/algorithms/sac.h"

#include <torch/torch.h>

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "actor/policy/weights.h"
#include "common/status_macros.h"
#include "learner/algorithms/checkpoint_files.h"
#include "learner/algorithms/target_networks.h"
#include "learner/device.h"

namespace entropic {
namespace {

std::vector<int64_t> Hidden(const v1::SacSpec& spec) {
  return {spec.hidden().begin(), spec.hidden().end()};
}

std::vector<torch::Tensor> Concat(std::vector<torch::Tensor> a,
                                  const std::vector<torch::Tensor>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

torch::Tensor SacCriticTarget(const torch::Tensor& next_q1,
                              const torch::Tensor& next_q2,
                              const torch::Tensor& next_log_prob,
                              const torch::Tensor& rewards,
                              const torch::Tensor& discounts, double alpha) {
  return rewards +
         discounts * (torch::min(next_q1, next_q2) - alpha * next_log_prob);
}

torch::Tensor SacPolicyLoss(const torch::Tensor& log_prob,
                            const torch::Tensor& q1, const torch::Tensor& q2,
                            double alpha) {
  return (alpha * log_prob - torch::min(q1, q2)).mean();
}

torch::Tensor TemperatureLoss(const torch::Tensor& log_alpha,
                              const torch::Tensor& log_prob,
                              double target_entropy) {
  return -(log_alpha * (log_prob + target_entropy)).mean();
}

absl::StatusOr<std::unique_ptr<SacLearner>> SacLearner::Create(
    const v1::SacSpec& spec, int64_t observation_size,
    const std::vector<float>& action_low,
    const std::vector<float>& action_high, const std::string& device,
    uint64_t seed) {
  ASSIGN_OR_RETURN(const torch::Device torch_device, UsableDevice(device));
  if (action_low.empty() || action_low.size() != action_high.size()) {
    return absl::InvalidArgumentError(
        "env: soft actor-critic needs a box action space");
  }
  v1::TanhGaussianPolicySpec policy;
  policy.set_observation_size(observation_size);
  policy.mutable_hidden()->CopyFrom(spec.hidden());
  for (size_t i = 0; i < action_low.size(); ++i) {
    if (!std::isfinite(action_low[i]) || !std::isfinite(action_high[i]) ||
        !(action_low[i] < action_high[i])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "env: action dimension ", i, " has bounds [", action_low[i], ", ",
          action_high[i], "]; soft actor-critic needs finite, ordered ones"));
    }
    policy.add_action_low(action_low[i]);
    policy.add_action_high(action_high[i]);
  }
  torch::manual_seed(seed);
  return std::unique_ptr<SacLearner>(
      new SacLearner(spec, observation_size, std::move(policy), torch_device));
}

SacLearner::SacLearner(const v1::SacSpec& spec, int64_t observation_size,
                       v1::TanhGaussianPolicySpec policy, torch::Device device)
    : spec_(spec),
      policy_spec_(std::move(policy)),
      device_(device),
      target_entropy_(spec.has_target_entropy()
                          ? spec.target_entropy()
                          : -static_cast<double>(
                                policy_spec_.action_low_size())),
      bounds_(ActionBounds::From(policy_spec_, device)),
      actor_(observation_size, policy_spec_.action_low_size(), Hidden(spec)),
      q1_(observation_size + policy_spec_.action_low_size(), 1, Hidden(spec)),
      q2_(observation_size + policy_spec_.action_low_size(), 1, Hidden(spec)),
      q1_target_(observation_size + policy_spec_.action_low_size(), 1,
                 Hidden(spec)),
      q2_target_(observation_size + policy_spec_.action_low_size(), 1,
                 Hidden(spec)) {
  for (torch::nn::Module* module :
       {static_cast<torch::nn::Module*>(actor_.get()),
        static_cast<torch::nn::Module*>(q1_.get()),
        static_cast<torch::nn::Module*>(q2_.get()),
        static_cast<torch::nn::Module*>(q1_target_.get()),
        static_cast<torch::nn::Module*>(q2_target_.get())}) {
    module->to(device_);
  }
  CopyParameters(*q1_, *q1_target_);
  CopyParameters(*q2_, *q2_target_);
  for (auto& p : q1_target_->parameters()) p.requires_grad_(false);
  for (auto& p : q2_target_->parameters()) p.requires_grad_(false);
  actor_optimizer_ = std::make_unique<torch::optim::Adam>(
      actor_->parameters(), torch::optim::AdamOptions(spec_.actor_lr()));
  critic_optimizer_ = std::make_unique<torch::optim::Adam>(
      Concat(q1_->parameters(), q2_->parameters()),
      torch::optim::AdamOptions(spec_.critic_lr()));
  log_alpha_ = torch::full({1}, std::log(spec_.alpha()),
                           torch::TensorOptions().device(device_))
                   .requires_grad_(!spec_.fixed_alpha());
  if (!spec_.fixed_alpha()) {
    alpha_optimizer_ = std::make_unique<torch::optim::Adam>(
        std::vector<torch::Tensor>{log_alpha_},
        torch::optim::AdamOptions(spec_.alpha_lr()));
  }
}

double SacLearner::temperature() const {
  return std::exp(log_alpha_.item<double>());
}

torch::Tensor SacLearner::Q(Mlp& q, const torch::Tensor& observations,
                            const torch::Tensor& actions) {
  return q->forward(torch::cat({observations, actions}, /*dim=*/1))
      .squeeze(1);
}

std::vector<StatisticSpec> SacLearner::statistics() const {
  std::vector<StatisticSpec> specs = {
      {"loss", "Critic loss of the latest update (both Q networks)"},
      {"policy_loss", "Policy loss alpha log pi - min Q of the latest update"},
      {"q_mean", "Mean Q1(s, a) of the latest batch"},
      {"temperature", "Policy temperature alpha"},
      {"policy_entropy_nats",
       "Entropy of pi(.|s) on the latest batch, -mean log pi of fresh "
       "actions"},
  };
  if (spec_.has_imitation()) {
    AddStatistics(specs,
                  {{"imitation_loss",
                    "-log pi(a_E|s) on the demonstrations of the latest "
                    "batch"}});
  }
  return specs;
}

SamplingPlan SacLearner::sampling() const { return SamplingPlanOf(spec_); }

AlgorithmUpdate SacLearner::Update(const TransitionBatch& batch) {
  const double alpha = temperature();
  AlgorithmUpdate update;

  // The critics, towards the soft target of the current policy.
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    auto [next_mean, next_log_std] = actor_->forward(batch.next_observations);
    const SquashedSample next =
        SampleTanhGaussian(next_mean, next_log_std,
                           torch::randn_like(next_mean), bounds_);
    target = SacCriticTarget(
        Q(q1_target_, batch.next_observations, next.actions),
        Q(q2_target_, batch.next_observations, next.actions), next.log_probs,
        batch.rewards, batch.discounts, alpha);
  }
  const torch::Tensor q1 = Q(q1_, batch.observations, batch.actions);
  const torch::Tensor q2 = Q(q2_, batch.observations, batch.actions);
  const torch::Tensor critic_loss =
      (batch.weights * ((q1 - target).pow(2) + (q2 - target).pow(2))).mean();
  critic_optimizer_->zero_grad();
  critic_loss.backward();
  if (spec_.max_grad_norm() > 0) {
    torch::nn::utils::clip_grad_norm_(
        Concat(q1_->parameters(), q2_->parameters()), spec_.max_grad_norm());
  }
  critic_optimizer_->step();

  // The policy, through fresh reparameterised actions.
  auto [mean, log_std] = actor_->forward(batch.observations);
  const SquashedSample fresh =
      SampleTanhGaussian(mean, log_std, torch::randn_like(mean), bounds_);
  torch::Tensor policy_loss =
      SacPolicyLoss(fresh.log_probs, Q(q1_, batch.observations, fresh.actions),
                    Q(q2_, batch.observations, fresh.actions), alpha);
  const torch::Tensor policy_only = policy_loss.detach();
  if (spec_.has_imitation() && batch.from_demonstrations.defined()) {
    const torch::Tensor is_demonstration =
        batch.from_demonstrations.to(device_, torch::kFloat32);
    const double demonstrations = is_demonstration.sum().item<double>();
    if (demonstrations > 0) {
      const torch::Tensor expert_log_prob = TanhGaussianLogProb(
          mean, log_std, UnsquashFromBounds(batch.actions, bounds_), bounds_);
      const torch::Tensor supervised =
          -(expert_log_prob * is_demonstration).sum() / demonstrations;
      policy_loss = policy_loss + spec_.imitation().weight() * supervised;
      update.statistics["imitation_loss"] = supervised.item<double>();
    }
  }
  actor_optimizer_->zero_grad();
  policy_loss.backward();
  if (spec_.max_grad_norm() > 0) {
    torch::nn::utils::clip_grad_norm_(actor_->parameters(),
                                      spec_.max_grad_norm());
  }
  actor_optimizer_->step();

  const torch::Tensor log_prob = fresh.log_probs.detach();
  if (alpha_optimizer_) {
    const torch::Tensor alpha_loss =
        TemperatureLoss(log_alpha_, log_prob, target_entropy_);
    alpha_optimizer_->zero_grad();
    alpha_loss.backward();
    alpha_optimizer_->step();
  }
  PolyakUpdate(*q1_, *q1_target_, spec_.polyak());
  PolyakUpdate(*q2_, *q2_target_, spec_.polyak());
  ++updates_;

  update.statistics["loss"] = critic_loss.item<double>();
  update.statistics["policy_loss"] = policy_only.item<double>();
  update.statistics["q_mean"] = q1.detach().mean().item<double>();
  update.statistics["temperature"] = temperature();
  update.statistics["policy_entropy_nats"] = -log_prob.mean().item<double>();
  update.priorities = (q1.detach() - target).abs().to(torch::kCPU);
  return update;
}

torch::Tensor SacLearner::LogPolicy(const torch::Tensor& observations,
                                    const torch::Tensor& actions) {
  torch::NoGradGuard no_grad;
  auto [mean, log_std] = actor_->forward(observations);
  return TanhGaussianLogProb(mean, log_std,
                             UnsquashFromBounds(actions, bounds_), bounds_);
}

v1::PolicySpec SacLearner::policy() const {
  v1::PolicySpec policy;
  *policy.mutable_tanh_gaussian() = policy_spec_;
  return policy;
}

v1::Weights SacLearner::Weights() const {
  return WeightsFromModule(*actor_, /*job_id=*/"", /*version=*/0,
                           temperature());
}

absl::Status SacLearner::Save(const std::string& directory) const {
  CheckpointFiles files(directory);
  files.Save("sac_actor.pt", actor_);
  files.Save("sac_q1.pt", q1_);
  files.Save("sac_q2.pt", q2_);
  files.Save("sac_q1_target.pt", q1_target_);
  files.Save("sac_q2_target.pt", q2_target_);
  files.Save("sac_actor_optimizer.pt", *actor_optimizer_);
  files.Save("sac_critic_optimizer.pt", *critic_optimizer_);
  if (alpha_optimizer_) files.Save("sac_alpha_optimizer.pt", *alpha_optimizer_);
  files.SaveState("sac_state.pt", log_alpha_, updates_);
  return files.status();
}

absl::Status SacLearner::Load(const std::string& directory) {
  CheckpointFiles files(directory, device_);
  files.Load("sac_actor.pt", actor_);
  files.Load("sac_q1.pt", q1_);
  files.Load("sac_q2.pt", q2_);
  files.Load("sac_q1_target.pt", q1_target_);
  files.Load("sac_q2_target.pt", q2_target_);
  files.Load("sac_actor_optimizer.pt", *actor_optimizer_);
  files.Load("sac_critic_optimizer.pt", *critic_optimizer_);
  if (alpha_optimizer_) files.Load("sac_alpha_optimizer.pt", *alpha_optimizer_);
  files.LoadState("sac_state.pt", log_alpha_, updates_);
  return files.status();
}

}  // namespace entropic
