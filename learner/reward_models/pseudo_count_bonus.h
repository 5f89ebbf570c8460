#ifndef ENTROPIC_LEARNER_REWARD_MODELS_PSEUDO_COUNT_BONUS_H_
#define ENTROPIC_LEARNER_REWARD_MODELS_PSEUDO_COUNT_BONUS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/env/environment.h"
#include "entropic/v1/job_spec.pb.h"
#include "learner/reward_models/histogram_density.h"
#include "learner/reward_models/reward_model.h"

namespace entropic {

// Pseudo-counts from a density model (Bellemare et al. 2016; job_spec.proto's
// PseudoCountSpec) as a reward model. The density model is a
// HistogramDensity over the observation space's bounds (unbounded
// dimensions span [-10, 10], histogram_density.h). Each agent row's next
// observation x, in batch order, is first observed by the model, then
//   rho  = prod_d n_d(x_d) / N          (the counts after observing x)
//   rho' = prod_d (n_d(x_d) + 1) / (N + 1)
//   N_hat = rho (1 - rho') / (rho' - rho),  bonus = beta / sqrt(N_hat + 0.01)
// and beta * ... is added to the row's reward (beta = scale); demonstration
// rows get none and are not counted. The model counts sampled transitions,
// so a state's count grows with how often replay hands it out (about
// samples_per_insert times per visit under uniform sampling), not with
// visits alone: the bonus ranks states the same way and decays faster.
//
// Its "loss" statistic is the mean negative log-density -log rho(x), in
// nats, of the batch's agent next observations.
//
// Not thread-safe: used by one trainer thread.
class PseudoCountBonus : public RewardModel {
 public:
  // InvalidArgument naming `field` if the observation space cannot carry a
  // histogram (no box bounds).
  static absl::StatusOr<std::unique_ptr<PseudoCountBonus>> Create(
      const v1::PseudoCountSpec& spec, const EnvironmentInfo& env,
      const std::string& field);

  std::vector<StatisticSpec> statistics() const override;
  Statistics Process(TransitionBatch& batch, Algorithm& algorithm) override;
  // The histogram's counts, as pseudo_counts.pt.
  absl::Status Save(const std::string& directory) const override;
  absl::Status Load(const std::string& directory) override;

  const HistogramDensity& density() const { return *density_; }

 private:
  PseudoCountBonus(const v1::PseudoCountSpec& spec,
                   std::unique_ptr<HistogramDensity> density);

  const v1::PseudoCountSpec spec_;
  std::unique_ptr<HistogramDensity> density_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_REWARD_MODELS_PSEUDO_COUNT_BONUS_H_
