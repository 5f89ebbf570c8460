#include "actor/policy/bootstrapped_q_network.h"

#include <torch/torch.h>

#include <string>

namespace entropic {

BootstrappedQNetworkImpl::BootstrappedQNetworkImpl(
    int64_t observation_size, int64_t num_actions,
    const std::vector<int64_t>& hidden, int64_t heads, double prior_scale)
    : inputs_(observation_size),
      outputs_(num_actions),
      heads_(heads),
      prior_scale_(prior_scale) {
  torch::nn::ModuleList trained =
      register_module("heads", torch::nn::ModuleList());
  torch::nn::ModuleList priors =
      register_module("priors", torch::nn::ModuleList());
  for (int64_t k = 0; k < heads; ++k) {
    trained_.emplace_back(observation_size, num_actions, hidden);
    trained->push_back(trained_.back());
  }
  for (int64_t k = 0; k < heads; ++k) {
    priors_.emplace_back(observation_size, num_actions, hidden);
    priors->push_back(priors_.back());
    for (torch::Tensor& parameter : priors_.back()->parameters()) {
      parameter.requires_grad_(false);
    }
  }
}

torch::Tensor BootstrappedQNetworkImpl::Head(int64_t k,
                                             const torch::Tensor& x) {
  torch::Tensor q = trained_[k]->forward(x);
  if (prior_scale_ == 0) return q;
  torch::Tensor prior;
  {
    torch::NoGradGuard no_grad;
    prior = priors_[k]->forward(x);
  }
  return q + prior_scale_ * prior;
}

torch::Tensor BootstrappedQNetworkImpl::forward(const torch::Tensor& x) {
  std::vector<torch::Tensor> heads;
  heads.reserve(heads_);
  for (int64_t k = 0; k < heads_; ++k) heads.push_back(Head(k, x));
  return torch::stack(heads, /*dim=*/1);
}

std::vector<torch::Tensor> BootstrappedQNetworkImpl::TrainedParameters()
    const {
  std::vector<torch::Tensor> parameters;
  for (const Mlp& head : trained_) {
    for (const torch::Tensor& p : head->parameters()) parameters.push_back(p);
  }
  return parameters;
}

std::vector<torch::Tensor> BootstrappedQNetworkImpl::TrainedParameters(
    int64_t k) const {
  return trained_[k]->parameters();
}

}  // namespace entropic
