#include "learner/algorithms/bootstrapped_soft_q.h"

#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "actor/policy/boltzmann_policy.h"
#include "actor/policy/weights.h"
#include "common/replay_columns.h"
#include "common/status_macros.h"
#include "learner/algorithms/checkpoint_files.h"
#include "learner/algorithms/lazy_adam.h"
#include "learner/algorithms/target_networks.h"
#include "learner/device.h"

namespace entropic {
namespace {

std::vector<int64_t> Hidden(const v1::SoftQSpec& spec) {
  return {spec.hidden().begin(), spec.hidden().end()};
}

}  // namespace

torch::Tensor BootstrappedSoftBellmanTargets(const torch::Tensor& next_q_target,
                                             const torch::Tensor& rewards,
                                             const torch::Tensor& discounts,
                                             double alpha) {
  const torch::Tensor values =
      alpha * torch::logsumexp(next_q_target / alpha, /*dim=*/2);
  return rewards.unsqueeze(1) + discounts.unsqueeze(1) * values;
}

torch::Tensor BootstrappedLoss(const torch::Tensor& q_taken,
                               const torch::Tensor& targets,
                               const torch::Tensor& masks,
                               const torch::Tensor& weights,
                               double huber_delta) {
  const torch::Tensor per_pair = torch::nn::functional::huber_loss(
      q_taken, targets,
      torch::nn::functional::HuberLossFuncOptions()
          .delta(huber_delta)
          .reduction(torch::kNone));
  const torch::Tensor kept = masks.sum(/*dim=*/0).clamp_min(1.0);  // [K]
  return ((per_pair * masks * weights.unsqueeze(1)).sum(/*dim=*/0) / kept)
      .sum();
}

absl::StatusOr<std::unique_ptr<BootstrappedSoftQLearner>>
BootstrappedSoftQLearner::Create(const v1::SoftQSpec& spec,
                                 const v1::BootstrappedHeadsSpec& heads,
                                 int64_t observation_size, int64_t num_actions,
                                 const std::string& device, uint64_t seed) {
  ASSIGN_OR_RETURN(const torch::Device torch_device, UsableDevice(device));
  torch::manual_seed(seed);
  return std::unique_ptr<BootstrappedSoftQLearner>(new BootstrappedSoftQLearner(
      spec, heads, observation_size, num_actions, torch_device));
}

BootstrappedSoftQLearner::BootstrappedSoftQLearner(
    const v1::SoftQSpec& spec, const v1::BootstrappedHeadsSpec& heads,
    int64_t observation_size, int64_t num_actions, torch::Device device)
    : spec_(spec),
      heads_(heads),
      device_(device),
      observation_size_(observation_size),
      num_actions_(num_actions),
      online_(observation_size, num_actions, Hidden(spec), heads.heads(),
              heads.prior_scale()),
      target_(observation_size, num_actions, Hidden(spec), heads.heads(),
              heads.prior_scale()) {
  online_->to(device_);
  target_->to(device_);
  // The target starts as the online network, priors included.
  CopyParameters(*online_, *target_);
  for (auto& parameter : target_->parameters()) parameter.requires_grad_(false);
  // LazyAdam: on one-hot observations (DeepSea) the first layer's gradient
  // is sparse, and only the rows a batch touched are updated.
  optimizer_ = std::make_unique<LazyAdam>(
      online_->TrainedParameters(), torch::optim::AdamOptions(spec_.lr()));
}

torch::Tensor BootstrappedSoftQLearner::LogPolicy(
    const torch::Tensor& observations, const torch::Tensor& actions) {
  torch::NoGradGuard no_grad;
  return torch::log_softmax(online_->forward(observations).mean(1) /
                                spec_.alpha(),
                            1)
      .gather(1, actions.unsqueeze(1))
      .squeeze(1);
}

BootstrappedSoftQUpdate BootstrappedSoftQLearner::Step(
    const TransitionBatch& batch) {
  auto found = batch.extra.find(kBootstrapMaskColumn);
  TORCH_CHECK(found != batch.extra.end(),
              "the batch has no \"", kBootstrapMaskColumn,
              "\" column: bootstrapped heads need the actors' masks");
  const int64_t b = batch.observations.size(0);
  const int64_t k = online_->heads();
  const torch::Tensor masks =
      found->second.to(device_, torch::kFloat32).reshape({b, k});
  const double alpha = spec_.alpha();
  torch::Tensor targets;
  {
    torch::NoGradGuard no_grad;
    targets = BootstrappedSoftBellmanTargets(
        target_->forward(batch.next_observations), batch.rewards,
        batch.discounts, alpha);
  }
  const torch::Tensor q_all = online_->forward(batch.observations);  // [B,K,A]
  const torch::Tensor q_taken =
      q_all.gather(2, batch.actions.view({b, 1, 1}).expand({b, k, 1}))
          .squeeze(2);  // [B, K]
  const torch::Tensor loss = BootstrappedLoss(q_taken, targets, masks,
                                              batch.weights,
                                              spec_.huber_delta());
  optimizer_->zero_grad();
  loss.backward();
  if (spec_.max_grad_norm() > 0) {
    online_->ClipGradNormPerHead(spec_.max_grad_norm());
  }
  optimizer_->step();
  ++updates_;
  FollowTargetRule(spec_.target_update(), updates_, *online_, *target_);

  BootstrappedSoftQUpdate result;
  const torch::Tensor q = q_taken.detach();
  result.loss = loss.item<double>() / static_cast<double>(k);
  result.q_mean = q.mean().item<double>();
  result.disagreement =
      (q - q.mean(/*dim=*/1, /*keepdim=*/true)).pow(2).mean(1).sqrt().mean()
          .item<double>();
  result.mask_fraction = masks.mean().item<double>();
  result.entropy =
      BoltzmannEntropy(q_all.detach().reshape({b * k, -1}), alpha)
          .mean()
          .item<double>();
  result.temperature = alpha;
  result.td_errors = (q - targets).abs().mean(/*dim=*/1).to(torch::kCPU);
  return result;
}

std::vector<StatisticSpec> BootstrappedSoftQLearner::statistics() const {
  return {
      {"loss", "Mean over heads of the masked Q loss of the latest update"},
      {"q_mean", "Mean Q_k(s, a) over heads on the latest batch"},
      {"bootstrap_head_disagreement",
       "Mean over the latest batch of the standard deviation of Q_k(s, a) "
       "across heads"},
      {"bootstrap_mask_fraction",
       "Share of the latest batch's (transition, head) pairs the masks keep"},
      {"temperature", "Policy temperature alpha"},
      {"policy_entropy_nats",
       "Mean entropy of the heads' pi(.|s) on the latest batch"},
  };
}

SamplingPlan BootstrappedSoftQLearner::sampling() const {
  return SamplingPlanOf(spec_);
}

AlgorithmUpdate BootstrappedSoftQLearner::Update(const TransitionBatch& batch) {
  const BootstrappedSoftQUpdate step = Step(batch);
  AlgorithmUpdate update;
  update.statistics = {{"loss", step.loss},
                       {"q_mean", step.q_mean},
                       {"bootstrap_head_disagreement", step.disagreement},
                       {"bootstrap_mask_fraction", step.mask_fraction},
                       {"temperature", step.temperature},
                       {"policy_entropy_nats", step.entropy}};
  update.priorities = step.td_errors;
  return update;
}

v1::PolicySpec BootstrappedSoftQLearner::policy() const {
  v1::PolicySpec policy;
  v1::BootstrappedQPolicySpec& heads = *policy.mutable_bootstrapped_q();
  heads.set_observation_size(observation_size_);
  heads.set_num_actions(num_actions_);
  heads.mutable_hidden()->CopyFrom(spec_.hidden());
  heads.set_heads(heads_.heads());
  heads.set_prior_scale(heads_.prior_scale());
  heads.set_mask_probability(heads_.mask_probability());
  return policy;
}

v1::Weights BootstrappedSoftQLearner::Weights() const {
  return WeightsFromModule(*online_, /*job_id=*/"", /*version=*/0,
                           spec_.alpha());
}

absl::Status BootstrappedSoftQLearner::Save(
    const std::string& directory) const {
  CheckpointFiles files(directory);
  files.Save("q_network.pt", online_);
  files.Save("q_target.pt", target_);
  files.Save("optimizer.pt", *optimizer_);
  files.SaveState("state.pt", torch::full({1}, std::log(spec_.alpha())),
                  updates_);
  return files.status();
}

absl::Status BootstrappedSoftQLearner::Load(const std::string& directory) {
  CheckpointFiles files(directory, device_);
  files.Load("q_network.pt", online_);
  files.Load("q_target.pt", target_);
  files.Load("optimizer.pt", *optimizer_);
  torch::Tensor log_alpha = torch::zeros({1});
  files.LoadState("state.pt", log_alpha, updates_);
  return files.status();
}

}  // namespace entropic
