#include "actor/q_network.h"

#include <torch/nn/functional/activation.h>

namespace entropic {

QNetworkImpl::QNetworkImpl(int64_t observation_size, int64_t num_actions,
                           const std::vector<int64_t>& hidden)
    : observation_size_(observation_size), num_actions_(num_actions) {
  layers_ = register_module("layers", torch::nn::ModuleList());
  int64_t inputs = observation_size;
  for (int64_t width : hidden) {
    layers_->push_back(torch::nn::Linear(inputs, width));
    inputs = width;
  }
  layers_->push_back(torch::nn::Linear(inputs, num_actions));
}

torch::Tensor QNetworkImpl::forward(const torch::Tensor& observations) {
  torch::Tensor x = observations;
  const size_t last = layers_->size() - 1;
  for (size_t i = 0; i < layers_->size(); ++i) {
    x = layers_[i]->as<torch::nn::Linear>()->forward(x);
    if (i != last) x = torch::relu(x);
  }
  return x;
}

}  // namespace entropic
