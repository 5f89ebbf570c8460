#ifndef ENTROPIC_ACTOR_POLICY_BOOTSTRAPPED_Q_NETWORK_H_
#define ENTROPIC_ACTOR_POLICY_BOOTSTRAPPED_Q_NETWORK_H_

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "actor/policy/ensemble_mlp.h"

namespace entropic {

// K soft Q heads with randomised priors (Osband et al. 2018):
//   Q_k(s, .) = f_k(s, .) + prior_scale p_k(s, .)
// The f_k are the members of one EnsembleMlp ("heads.*"), the p_k of
// another of the same shape ("priors.*"), so all K heads run as a few large
// products. The priors keep their random initialisation forever
// (requires_grad false) but are parameters all the same, so they travel
// with the weights and actors add exactly the learner's priors. The one
// network the bootstrapped soft Q learner trains and its actors act with.
class BootstrappedQNetworkImpl : public torch::nn::Module {
 public:
  BootstrappedQNetworkImpl(int64_t observation_size, int64_t num_actions,
                           const std::vector<int64_t>& hidden, int64_t heads,
                           double prior_scale);

  // Q of every head for [B, obs]: [B, K, A].
  torch::Tensor forward(const torch::Tensor& x);
  // Q of head `k` alone: [B, A].
  torch::Tensor Head(int64_t k, const torch::Tensor& x);

  // The trained networks' parameters (every f_k; not the priors): what an
  // optimiser gets.
  std::vector<torch::Tensor> TrainedParameters() const;
  // Head k's trained parameters alone, as views.
  std::vector<torch::Tensor> TrainedParameters(int64_t k) const;
  // Clips each head's trained gradients to `max_norm` on its own.
  void ClipGradNormPerHead(double max_norm);

  EnsembleMlp trained() const { return trained_; }
  EnsembleMlp priors() const { return priors_; }
  int64_t heads() const { return heads_; }
  int64_t inputs() const { return inputs_; }
  int64_t outputs() const { return outputs_; }
  double prior_scale() const { return prior_scale_; }

 private:
  int64_t inputs_;
  int64_t outputs_;
  int64_t heads_;
  double prior_scale_;
  EnsembleMlp trained_;
  EnsembleMlp priors_;
};
TORCH_MODULE(BootstrappedQNetwork);

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_POLICY_BOOTSTRAPPED_Q_NETWORK_H_
