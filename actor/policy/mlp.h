#ifndef ENTROPIC_ACTOR_POLICY_MLP_H_
#define ENTROPIC_ACTOR_POLICY_MLP_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace entropic {

// A multilayer perceptron: Linear layers of the given hidden widths with
// ReLU between them and a linear output, [B, inputs] -> [B, outputs]. Its
// parameters are named "layers.<i>.weight" and "layers.<i>.bias", which is
// how weights travel (actor/policy/weights.h).
class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(int64_t inputs, int64_t outputs, const std::vector<int64_t>& hidden);

  torch::Tensor forward(const torch::Tensor& x);

  int64_t inputs() const { return inputs_; }
  int64_t outputs() const { return outputs_; }

 private:
  int64_t inputs_;
  int64_t outputs_;
  torch::nn::ModuleList layers_;
};
TORCH_MODULE(Mlp);

// The float32 parameters of an Mlp of this shape.
int64_t MlpParameterCount(int64_t inputs, int64_t outputs,
                          const std::vector<int64_t>& hidden);

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_POLICY_MLP_H_
