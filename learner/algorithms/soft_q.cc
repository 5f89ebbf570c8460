#include "learner/algorithms/soft_q.h"

#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "actor/policy/boltzmann_policy.h"
#include "actor/policy/weights.h"
#include "common/status_macros.h"
#include "learner/algorithms/checkpoint_files.h"
#include "learner/algorithms/target_networks.h"
#include "learner/device.h"

namespace entropic {
namespace {

std::vector<int64_t> Hidden(const v1::SoftQSpec& spec) {
  return {spec.hidden().begin(), spec.hidden().end()};
}

}  // namespace

torch::Tensor SoftBellmanTarget(const torch::Tensor& next_q_target,
                                const torch::Tensor& rewards,
                                const torch::Tensor& discounts, double alpha) {
  return rewards + discounts * SoftValue(next_q_target, alpha);
}

torch::Tensor ImitationLoss(const torch::Tensor& q,
                            const torch::Tensor& expert_actions, double alpha,
                            const v1::ImitationSpec& spec) {
  const torch::Tensor taken = expert_actions.unsqueeze(1);
  if (spec.loss() == v1::ImitationSpec::LARGE_MARGIN) {
    const torch::Tensor margins =
        torch::full_like(q, spec.margin()).scatter_(1, taken, 0.0);
    return std::get<0>((q + margins).max(1)) - q.gather(1, taken).squeeze(1);
  }
  return -torch::log_softmax(q / alpha, 1).gather(1, taken).squeeze(1);
}

absl::StatusOr<std::unique_ptr<SoftQLearner>> SoftQLearner::Create(
    const v1::SoftQSpec& spec, int64_t observation_size, int64_t num_actions,
    const std::string& device, uint64_t seed) {
  ASSIGN_OR_RETURN(const torch::Device torch_device, UsableDevice(device));
  torch::manual_seed(seed);
  return std::unique_ptr<SoftQLearner>(
      new SoftQLearner(spec, observation_size, num_actions, torch_device));
}

SoftQLearner::SoftQLearner(const v1::SoftQSpec& spec, int64_t observation_size,
                           int64_t num_actions, torch::Device device)
    : spec_(spec),
      device_(device),
      observation_size_(observation_size),
      num_actions_(num_actions),
      online_(observation_size, num_actions, Hidden(spec)),
      target_(observation_size, num_actions, Hidden(spec)) {
  online_->to(device_);
  target_->to(device_);
  CopyParameters(*online_, *target_);
  for (auto& parameter : target_->parameters()) parameter.requires_grad_(false);
  optimizer_ = std::make_unique<torch::optim::Adam>(
      online_->parameters(), torch::optim::AdamOptions(spec_.lr()));
  log_alpha_ = torch::full({1}, std::log(spec_.alpha()),
                           torch::TensorOptions().device(device_))
                   .requires_grad_(spec_.has_auto_alpha());
  if (spec_.has_auto_alpha()) {
    alpha_optimizer_ = std::make_unique<torch::optim::Adam>(
        std::vector<torch::Tensor>{log_alpha_},
        torch::optim::AdamOptions(spec_.auto_alpha().lr()));
  }
}

torch::Tensor SoftQLearner::LogPolicy(const torch::Tensor& observations,
                                      const torch::Tensor& actions) {
  torch::NoGradGuard no_grad;
  return torch::log_softmax(online_->forward(observations) / temperature(), 1)
      .gather(1, actions.unsqueeze(1))
      .squeeze(1);
}

double SoftQLearner::temperature() const {
  return std::exp(log_alpha_.item<double>());
}

SoftQUpdate SoftQLearner::Step(const TransitionBatch& batch) {
  const double alpha = temperature();
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    target = SoftBellmanTarget(target_->forward(batch.next_observations),
                               batch.rewards, batch.discounts, alpha);
  }
  const torch::Tensor q_all = online_->forward(batch.observations);
  const torch::Tensor q_taken =
      q_all.gather(1, batch.actions.unsqueeze(1)).squeeze(1);
  const torch::Tensor per_transition = torch::nn::functional::huber_loss(
      q_taken, target,
      torch::nn::functional::HuberLossFuncOptions()
          .delta(spec_.huber_delta())
          .reduction(torch::kNone));
  torch::Tensor loss = (batch.weights * per_transition).mean();
  SoftQUpdate result;
  const v1::ImitationSpec& imitation = spec_.imitation();
  if (spec_.has_imitation() && batch.from_demonstrations.defined()) {
    const torch::Tensor is_demonstration =
        batch.from_demonstrations.to(device_, torch::kFloat32);
    const double demonstrations = is_demonstration.sum().item<double>();
    if (demonstrations > 0) {
      const torch::Tensor supervised =
          (ImitationLoss(q_all, batch.actions, alpha, imitation) *
           is_demonstration)
              .sum() /
          demonstrations;
      loss = loss + imitation.weight() * supervised;
      result.imitation_loss = supervised.item<double>();
      const torch::Tensor agrees =
          (std::get<1>(q_all.detach().max(1)) == batch.actions)
              .to(torch::kFloat32);
      result.expert_agreement =
          (agrees * is_demonstration).sum().item<double>() / demonstrations;
    }
  }
  optimizer_->zero_grad();
  loss.backward();
  if (spec_.max_grad_norm() > 0) {
    torch::nn::utils::clip_grad_norm_(online_->parameters(),
                                      spec_.max_grad_norm());
  }
  optimizer_->step();
  ++updates_;

