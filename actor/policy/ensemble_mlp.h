#ifndef ENTROPIC_ACTOR_POLICY_ENSEMBLE_MLP_H_
#define ENTROPIC_ACTOR_POLICY_ENSEMBLE_MLP_H_

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "actor/policy/mlp.h"

namespace entropic {

// A batch [B, inputs] as an EnsembleMlp's first layer reads it: densely,
// or, when it is mostly zeros (at least 256 inputs, at most 1 in 16
// nonzero, on the CPU), by its nonzero entries. Made once per batch and
// shared by the ensembles that read it (a network's heads and priors).
struct EnsembleInput {
  static EnsembleInput Of(const torch::Tensor& x);

  bool sparse() const { return columns.defined(); }
  // x weight + bias, for weight [inputs, W] and bias [W]; when sparse,
  // weight's gradient is a sparse tensor of the rows x touched.
  torch::Tensor Affine(const torch::Tensor& weight,
                       const torch::Tensor& bias) const;

  torch::Tensor dense;
  // When sparse: each row's nonzero columns, one bag per row (offsets
  // into columns), and their values.
  torch::Tensor columns;
  torch::Tensor offsets;
  torch::Tensor values;
};

// K Mlps of one shape (ReLU between layers, a linear output) stored as
// stacked tensors, so that all K run as a few large matrix products instead
// of K small ones: what bootstrapped heads need when K is 10 or 20.
//
// Every member reads the same input, so the K first layers are one wide
// layer, "input_weight" [inputs, K * width] and "input_bias" [K * width]
// (member k owns columns k * width ... (k + 1) * width - 1). The layers
// after it are batched, "weight<i>" [K, in, out] and "bias<i>" [K, 1, out]
// for i = 1, 2, ... Members start as Sonnet's Linear layers (which
// bsuite's boot DQN uses): weights truncated normal with standard deviation
// 1/sqrt(fan_in), biases zero. Zero biases matter for random priors: a
// prior with random biases adds the same action preference in every state,
// and on one-hot inputs of N^2 cells (first-layer weights of size 1/N) that
// constant swamps the part that differs from state to state, so the heads
// stop disagreeing about unvisited states as N grows.
//
// Inputs that are mostly zeros (one-hot cells such as DeepSea's, where the
// wide first layer holds nearly all the weights) go through the first layer
// by their nonzero entries only, on the CPU: the same result for a fraction
// of the work, and the first layer's gradient is then a sparse tensor of
// the rows the batch touched (LazyAdam, learner/algorithms/lazy_adam.h,
// updates just those).
class EnsembleMlpImpl : public torch::nn::Module {
 public:
  EnsembleMlpImpl(int64_t inputs, int64_t outputs,
                  const std::vector<int64_t>& hidden, int64_t members);

  // Every member on the same input: [B, inputs] -> [K, B, outputs].
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor Forward(const EnsembleInput& input);
  // Member k alone: [B, inputs] -> [B, outputs].
  torch::Tensor Member(int64_t k, const torch::Tensor& x);

  // Scales each member's gradients so that their joint L2 norm is at most
  // `max_norm` (torch's clip_grad_norm_, once per member). A sparse first
  // layer gradient is coalesced first.
  void ClipGradNormPerMember(double max_norm);
  // Member k's parameters, as views into the stacked tensors.
  std::vector<torch::Tensor> MemberParameters(int64_t k) const;
  // Member k as a standalone Mlp (a copy), and member k overwritten by one.
  Mlp CopyOfMember(int64_t k) const;
  void SetMember(int64_t k, const Mlp& mlp);

  int64_t members() const { return members_; }
  int64_t inputs() const { return inputs_; }
  int64_t outputs() const { return outputs_; }

 private:
  int64_t inputs_;
  int64_t outputs_;
  int64_t members_;
  int64_t input_width_;  // width of each member's first layer
  torch::Tensor input_weight_;
  torch::Tensor input_bias_;
  std::vector<torch::Tensor> weights_;  // [K, in, out] per later layer
  std::vector<torch::Tensor> biases_;   // [K, 1, out]
};
TORCH_MODULE(EnsembleMlp);

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_POLICY_ENSEMBLE_MLP_H_
