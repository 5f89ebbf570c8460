#ifndef ENTROPIC_LEARNER_ALGORITHMS_BOOTSTRAPPED_SOFT_Q_H_
#define ENTROPIC_LEARNER_ALGORITHMS_BOOTSTRAPPED_SOFT_Q_H_

#include <torch/optim/adam.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "actor/policy/bootstrapped_q_network.h"
#include "entropic/v1/job_spec.pb.h"
#include "entropic/v1/parameters.pb.h"
#include "learner/algorithms/algorithm.h"
#include "learner/transition_batch.h"

namespace entropic {

// The per-head soft Bellman targets of bootstrapped soft Q:
//   y_k = r + d alpha logsumexp(Q'_k(s', .) / alpha)
// with `next_q_target` [B, K, A] every target head's Q at s', `rewards` and
// `discounts` [B] as in SoftBellmanTarget. Returns [B, K].
torch::Tensor BootstrappedSoftBellmanTargets(const torch::Tensor& next_q_target,
                                             const torch::Tensor& rewards,
                                             const torch::Tensor& discounts,
                                             double alpha);

// The bootstrapped loss: each head's Huber loss averaged over the
// transitions its mask keeps, summed over the heads,
//   L = sum_k sum_b m_bk w_b huber(q_bk - y_bk) / max(1, sum_b m_bk),
// so a head trains as if its mask's transitions were its whole batch (its
// gradient does not shrink with mask_probability or grow with K), and a
// head whose mask keeps nothing gets no gradient. `q_taken`, `targets` and
// `masks` are [B, K]; `weights` [B] (importance weights). Returns a scalar.
torch::Tensor BootstrappedLoss(const torch::Tensor& q_taken,
                               const torch::Tensor& targets,
                               const torch::Tensor& masks,
                               const torch::Tensor& weights,
                               double huber_delta);

// What one update did.
struct BootstrappedSoftQUpdate {
  double loss = 0;            // BootstrappedLoss / K: mean over heads
  double q_mean = 0;          // mean Q_k(s, a) over heads and batch
  double disagreement = 0;    // mean over the batch of std_k Q_k(s, a)
  double mask_fraction = 0;   // share of (transition, head) pairs kept
  double entropy = 0;         // mean entropy of the heads' pi(.|s), nats
  double temperature = 0;
  // [B] on the CPU: the heads' mean |Q_k(s, a) - y_k|, for prioritized
  // replay.
  torch::Tensor td_errors;
};

// Bootstrapped soft Q-learning with randomised priors (Osband et al. 2016,
// 2018; job_spec.proto's BootstrappedHeadsSpec with SoftQSpec's
// hyperparameters): an online and a target BootstrappedQNetwork, each head
// k trained on the transitions its bootstrap mask (the batch's
// kBootstrapMaskColumn, written by actors) keeps towards its own target
// head's soft value; the priors are never trained (they are not in the
// optimiser). Gradients are clipped per head to max_grad_norm, so heads
// stay independent. The temperature is fixed (SoftQSpec.alpha). Actors act
// with BootstrappedQPolicy (Thompson sampling over heads).
// Not thread-safe: owned by one trainer thread. LibTorch errors surface as
// c10::Error exceptions (also for a batch without the mask column).
class BootstrappedSoftQLearner : public Algorithm {
 public:
  // InvalidArgument for a device LibTorch cannot use.
  static absl::StatusOr<std::unique_ptr<BootstrappedSoftQLearner>> Create(
      const v1::SoftQSpec& spec, const v1::BootstrappedHeadsSpec& heads,
      int64_t observation_size, int64_t num_actions, const std::string& device,
      uint64_t seed);

  BootstrappedSoftQUpdate Step(const TransitionBatch& batch);

  // Algorithm: Step's results as statistics (loss, q_mean,
  // bootstrap_head_disagreement, bootstrap_mask_fraction, temperature,
  // policy_entropy_nats) and its TD errors as priorities.
  std::vector<StatisticSpec> statistics() const override;
  SamplingPlan sampling() const override;
  AlgorithmUpdate Update(const TransitionBatch& batch) override;
  // log pi(a|s) of the Boltzmann policy of the heads' mean Q (the greedy
  // evaluation policy's soft counterpart); no gradient.
  torch::Tensor LogPolicy(const torch::Tensor& observations,
                          const torch::Tensor& actions) override;
  v1::PolicySpec policy() const override;
  // Every head's trained and prior parameters, with the temperature.
  v1::Weights Weights() const override;
  int64_t updates() const override { return updates_; }
  const torch::Device& device() const override { return device_; }
  absl::Status Save(const std::string& directory) const override;
  absl::Status Load(const std::string& directory) override;

  BootstrappedQNetwork& online() { return online_; }

 private:
  BootstrappedSoftQLearner(const v1::SoftQSpec& spec,
                           const v1::BootstrappedHeadsSpec& heads,
                           int64_t observation_size, int64_t num_actions,
                           torch::Device device);

  const v1::SoftQSpec spec_;
  const v1::BootstrappedHeadsSpec heads_;
  const torch::Device device_;
  const int64_t observation_size_;
  const int64_t num_actions_;
  BootstrappedQNetwork online_;
  BootstrappedQNetwork target_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  int64_t updates_ = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_ALGORITHMS_BOOTSTRAPPED_SOFT_Q_H_
