#ifndef ENTROPIC_LEARNER_ALGORITHMS_ALGORITHM_H_
#define ENTROPIC_LEARNER_ALGORITHMS_ALGORITHM_H_

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "entropic/v1/parameters.pb.h"
#include "entropic/v1/policy.pb.h"
#include "learner/statistics.h"
#include "learner/transition_batch.h"

namespace entropic {

// What the job driver samples for an algorithm and how often it publishes.
struct SamplingPlan {
  int batch_size = 256;
  int n_step = 1;
  double gamma = 0.99;
  int publish_every_updates = 50;
  // Updates on demonstrations alone before actors join (behaviour cloning).
  int64_t pretrain_updates = 0;
};

// The plan of an algorithm spec with the common fields (batch_size, n_step,
// gamma, publish_every_updates, imitation), as SoftQSpec and SacSpec have.
template <typename Spec>
SamplingPlan SamplingPlanOf(const Spec& spec) {
  SamplingPlan plan;
  plan.batch_size = spec.batch_size();
  plan.n_step = spec.n_step();
  plan.gamma = spec.gamma();
  plan.publish_every_updates = spec.publish_every_updates();
  plan.pretrain_updates = spec.imitation().pretrain_updates();
  return plan;
}

// What one update did.
struct AlgorithmUpdate {
  Statistics statistics;
  // [B] on the CPU: new priorities for a prioritized table (|TD error|);
  // undefined when the algorithm has none.
  torch::Tensor priorities;
};

// A learning algorithm (soft Q-learning, soft actor-critic, ...) as the job
// driver (learner/trainer.cc) sees it: created from the job spec, the
// environment's spaces and the device by MakeAlgorithm
// (learner/algorithms/factory.h), it updates on batches, gives the weights
// actors act with and the policy they belong to, answers log pi(a|s) for
// the reward models that need it, and saves and restores everything it
// owns. The driver knows no algorithm by name.
//
// Not thread-safe: owned by one trainer thread. LibTorch errors surface as
// c10::Error exceptions, which the driver turns into a failed job.
class Algorithm {
 public:
  virtual ~Algorithm() = default;

  // The statistics every Update reports, in a fixed order (CSV columns).
  virtual std::vector<StatisticSpec> statistics() const = 0;
  virtual SamplingPlan sampling() const = 0;

  // One update on `batch`, whose rewards the reward models may have
  // rewritten.
  virtual AlgorithmUpdate Update(const TransitionBatch& batch) = 0;

  // log pi(a|s) [B] of the current policy for `observations` [B, obs] and
  // `actions` (as in TransitionBatch); no gradient.
  virtual torch::Tensor LogPolicy(const torch::Tensor& observations,
                                  const torch::Tensor& actions) = 0;

  // The policy actors build (policy.proto) and its current weights (job id
  // and version left for the driver to set).
  virtual v1::PolicySpec policy() const = 0;
  virtual v1::Weights Weights() const = 0;

  // Updates done so far (restored by Load).
  virtual int64_t updates() const = 0;
  virtual const torch::Device& device() const = 0;

  // Writes / reads the algorithm's networks, optimisers, temperature and
  // update count as files under `directory` (which exists). Load returns
  // InvalidArgument naming the file that does not fit.
  virtual absl::Status Save(const std::string& directory) const = 0;
  virtual absl::Status Load(const std::string& directory) = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_ALGORITHMS_ALGORITHM_H_
