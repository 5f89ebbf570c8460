#include "actor/policy/boltzmann_policy.h"

#include <c10/core/InferenceMode.h>
#include <torch/torch.h>

#include "actor/policy/weights.h"

namespace entropic {

torch::Tensor SoftValue(const torch::Tensor& q, double alpha) {
  return alpha * torch::logsumexp(q / alpha, /*dim=*/1);
}

torch::Tensor BoltzmannProbabilities(const torch::Tensor& q, double alpha) {
  return torch::softmax(q / alpha, /*dim=*/1);
}

torch::Tensor BoltzmannEntropy(const torch::Tensor& q, double alpha) {
  const torch::Tensor log_pi = torch::log_softmax(q / alpha, /*dim=*/1);
  return -(log_pi.exp() * log_pi).sum(/*dim=*/1);
}

std::vector<int64_t> SampleActions(const torch::Tensor& probabilities,
                                   std::mt19937_64& rng) {
  const torch::Tensor probs =
      probabilities.to(torch::kCPU, torch::kFloat32).contiguous();
  const int64_t rows = probs.size(0);
  const int64_t actions = probs.size(1);
  const float* p = probs.data_ptr<float>();
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<int64_t> chosen(rows);
  for (int64_t row = 0; row < rows; ++row) {
    const float u = uniform(rng);
    float cumulative = 0.0f;
    // Falls back to the last action if rounding leaves the sum below u.
    int64_t action = actions - 1;
    for (int64_t a = 0; a < actions; ++a) {
      cumulative += p[row * actions + a];
      if (u < cumulative) {
        action = a;
        break;
      }
    }
    chosen[row] = action;
  }
  return chosen;
}

std::vector<int64_t> GreedyActions(const torch::Tensor& q) {
  const torch::Tensor best = q.argmax(/*dim=*/1).to(torch::kCPU, torch::kLong);
  return std::vector<int64_t>(best.data_ptr<int64_t>(),
                              best.data_ptr<int64_t>() + best.numel());
}

ActionBatch BoltzmannActions(const torch::Tensor& q, double alpha,
                             bool deterministic, std::mt19937_64& rng) {
  ActionBatch actions;
  actions.indices = deterministic
                        ? GreedyActions(q)
                        : SampleActions(BoltzmannProbabilities(q, alpha), rng);
  const torch::Tensor log_pi =
      torch::log_softmax(q / alpha, /*dim=*/1)
          .gather(1, torch::tensor(actions.indices).unsqueeze(1))
          .squeeze(1)
          .to(torch::kFloat32)
          .contiguous();
  actions.log_probs.assign(log_pi.data_ptr<float>(),
                           log_pi.data_ptr<float>() + log_pi.numel());
  return actions;
}

BoltzmannPolicy::BoltzmannPolicy(int64_t observation_size, int64_t num_actions,
                                 const std::vector<int64_t>& hidden)
    : network_(observation_size, num_actions, hidden) {
  network_->eval();
}

absl::Status BoltzmannPolicy::Load(const v1::Weights& weights) {
  absl::Status status = LoadWeightsIntoModule(weights, *network_);
  if (!status.ok()) return status;
  version_ = weights.version();
  temperature_ = weights.temperature();
  return absl::OkStatus();
}

ActionBatch BoltzmannPolicy::Act(absl::Span<const float> observations,
                                 int batch, bool deterministic,
                                 std::mt19937_64& rng) {
  c10::InferenceMode inference;
  const torch::Tensor input =
      torch::from_blob(const_cast<float*>(observations.data()),
                       {batch, network_->inputs()}, torch::kFloat32);
  const torch::Tensor q = network_->forward(input);
  return BoltzmannActions(q, temperature_, deterministic, rng);
}

}  // namespace entropic
