#include "actor/policy/ensemble_mlp.h"

#include <torch/torch.h>

#include <cmath>
#include <string>

namespace entropic {
namespace {

// Weights of a layer of `fan_in` inputs: normal with standard deviation
// 1/sqrt(fan_in), truncated at two of them (redrawn beyond), as Sonnet's
// Linear layers start.
torch::Tensor TruncatedNormal(torch::IntArrayRef shape, int64_t fan_in) {
  const double stddev = 1.0 / std::sqrt(static_cast<double>(fan_in));
  torch::Tensor weights = torch::empty(shape).normal_(0.0, stddev);
  for (torch::Tensor outside = weights.abs() > 2 * stddev;
       outside.any().item<bool>(); outside = weights.abs() > 2 * stddev) {
    weights.masked_scatter_(
        outside, torch::empty({outside.sum().item<int64_t>()})
                     .normal_(0.0, stddev));
  }
  return weights;
}

// Inputs this wide and at most this dense take the sparse product.
constexpr int64_t kSparseMinInputs = 256;
constexpr int64_t kSparseMaxDensityInverse = 16;

bool MostlyZeros(const torch::Tensor& x) {
  if (x.is_cuda() || x.size(1) < kSparseMinInputs) return false;
  return x.count_nonzero().item<int64_t>() * kSparseMaxDensityInverse <=
         x.numel();
}

}  // namespace

EnsembleInput EnsembleInput::Of(const torch::Tensor& x) {
  EnsembleInput input;
  input.dense = x;
  if (!MostlyZeros(x)) return input;
  const torch::Tensor nonzero = x.nonzero();  // [nnz, 2], row-major order
  const torch::Tensor rows = nonzero.select(1, 0);
  input.columns = nonzero.select(1, 1).contiguous();
  input.values =
      x.reshape({-1}).index_select(0, rows * x.size(1) + input.columns);
  const torch::Tensor counts = torch::bincount(rows, {}, x.size(0));
  input.offsets = counts.cumsum(0) - counts;
  return input;
}

torch::Tensor EnsembleInput::Affine(const torch::Tensor& weight,
                                    const torch::Tensor& bias) const {
  if (!sparse()) return torch::addmm(bias, dense, weight);
  // A bag of weight rows per row of x, weighted by x's values.
  return std::get<0>(torch::embedding_bag(
             weight, columns, offsets, /*scale_grad_by_freq=*/false,
             /*mode=sum*/ 0, /*sparse=*/true, values)) +
         bias;
}

EnsembleMlpImpl::EnsembleMlpImpl(int64_t inputs, int64_t outputs,
                                 const std::vector<int64_t>& hidden,
                                 int64_t members)
    : inputs_(inputs),
      outputs_(outputs),
      members_(members),
      input_width_(hidden.empty() ? outputs : hidden.front()) {
  input_weight_ = register_parameter(
      "input_weight",
      TruncatedNormal({inputs, members * input_width_}, inputs));
  input_bias_ = register_parameter(
      "input_bias", torch::zeros({members * input_width_}));
  std::vector<int64_t> widths(hidden.begin(), hidden.end());
  widths.push_back(outputs);
  for (size_t i = 1; i < widths.size(); ++i) {
    const int64_t in = widths[i - 1];
    const int64_t out = widths[i];
    const std::string index = std::to_string(i);
    weights_.push_back(
        register_parameter("weight" + index,
                           TruncatedNormal({members, in, out}, in)));
    biases_.push_back(
        register_parameter("bias" + index, torch::zeros({members, 1, out})));
  }
}

torch::Tensor EnsembleMlpImpl::forward(const torch::Tensor& x) {
  return Forward(EnsembleInput::Of(x));
}

torch::Tensor EnsembleMlpImpl::Forward(const EnsembleInput& input) {
  const int64_t batch = input.dense.size(0);
  // [B, K * width] -> [K, B, width].
  torch::Tensor y = input.Affine(input_weight_, input_bias_)
                        .view({batch, members_, input_width_})
                        .transpose(0, 1);
  for (size_t i = 0; i < weights_.size(); ++i) {
    y = torch::baddbmm(biases_[i], torch::relu(y), weights_[i]);
  }
  return y;
}

torch::Tensor EnsembleMlpImpl::Member(int64_t k, const torch::Tensor& x) {
  // One member on an actor's few rows: dense is cheap.
  torch::Tensor y =
      torch::addmm(input_bias_.narrow(0, k * input_width_, input_width_), x,
                   input_weight_.narrow(1, k * input_width_, input_width_));
  for (size_t i = 0; i < weights_.size(); ++i) {
    y = torch::addmm(biases_[i][k][0], torch::relu(y), weights_[i][k]);
  }
  return y;
}

void EnsembleMlpImpl::ClipGradNormPerMember(double max_norm) {
  torch::NoGradGuard no_grad;
  // Squared norm of each member's share of every gradient, summed: [K].
  torch::Tensor squared = torch::zeros({members_}, input_weight_.options());
  auto add = [&](const torch::Tensor& grad, torch::IntArrayRef member_view,
                 torch::IntArrayRef reduce) {
    if (grad.defined()) squared += grad.view(member_view).pow(2).sum(reduce);
  };
  // The first layer's gradient is sparse after a sparse product: its stored
  // rows are what counts (coalesced, so that repeated rows are summed first).
  torch::Tensor input_grad = input_weight_.mutable_grad();
  if (input_grad.defined() && input_grad.is_sparse()) {
    input_grad = input_grad.coalesce();
    input_weight_.mutable_grad() = input_grad;
    input_grad = input_grad._values();
  }
  add(input_grad, {-1, members_, input_width_}, {0, 2});
  add(input_bias_.grad(), {members_, input_width_}, {1});
  for (size_t i = 0; i < weights_.size(); ++i) {
    add(weights_[i].grad(), weights_[i].sizes(), {1, 2});
    add(biases_[i].grad(), biases_[i].sizes(), {1, 2});
  }
  // clip_grad_norm_'s rule: scale by max_norm / (norm + 1e-6) when above 1.
  const torch::Tensor scale =
      (max_norm / (squared.sqrt() + 1e-6)).clamp_max(1.0);
  auto scale_grad = [&](torch::Tensor grad, torch::IntArrayRef member_view,
                        torch::IntArrayRef scale_view) {
    if (grad.defined()) grad.view(member_view).mul_(scale.view(scale_view));
  };
  scale_grad(input_grad, {-1, members_, input_width_}, {1, members_, 1});
  scale_grad(input_bias_.grad(), {members_, input_width_}, {members_, 1});
  for (size_t i = 0; i < weights_.size(); ++i) {
    scale_grad(weights_[i].grad(), weights_[i].sizes(), {members_, 1, 1});
    scale_grad(biases_[i].grad(), biases_[i].sizes(), {members_, 1, 1});
  }
}

std::vector<torch::Tensor> EnsembleMlpImpl::MemberParameters(int64_t k) const {
  std::vector<torch::Tensor> parameters = {
      input_weight_.narrow(1, k * input_width_, input_width_),
      input_bias_.narrow(0, k * input_width_, input_width_)};
  for (size_t i = 0; i < weights_.size(); ++i) {
    parameters.push_back(weights_[i][k]);
    parameters.push_back(biases_[i][k]);
  }
  return parameters;
}

Mlp EnsembleMlpImpl::CopyOfMember(int64_t k) const {
  std::vector<int64_t> hidden;
  for (const torch::Tensor& weight : weights_) hidden.push_back(weight.size(1));
  Mlp mlp(inputs_, outputs_, hidden);
  torch::NoGradGuard no_grad;
  // Mlp's Linear layers store [out, in]; ours store [in, out].
  const std::vector<torch::Tensor> source = MemberParameters(k);
  std::vector<torch::Tensor> destination = mlp->parameters();
  for (size_t i = 0; i < source.size(); ++i) {
    destination[i].copy_(i % 2 == 0 ? source[i].t() : source[i].view(-1));
  }
  return mlp;
}

void EnsembleMlpImpl::SetMember(int64_t k, const Mlp& mlp) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> destination = MemberParameters(k);
  const std::vector<torch::Tensor> source = mlp->parameters();
  for (size_t i = 0; i < source.size(); ++i) {
    destination[i].copy_(i % 2 == 0 ? source[i].t()
                                    : source[i].view(destination[i].sizes()));
  }
}

}  // namespace entropic
