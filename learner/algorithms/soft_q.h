#ifndef ENTROPIC_LEARNER_ALGORITHMS_SOFT_Q_H_
#define ENTROPIC_LEARNER_ALGORITHMS_SOFT_Q_H_

#include <torch/nn/module.h>
#include <torch/optim/adam.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "actor/policy/q_network.h"
#include "entropic/v1/job_spec.pb.h"
#include "entropic/v1/parameters.pb.h"
#include "learner/algorithms/algorithm.h"
#include "learner/transition_batch.h"

namespace entropic {

// The soft Bellman target of soft Q-learning:
//   y = r + d alpha logsumexp(Q_target(s', .) / alpha)
// with d = gamma (1 - terminated) for one step, or gamma^m (0 if terminated)
// for an m-step sum of rewards r. `next_q_target` is [B, A]; the others are
// [B]. Returns [B].
torch::Tensor SoftBellmanTarget(const torch::Tensor& next_q_target,
                                const torch::Tensor& rewards,
                                const torch::Tensor& discounts, double alpha);

// The supervised loss of learning from demonstrations, per transition:
// `expert_actions` [B] taken in states whose Q values are `q` [B, A].
//   LOG_LIKELIHOOD: -log softmax(q / alpha)[a_E]
//   LARGE_MARGIN:   max_a (q[a] + margin [a != a_E]) - q[a_E]
torch::Tensor ImitationLoss(const torch::Tensor& q,
                            const torch::Tensor& expert_actions, double alpha,
                            const v1::ImitationSpec& spec);

// What one update did.
struct SoftQUpdate {
  double loss = 0;         // Huber loss of Q(s, a) against y
  double q_mean = 0;       // mean Q(s, a) of the batch
  double entropy = 0;      // mean entropy of pi(.|s) on the batch, nats
  double temperature = 0;  // alpha after the update
  // [B] |Q(s, a) - y| on the CPU: new priorities for prioritized replay.
  torch::Tensor td_errors;
  // With an imitation spec and demonstrations in the batch: the mean
  // supervised loss on them, and the share where argmax Q is the expert's
  // action. -1 when the batch holds no demonstration.
  double imitation_loss = -1;
  double expert_agreement = -1;
};

// Soft Q-learning for discrete actions (see job_spec.proto's SoftQSpec): an
// online and a target QNetwork, Adam, Huber loss, a fixed or auto-tuned
// temperature; actors act with the Boltzmann policy of the online network.
// Not thread-safe: owned by one trainer thread. LibTorch errors surface as
// c10::Error exceptions; the trainer turns them into statuses.
class SoftQLearner : public Algorithm {
 public:
  // InvalidArgument for a device LibTorch cannot use.
  static absl::StatusOr<std::unique_ptr<SoftQLearner>> Create(
      const v1::SoftQSpec& spec, int64_t observation_size, int64_t num_actions,
      const std::string& device, uint64_t seed);

  // One gradient step on `batch`, its Huber loss weighted per transition by
  // batch.weights (importance weights of prioritized replay), plus
  // imitation.weight times the mean ImitationLoss of its demonstration
  // transitions when the spec has an imitation part.
  SoftQUpdate Step(const TransitionBatch& batch);

  // Algorithm: Step's results as statistics (loss, q_mean, temperature,
  // policy_entropy_nats, imitation_loss, expert_action_agreement) and its
  // TD errors as priorities.
  std::vector<StatisticSpec> statistics() const override;
  SamplingPlan sampling() const override;
  AlgorithmUpdate Update(const TransitionBatch& batch) override;
  // log pi(a|s) of the Boltzmann policy of the online network for each row
  // of `observations` [B, obs] and `actions` [B]; no gradient.
  torch::Tensor LogPolicy(const torch::Tensor& observations,
                          const torch::Tensor& actions) override;
  v1::PolicySpec policy() const override;
  // The online network's parameters, with the temperature.
  v1::Weights Weights() const override;
  int64_t updates() const override { return updates_; }
  const torch::Device& device() const override { return device_; }
  // The networks, optimisers, temperature and update count.
  absl::Status Save(const std::string& directory) const override;
  absl::Status Load(const std::string& directory) override;

  double temperature() const;

 private:
  SoftQLearner(const v1::SoftQSpec& spec, int64_t observation_size,
               int64_t num_actions, torch::Device device);

  const v1::SoftQSpec spec_;
  const torch::Device device_;
  const int64_t observation_size_;
  const int64_t num_actions_;
  QNetwork online_;
  QNetwork target_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  torch::Tensor log_alpha_;  // trained only with auto_alpha
  std::unique_ptr<torch::optim::Adam> alpha_optimizer_;
  int64_t updates_ = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_ALGORITHMS_SOFT_Q_H_
