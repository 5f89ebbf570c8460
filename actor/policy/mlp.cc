#include "actor/policy/mlp.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/linear.h>

namespace entropic {

MlpImpl::MlpImpl(int64_t inputs, int64_t outputs,
                 const std::vector<int64_t>& hidden)
    : inputs_(inputs), outputs_(outputs) {
  layers_ = register_module("layers", torch::nn::ModuleList());
  int64_t width_in = inputs;
  for (int64_t width : hidden) {
    layers_->push_back(torch::nn::Linear(width_in, width));
    width_in = width;
  }
  layers_->push_back(torch::nn::Linear(width_in, outputs));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  torch::Tensor y = x;
  const size_t last = layers_->size() - 1;
  for (size_t i = 0; i < layers_->size(); ++i) {
    y = layers_[i]->as<torch::nn::Linear>()->forward(y);
    if (i != last) y = torch::relu(y);
  }
  return y;
}

int64_t MlpParameterCount(int64_t inputs, int64_t outputs,
                          const std::vector<int64_t>& hidden) {
  int64_t count = 0;
  int64_t width_in = inputs;
  for (int64_t width : hidden) {
    count += (width_in + 1) * width;
    width_in = width;
  }
  return count + (width_in + 1) * outputs;
}

}  // namespace entropic