  FollowTargetRule(spec_.target_update(), updates_, *online_, *target_);

  const torch::Tensor entropy = BoltzmannEntropy(q_all.detach(), alpha).mean();
  if (alpha_optimizer_) {
    // Lowers alpha while the policy is more random than the target, and
    // raises it while it is less.
    const torch::Tensor alpha_loss =
        (log_alpha_ * (entropy - spec_.auto_alpha().target_entropy())).sum();
    alpha_optimizer_->zero_grad();
    alpha_loss.backward();
    alpha_optimizer_->step();
  }

  result.loss = loss.item<double>();
  result.q_mean = q_taken.detach().mean().item<double>();
  result.entropy = entropy.item<double>();
  result.temperature = temperature();
  result.td_errors = (q_taken.detach() - target).abs().to(torch::kCPU);
  return result;
}

std::vector<StatisticSpec> SoftQLearner::statistics() const {
  std::vector<StatisticSpec> specs = {
      {"loss", "Q loss of the latest update"},
      {"q_mean", "Mean Q(s, a) of the latest batch"},
      {"temperature", "Policy temperature alpha"},
      {"policy_entropy_nats", "Mean entropy of pi(.|s) on the latest batch"},
  };
  if (spec_.has_imitation()) {
    AddStatistics(
        specs,
        {{"imitation_loss",
          "Supervised loss on the demonstrations of the latest batch"},
         {"expert_action_agreement",
          "Share of demonstration states where argmax Q is the expert's "
          "action"}});
  }
  return specs;
}

SamplingPlan SoftQLearner::sampling() const { return SamplingPlanOf(spec_); }

AlgorithmUpdate SoftQLearner::Update(const TransitionBatch& batch) {
  const SoftQUpdate step = Step(batch);
  AlgorithmUpdate update;
  update.statistics = {{"loss", step.loss},
                       {"q_mean", step.q_mean},
                       {"temperature", step.temperature},
                       {"policy_entropy_nats", step.entropy}};
  if (step.imitation_loss >= 0) {
    update.statistics["imitation_loss"] = step.imitation_loss;
    update.statistics["expert_action_agreement"] = step.expert_agreement;
  }
  update.priorities = step.td_errors;
  return update;
}

v1::PolicySpec SoftQLearner::policy() const {
  v1::PolicySpec policy;
  v1::BoltzmannPolicySpec& boltzmann = *policy.mutable_boltzmann();
  boltzmann.set_observation_size(observation_size_);
  boltzmann.set_num_actions(num_actions_);
  boltzmann.mutable_hidden()->CopyFrom(spec_.hidden());
  return policy;
}

v1::Weights SoftQLearner::Weights() const {
  return WeightsFromModule(*online_, /*job_id=*/"", /*version=*/0,
                           temperature());
}

absl::Status SoftQLearner::Save(const std::string& directory) const {
  CheckpointFiles files(directory);
  files.Save("q_network.pt", online_);
  files.Save("q_target.pt", target_);
  files.Save("optimizer.pt", *optimizer_);
  files.SaveState("state.pt", log_alpha_, updates_);
  if (alpha_optimizer_) files.Save("alpha_optimizer.pt", *alpha_optimizer_);
  return files.status();
}

absl::Status SoftQLearner::Load(const std::string& directory) {
  CheckpointFiles files(directory, device_);
  files.Load("q_network.pt", online_);
  files.Load("q_target.pt", target_);
  files.Load("optimizer.pt", *optimizer_);
  files.LoadState("state.pt", log_alpha_, updates_);
  if (alpha_optimizer_) files.Load("alpha_optimizer.pt", *alpha_optimizer_);
  return files.status();
}

}  // namespace entropic
