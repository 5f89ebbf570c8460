#ifndef ENTROPIC_LEARNER_ALGORITHMS_SAC_H_
#define ENTROPIC_LEARNER_ALGORITHMS_SAC_H_

#include <torch/optim/adam.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "actor/policy/mlp.h"
#include "actor/policy/tanh_gaussian.h"
#include "entropic/v1/job_spec.pb.h"
#include "learner/algorithms/algorithm.h"

namespace entropic {

// The soft actor-critic target of the twin critics (the notes' soft
// Bellman backup with the policy's entropy):
//   y = r + d (min(Q1'(s', a'), Q2'(s', a')) - alpha log pi(a'|s'))
// with a' ~ pi(.|s') and d = gamma^m, 0 past a terminal state. All [B].
torch::Tensor SacCriticTarget(const torch::Tensor& next_q1,
                              const torch::Tensor& next_q2,
                              const torch::Tensor& next_log_prob,
                              const torch::Tensor& rewards,
                              const torch::Tensor& discounts, double alpha);

// The reparameterised policy loss mean(alpha log pi(a|s) - min(Q1, Q2)(s, a))
// for a ~ pi(.|s) drawn with gradients through a. Inputs [B].
torch::Tensor SacPolicyLoss(const torch::Tensor& log_prob,
                            const torch::Tensor& q1, const torch::Tensor& q2,
                            double alpha);

// The temperature's loss -mean(log alpha (log pi(a|s) + target_entropy)):
// its gradient lowers alpha while the policy's entropy -E[log pi] is above
// the target and raises it while below. `log_prob` [B] carries no gradient.
torch::Tensor TemperatureLoss(const torch::Tensor& log_alpha,
                              const torch::Tensor& log_prob,
                              double target_entropy);

// Soft actor-critic for box actions (job_spec.proto's SacSpec): a
// tanh-squashed Gaussian policy (the one actors act with), twin Q networks
// on (s, a) with Polyak-averaged targets, the temperature fixed or tuned to
// a target entropy, and optionally the hybrid imitation term
// lambda E_demos[-log pi(a_E|s)]. Not thread-safe: owned by one trainer
// thread; LibTorch errors surface as c10::Error exceptions.
class SacLearner : public Algorithm {
 public:
  // InvalidArgument for a device LibTorch cannot use or bounds that are
  // not finite and ordered.
  static absl::StatusOr<std::unique_ptr<SacLearner>> Create(
      const v1::SacSpec& spec, int64_t observation_size,
      const std::vector<float>& action_low,
      const std::vector<float>& action_high, const std::string& device,
      uint64_t seed);

  std::vector<StatisticSpec> statistics() const override;
  SamplingPlan sampling() const override;
  // One critic step, one policy step and (when tuned) one temperature
  // step, then the Polyak update of the target critics.
  AlgorithmUpdate Update(const TransitionBatch& batch) override;
  torch::Tensor LogPolicy(const torch::Tensor& observations,
                          const torch::Tensor& actions) override;
  v1::PolicySpec policy() const override;
  v1::Weights Weights() const override;
  int64_t updates() const override { return updates_; }
  const torch::Device& device() const override { return device_; }
  absl::Status Save(const std::string& directory) const override;
  absl::Status Load(const std::string& directory) override;

  double temperature() const;
  double target_entropy() const { return target_entropy_; }

 private:
  SacLearner(const v1::SacSpec& spec, int64_t observation_size,
             v1::TanhGaussianPolicySpec policy, torch::Device device);

  // min(Q1, Q2) of `q1`, `q2` on (s, a), [B].
  torch::Tensor Q(Mlp& q, const torch::Tensor& observations,
                  const torch::Tensor& actions);

  const v1::SacSpec spec_;
  const v1::TanhGaussianPolicySpec policy_spec_;
  const torch::Device device_;
  const double target_entropy_;
  ActionBounds bounds_;
  GaussianActor actor_;
  Mlp q1_, q2_, q1_target_, q2_target_;
  std::unique_ptr<torch::optim::Adam> actor_optimizer_;
  std::unique_ptr<torch::optim::Adam> critic_optimizer_;
  torch::Tensor log_alpha_;
  std::unique_ptr<torch::optim::Adam> alpha_optimizer_;  // tuned alpha only
  int64_t updates_ = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_ALGORITHMS_SAC_H_
