#include "actor/policy/bootstrapped_q_network.h"

#include <torch/torch.h>

namespace entropic {

BootstrappedQNetworkImpl::BootstrappedQNetworkImpl(
    int64_t observation_size, int64_t num_actions,
    const std::vector<int64_t>& hidden, int64_t heads, double prior_scale)
    : inputs_(observation_size),
      outputs_(num_actions),
      heads_(heads),
      prior_scale_(prior_scale),
      trained_(observation_size, num_actions, hidden, heads),
      priors_(observation_size, num_actions, hidden, heads) {
  register_module("heads", trained_);
  register_module("priors", priors_);
  for (torch::Tensor& parameter : priors_->parameters()) {
    parameter.requires_grad_(false);
  }
}

torch::Tensor BootstrappedQNetworkImpl::Head(int64_t k,
                                             const torch::Tensor& x) {
  torch::Tensor q = trained_->Member(k, x);
  if (prior_scale_ == 0) return q;
  torch::Tensor prior;
  {
    torch::NoGradGuard no_grad;
    prior = priors_->Member(k, x);
  }
  return q + prior_scale_ * prior;
}

torch::Tensor BootstrappedQNetworkImpl::forward(const torch::Tensor& x) {
  const EnsembleInput input = EnsembleInput::Of(x);
  torch::Tensor q = trained_->Forward(input);  // [K, B, A]
  if (prior_scale_ != 0) {
    torch::Tensor prior;
    {
      torch::NoGradGuard no_grad;
      prior = priors_->Forward(input);
    }
    q = q + prior_scale_ * prior;
  }
  return q.transpose(0, 1);
}

std::vector<torch::Tensor> BootstrappedQNetworkImpl::TrainedParameters()
    const {
  return trained_->parameters();
}

std::vector<torch::Tensor> BootstrappedQNetworkImpl::TrainedParameters(
    int64_t k) const {
  return trained_->MemberParameters(k);
}

void BootstrappedQNetworkImpl::ClipGradNormPerHead(double max_norm) {
  trained_->ClipGradNormPerMember(max_norm);
}

}  // namespace entropic
