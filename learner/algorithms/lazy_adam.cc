#include "learner/algorithms/lazy_adam.h"

#include <c10/util/string_utils.h>
#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <utility>

namespace entropic {

LazyAdam::LazyAdam(std::vector<torch::Tensor> parameters,
                   torch::optim::AdamOptions options)
    : torch::optim::Adam(std::move(parameters), options) {
  TORCH_CHECK(options.weight_decay() == 0 && !options.amsgrad(),
              "LazyAdam has no weight decay and no AMSGrad");
}

torch::Tensor LazyAdam::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options =
        static_cast<const torch::optim::AdamOptions&>(group.options());
    const double beta1 = std::get<0>(options.betas());
    const double beta2 = std::get<1>(options.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      // Adam's own state entry, so that save and load see what Adam's do.
      const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
      auto found = state_.find(key);
      if (found == state_.end()) {
        auto state = std::make_unique<torch::optim::AdamParamState>();
        state->step(0);
        state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        state->exp_avg_sq(
            torch::zeros_like(p, torch::MemoryFormat::Preserve));
        found = state_.emplace(key, std::move(state)).first;
      }
      auto& state =
          static_cast<torch::optim::AdamParamState&>(*found->second);
      state.step(state.step() + 1);
      const double bias_correction1 = 1 - std::pow(beta1, state.step());
      const double bias_correction2 = 1 - std::pow(beta2, state.step());
      const double step_size = options.lr() / bias_correction1;
      torch::Tensor& exp_avg = state.exp_avg();
      torch::Tensor& exp_avg_sq = state.exp_avg_sq();
      const torch::Tensor& grad = p.grad();
      if (grad.is_sparse()) {
        const torch::Tensor coalesced = grad.coalesce();
        const torch::Tensor rows = coalesced.indices().select(0, 0);
        const torch::Tensor values = coalesced.values();
        const torch::Tensor m =
            exp_avg.index_select(0, rows).mul_(beta1).add_(values, 1 - beta1);
        const torch::Tensor v = exp_avg_sq.index_select(0, rows)
                                    .mul_(beta2)
                                    .addcmul_(values, values, 1 - beta2);
        exp_avg.index_copy_(0, rows, m);
        exp_avg_sq.index_copy_(0, rows, v);
        const torch::Tensor denominator =
            (v.sqrt() / std::sqrt(bias_correction2)).add_(options.eps());
        p.index_add_(0, rows, m.div(denominator).mul_(-step_size));
        continue;
      }
      exp_avg.mul_(beta1).add_(grad, 1 - beta1);
      exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      torch::Tensor& denominator = denominators_[p.unsafeGetTensorImpl()];
      if (!denominator.defined() || !denominator.is_same_size(p)) {
        denominator = torch::empty_like(p, torch::MemoryFormat::Preserve);
      }
      torch::sqrt_out(denominator, exp_avg_sq)
          .div_(std::sqrt(bias_correction2))
          .add_(options.eps());
      p.addcdiv_(exp_avg, denominator, -step_size);
    }
  }
  return loss;
}

}  // namespace entropic
