#ifndef ENTROPIC_ACTOR_POLICY_TANH_GAUSSIAN_H_
#define ENTROPIC_ACTOR_POLICY_TANH_GAUSSIAN_H_

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "actor/policy/mlp.h"
#include "actor/policy/policy.h"
#include "entropic/v1/policy.pb.h"

namespace entropic {

// The tanh-squashed Gaussian policy of soft actor-critic for box actions
// (TanhGaussianPolicySpec): u ~ N(mu(s), diag(sigma(s)^2)) and
//   a = low + (tanh(u) + 1) / 2 (high - low),
// whose density is, by the change of variables,
//   log pi(a|s) = sum_i [log N(u_i; mu_i, sigma_i) - log(1 - tanh(u_i)^2)
//                        - log((high_i - low_i) / 2)].

// log sigma is clamped to this range: sigma from 2e-9 to 7.4.
inline constexpr double kMinLogStd = -20.0;
inline constexpr double kMaxLogStd = 2.0;

// The action bounds of a box space, as tensors [A] on a device.
struct ActionBounds {
  torch::Tensor low;
  torch::Tensor high;

  static ActionBounds From(const v1::TanhGaussianPolicySpec& spec,
                           const torch::Device& device);
  // (high - low) / 2 and (high + low) / 2.
  torch::Tensor scale() const { return (high - low) / 2; }
  torch::Tensor offset() const { return (high + low) / 2; }
};

// mu(s) and log sigma(s) (clamped) from one Mlp whose output is
// [mu_1..mu_A, log sigma_1..log sigma_A]. Shared by actors and the SAC
// learner.
class GaussianActorImpl : public torch::nn::Module {
 public:
  GaussianActorImpl(int64_t observation_size, int64_t action_size,
                    const std::vector<int64_t>& hidden);

  // [B, obs] -> (mean [B, A], log_std [B, A]).
  std::tuple<torch::Tensor, torch::Tensor> forward(
      const torch::Tensor& observations);

  int64_t observation_size() const { return mlp_->inputs(); }
  int64_t action_size() const { return action_size_; }

 private:
  int64_t action_size_;
  Mlp mlp_;
};
TORCH_MODULE(GaussianActor);

// log(1 - tanh(u)^2), elementwise, computed stably as
// 2 (log 2 - u - softplus(-2u)).
torch::Tensor LogOneMinusTanhSquared(const torch::Tensor& u);

// log pi(a|s) [B] of the squashed, scaled action a = squash(u) given the
// pre-squash value u [B, A] and the Gaussian's mean and log_std [B, A].
torch::Tensor TanhGaussianLogProb(const torch::Tensor& mean,
                                  const torch::Tensor& log_std,
                                  const torch::Tensor& u,
                                  const ActionBounds& bounds);

// tanh(u) scaled to the bounds, [B, A].
torch::Tensor SquashToBounds(const torch::Tensor& u,
                             const ActionBounds& bounds);

// The u whose squashed value is `actions` [B, A]; actions on or past a bound
// are pulled inside by 1e-6 of the half-width, so u stays finite.
torch::Tensor UnsquashFromBounds(const torch::Tensor& actions,
                                 const ActionBounds& bounds);

// A reparameterised draw: u = mean + std * noise, with noise [B, A] from
// N(0, 1). Gradients flow into mean and log_std.
struct SquashedSample {
  torch::Tensor actions;    // [B, A], within the bounds
  torch::Tensor log_probs;  // [B]
};
SquashedSample SampleTanhGaussian(const torch::Tensor& mean,
                                  const torch::Tensor& log_std,
                                  const torch::Tensor& noise,
                                  const ActionBounds& bounds);

// The policy actors act with. Noise comes from the caller's generator, so
// acting is reproducible from the actor's seed.
class TanhGaussianPolicy : public Policy {
 public:
  explicit TanhGaussianPolicy(const v1::TanhGaussianPolicySpec& spec);

  absl::Status Load(const v1::Weights& weights) override;
  // Sampled, or the squashed mean when `deterministic`.
  ActionBatch Act(absl::Span<const float> observations, int batch,
                  bool deterministic, std::mt19937_64& rng) override;
  int64_t version() const override { return version_; }

  GaussianActor& network() { return network_; }
  const ActionBounds& bounds() const { return bounds_; }

 private:
  GaussianActor network_;
  ActionBounds bounds_;
  int64_t version_ = -1;
};

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_POLICY_TANH_GAUSSIAN_H_
