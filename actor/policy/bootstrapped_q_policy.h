#ifndef ENTROPIC_ACTOR_POLICY_BOOTSTRAPPED_Q_POLICY_H_
#define ENTROPIC_ACTOR_POLICY_BOOTSTRAPPED_Q_POLICY_H_

#include <cstdint>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "actor/policy/bootstrapped_q_network.h"
#include "actor/policy/policy.h"
#include "entropic/v1/parameters.pb.h"
#include "entropic/v1/policy.pb.h"

namespace entropic {

// Thompson sampling over the heads of a BootstrappedQNetwork
// (BootstrappedQPolicySpec): each row (environment) acts with one head,
// drawn uniformly at its episode's start (BeginEpisode), by the Boltzmann
// policy softmax(Q_k / alpha) of that head; deterministic acting takes
// argmax of the heads' mean Q. A row that Act sees before any BeginEpisode
// draws its head then. Not thread-safe; one per acting thread.
class BootstrappedQPolicy : public Policy {
 public:
  explicit BootstrappedQPolicy(const v1::BootstrappedQPolicySpec& spec);

  absl::Status Load(const v1::Weights& weights) override;
  // log_probs are log softmax(Q / alpha) of the Q the action came from (the
  // row's head, or the heads' mean when `deterministic`).
  ActionBatch Act(absl::Span<const float> observations, int batch,
                  bool deterministic, std::mt19937_64& rng) override;
  void BeginEpisode(int row, std::mt19937_64& rng) override;
  int64_t version() const override { return version_; }

  // The head row `row` acts with; -1 before its first episode.
  int head(int row) const;
  double temperature() const { return temperature_; }
  BootstrappedQNetwork& network() { return network_; }

 private:
  BootstrappedQNetwork network_;
  std::vector<int> heads_;
  int64_t version_ = -1;
  double temperature_ = 1.0;
};

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_POLICY_BOOTSTRAPPED_Q_POLICY_H_
