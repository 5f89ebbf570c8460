#include "actor/policy/bootstrapped_q_policy.h"

#include <c10/core/InferenceMode.h>
#include <torch/torch.h>

#include "actor/policy/boltzmann_policy.h"
#include "actor/policy/weights.h"

namespace entropic {

BootstrappedQPolicy::BootstrappedQPolicy(
    const v1::BootstrappedQPolicySpec& spec)
    : network_(spec.observation_size(), spec.num_actions(),
               std::vector<int64_t>(spec.hidden().begin(), spec.hidden().end()),
               spec.heads(), spec.prior_scale()) {
  network_->eval();
}

absl::Status BootstrappedQPolicy::Load(const v1::Weights& weights) {
  absl::Status status = LoadWeightsIntoModule(weights, *network_);
  if (!status.ok()) return status;
  version_ = weights.version();
  temperature_ = weights.temperature();
  return absl::OkStatus();
}

void BootstrappedQPolicy::BeginEpisode(int row, std::mt19937_64& rng) {
  if (row < 0) return;
  if (static_cast<size_t>(row) >= heads_.size()) heads_.resize(row + 1, -1);
  std::uniform_int_distribution<int> uniform(
      0, static_cast<int>(network_->heads()) - 1);
  heads_[row] = uniform(rng);
}

int BootstrappedQPolicy::head(int row) const {
  if (row < 0 || static_cast<size_t>(row) >= heads_.size()) return -1;
  return heads_[row];
}

ActionBatch BootstrappedQPolicy::Act(absl::Span<const float> observations,
                                     int batch, bool deterministic,
                                     std::mt19937_64& rng) {
  c10::InferenceMode inference;
  const torch::Tensor input =
      torch::from_blob(const_cast<float*>(observations.data()),
                       {batch, network_->inputs()}, torch::kFloat32);
  torch::Tensor q;
  if (deterministic) {
    q = network_->forward(input).mean(/*dim=*/1);
  } else {
    for (int row = 0; row < batch; ++row) {
      if (head(row) < 0) BeginEpisode(row, rng);
    }
    // Only the heads in use run, each on the rows that follow it.
    std::vector<std::vector<int64_t>> rows_of(network_->heads());
    for (int row = 0; row < batch; ++row) rows_of[heads_[row]].push_back(row);
    q = torch::empty({batch, network_->outputs()}, torch::kFloat32);
    for (int64_t k = 0; k < network_->heads(); ++k) {
      if (rows_of[k].empty()) continue;
      const torch::Tensor rows = torch::tensor(rows_of[k], torch::kLong);
      q.index_copy_(0, rows, network_->Head(k, input.index_select(0, rows)));
    }
  }
  return BoltzmannActions(q, temperature_, deterministic, rng);
}

}  // namespace entropic
