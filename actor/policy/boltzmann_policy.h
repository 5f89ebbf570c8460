#ifndef ENTROPIC_ACTOR_POLICY_BOLTZMANN_POLICY_H_
#define ENTROPIC_ACTOR_POLICY_BOLTZMANN_POLICY_H_

#include <torch/types.h>

#include <cstdint>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "actor/policy/policy.h"
#include "actor/policy/q_network.h"
#include "entropic/v1/parameters.pb.h"

namespace entropic {

// The soft-optimal policy and value of a soft Q-function at temperature
// alpha (control as inference):
//   V(s) = alpha log sum_a exp(Q(s, a) / alpha)
//   pi(a|s) = exp((Q(s, a) - V(s)) / alpha) = softmax(Q(s, .) / alpha)

// V(s) for each row of q [B, A]; returns [B].
torch::Tensor SoftValue(const torch::Tensor& q, double alpha);

// pi(.|s) for each row of q [B, A]; returns [B, A].
torch::Tensor BoltzmannProbabilities(const torch::Tensor& q, double alpha);

// Entropy of pi(.|s) in nats for each row of q; returns [B].
torch::Tensor BoltzmannEntropy(const torch::Tensor& q, double alpha);

// Draws one action per row of `probabilities` [B, A] (CPU, float) by
// inverting the cumulative distribution with one uniform draw from `rng`.
std::vector<int64_t> SampleActions(const torch::Tensor& probabilities,
                                   std::mt19937_64& rng);

// argmax_a Q(s, a) per row of q [B, A].
std::vector<int64_t> GreedyActions(const torch::Tensor& q);

// One action per row of q [B, A] (CPU): drawn from softmax(Q / alpha), or
// argmax Q when `deterministic`; log_probs are log pi(a|s) either way.
ActionBatch BoltzmannActions(const torch::Tensor& q, double alpha,
                             bool deterministic, std::mt19937_64& rng);

// The Boltzmann policy of a Q network (BoltzmannPolicySpec) with its
// temperature and weights version. Not thread-safe; one per acting thread.
class BoltzmannPolicy : public Policy {
 public:
  BoltzmannPolicy(int64_t observation_size, int64_t num_actions,
                  const std::vector<int64_t>& hidden);

  absl::Status Load(const v1::Weights& weights) override;
  // Sampled from pi, or argmax Q when `deterministic`; log_probs are
  // log pi(a|s) either way.
  ActionBatch Act(absl::Span<const float> observations, int batch,
                  bool deterministic, std::mt19937_64& rng) override;
  int64_t version() const override { return version_; }

  double temperature() const { return temperature_; }
  QNetwork& network() { return network_; }

 private:
  QNetwork network_;
  int64_t version_ = -1;
  double temperature_ = 1.0;
};

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_POLICY_BOLTZMANN_POLICY_H_
