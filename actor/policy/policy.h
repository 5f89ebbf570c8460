#ifndef ENTROPIC_ACTOR_POLICY_POLICY_H_
#define ENTROPIC_ACTOR_POLICY_POLICY_H_

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/env/environment.h"
#include "entropic/v1/parameters.pb.h"
#include "entropic/v1/policy.pb.h"

namespace entropic {

// The actions a policy chose for a batch of observations.
struct ActionBatch {
  // Discrete policies: one action index per row; empty for box policies.
  std::vector<int64_t> indices;
  // Box policies: [rows, action_size] row-major, within the space's bounds;
  // empty for discrete policies.
  std::vector<float> values;
  int64_t action_size = 0;
  // log pi(a|s) of each chosen action under the distribution it was drawn
  // from (the behaviour policy's log-probability that replay keeps beside
  // the action). For deterministic acting: the log-probability the
  // sampling policy gives that action.
  std::vector<float> log_probs;

  // Row `row`'s action as an environment takes it; valid while this batch
  // lives.
  Action action(int row) const;
};

// A policy built from a PolicySpec (policy.proto), acting with published
// weights: the one thing actors, the learner's evaluator and `entropic demos
// record` act with. CPU inference only. Not thread-safe: one per acting
// thread. LibTorch errors surface as c10::Error exceptions; callers turn
// them into statuses at their edge.
class Policy {
 public:
  virtual ~Policy() = default;

  // Loads published weights. InvalidArgument naming the tensor if they do
  // not fit the network; the policy is unchanged then.
  virtual absl::Status Load(const v1::Weights& weights) = 0;

  // Actions for `batch` observations laid out row-major in `observations`:
  // sampled from pi, or the deterministic action (argmax Q, the Gaussian's
  // mean) when `deterministic`.
  virtual ActionBatch Act(absl::Span<const float> observations, int batch,
                          bool deterministic, std::mt19937_64& rng) = 0;

  // Row `row` (one environment) begins an episode: policies that commit to
  // something per episode (a bootstrapped Q head, Thompson sampling) draw
  // it here from `rng`. Callers call it at every episode start of every
  // row; the default does nothing.
  virtual void BeginEpisode(int row, std::mt19937_64& rng) {}

  // Weights version loaded; -1 before the first Load.
  virtual int64_t version() const = 0;
};

// Most heads a bootstrapped Q policy may have (job_spec.cc checks jobs
// against the same bound).
inline constexpr int kMaxBootstrappedHeads = 64;

// The policy `spec` describes, with freshly initialised weights (Load
// published ones before acting). InvalidArgument naming the field for a
// spec that describes no policy (no case set, sizes not positive, bounds
// not ordered).
absl::StatusOr<std::unique_ptr<Policy>> MakePolicy(const v1::PolicySpec& spec);

// OK when `spec`'s policy can act in an environment with `info`'s spaces:
// the same observation size, and the same number of discrete actions or
// box dimensions. InvalidArgument naming the mismatch otherwise.
absl::Status CheckPolicyFits(const v1::PolicySpec& spec,
                             const EnvironmentInfo& info);

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_POLICY_POLICY_H_
