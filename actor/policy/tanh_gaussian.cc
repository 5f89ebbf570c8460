#include "actor/policy/tanh_gaussian.h"

#include <c10/core/InferenceMode.h>
#include <torch/torch.h>

#include <cmath>

#include "actor/policy/weights.h"

namespace entropic {

ActionBounds ActionBounds::From(const v1::TanhGaussianPolicySpec& spec,
                                const torch::Device& device) {
  const std::vector<float> low(spec.action_low().begin(),
                               spec.action_low().end());
  const std::vector<float> high(spec.action_high().begin(),
                                spec.action_high().end());
  return {torch::tensor(low).to(device), torch::tensor(high).to(device)};
}

GaussianActorImpl::GaussianActorImpl(int64_t observation_size,
                                     int64_t action_size,
                                     const std::vector<int64_t>& hidden)
    : action_size_(action_size),
      mlp_(register_module(
          "mlp", Mlp(observation_size, 2 * action_size, hidden))) {}

std::tuple<torch::Tensor, torch::Tensor> GaussianActorImpl::forward(
    const torch::Tensor& observations) {
  const std::vector<torch::Tensor> halves =
      mlp_->forward(observations).chunk(2, /*dim=*/1);
  return {halves[0], halves[1].clamp(kMinLogStd, kMaxLogStd)};
}

torch::Tensor LogOneMinusTanhSquared(const torch::Tensor& u) {
  return 2.0 * (std::log(2.0) - u - torch::softplus(-2.0 * u));
}

torch::Tensor TanhGaussianLogProb(const torch::Tensor& mean,
                                  const torch::Tensor& log_std,
                                  const torch::Tensor& u,
                                  const ActionBounds& bounds) {
  const torch::Tensor z = (u - mean) * torch::exp(-log_std);
  const torch::Tensor gaussian =
      -0.5 * z * z - log_std - 0.5 * std::log(2.0 * M_PI);
  return (gaussian - LogOneMinusTanhSquared(u) - torch::log(bounds.scale()))
      .sum(/*dim=*/1);
}

torch::Tensor SquashToBounds(const torch::Tensor& u,
                             const ActionBounds& bounds) {
  return bounds.offset() + torch::tanh(u) * bounds.scale();
}

torch::Tensor UnsquashFromBounds(const torch::Tensor& actions,
                                 const ActionBounds& bounds) {
  constexpr double kInside = 1e-6;
  const torch::Tensor unit = ((actions - bounds.offset()) / bounds.scale())
                                 .clamp(-1.0 + kInside, 1.0 - kInside);
  return torch::atanh(unit);
}

SquashedSample SampleTanhGaussian(const torch::Tensor& mean,
                                  const torch::Tensor& log_std,
                                  const torch::Tensor& noise,
                                  const ActionBounds& bounds) {
  const torch::Tensor u = mean + torch::exp(log_std) * noise;
  return {SquashToBounds(u, bounds),
          TanhGaussianLogProb(mean, log_std, u, bounds)};
}

TanhGaussianPolicy::TanhGaussianPolicy(const v1::TanhGaussianPolicySpec& spec)
    : network_(spec.observation_size(), spec.action_low_size(),
               std::vector<int64_t>(spec.hidden().begin(), spec.hidden().end())),
      bounds_(ActionBounds::From(spec, torch::kCPU)) {
  network_->eval();
}

absl::Status TanhGaussianPolicy::Load(const v1::Weights& weights) {
  absl::Status status = LoadWeightsIntoModule(weights, *network_);
  if (!status.ok()) return status;
  version_ = weights.version();
  return absl::OkStatus();
}

ActionBatch TanhGaussianPolicy::Act(absl::Span<const float> observations,
                                    int batch, bool deterministic,
                                    std::mt19937_64& rng) {
  c10::InferenceMode inference;
  const int64_t dim = network_->action_size();
  const torch::Tensor input =
      torch::from_blob(const_cast<float*>(observations.data()),
                       {batch, network_->observation_size()}, torch::kFloat32);
  auto [mean, log_std] = network_->forward(input);
  torch::Tensor noise = torch::zeros({batch, dim});
  if (!deterministic) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    float* n = noise.data_ptr<float>();
    for (int64_t i = 0; i < batch * dim; ++i) n[i] = normal(rng);
  }
  const SquashedSample sample =
      SampleTanhGaussian(mean, log_std, noise, bounds_);
  const torch::Tensor values = sample.actions.contiguous();
  const torch::Tensor log_probs = sample.log_probs.contiguous();
  ActionBatch actions;
  actions.action_size = dim;
  actions.values.assign(values.data_ptr<float>(),
                        values.data_ptr<float>() + values.numel());
  actions.log_probs.assign(log_probs.data_ptr<float>(),
                           log_probs.data_ptr<float>() + log_probs.numel());
  return actions;
}

}  // namespace entropic
