#include "learner/reward_models/bonus_rows.h"

#include <torch/torch.h>

namespace entropic {

torch::Tensor AgentRowIndices(const TransitionBatch& batch) {
  const torch::Device device = batch.rewards.device();
  const int64_t rows = batch.rewards.size(0);
  if (!batch.from_demonstrations.defined()) {
    return torch::arange(rows,
                         torch::TensorOptions(torch::kInt64).device(device));
  }
  return torch::logical_not(batch.from_demonstrations.to(device, torch::kBool))
      .nonzero()
      .reshape({-1});
}

Statistics AddBonus(TransitionBatch& batch, const torch::Tensor& agent_rows,
                    const torch::Tensor& scaled_bonus,
                    const std::string& name) {
  torch::NoGradGuard no_grad;
  const torch::Tensor bonus =
      scaled_bonus.detach().to(batch.rewards.scalar_type()).reshape({-1});
  batch.rewards = batch.rewards.index_add(0, agent_rows, bonus);
  if (bonus.numel() == 0) return {};
  return {{name + "_mean", bonus.mean().item<double>()},
          {name + "_std", bonus.std(/*unbiased=*/false).item<double>()}};
}

}  // namespace entropic
