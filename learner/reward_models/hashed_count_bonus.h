#ifndef ENTROPIC_LEARNER_REWARD_MODELS_HASHED_COUNT_BONUS_H_
#define ENTROPIC_LEARNER_REWARD_MODELS_HASHED_COUNT_BONUS_H_

#include <string>
#include <vector>

#include "common/env/environment.h"
#include "entropic/v1/job_spec.pb.h"
#include "entropic/v1/replay.pb.h"
#include "learner/reward_models/reward_model.h"

namespace entropic {

// The replay table's visit counts for a job's hashed_counts: k and the seed
// from the spec, and each observation element's centre and half width from
// the observation space's bounds, (high + low) / 2 and (high - low) / 2,
// or 0 and 1 where a bound is infinite (or float32's largest, Gymnasium's
// stand-in for it) or the range is empty. The counts come back in
// kVisitCountColumn.
v1::VisitCountConfig VisitCountConfigFor(const v1::HashedCountSpec& spec,
                                         const Space& observation_space);

// Count-based exploration with counts kept by replay (Tang et al. 2017):
// every sampled agent transition's reward gains beta / sqrt(max(n, 1)),
// beta = spec.scale, n the count of its first observation's SimHash code
// that replay returned with it (kVisitCountColumn: every transition every
// actor inserted, evicted ones included). Demonstration rows get no bonus.
// The model learns nothing and has no loss: its state is replay's counts.
//
// Not thread-safe (one trainer thread). Process throws c10::Error if the
// batch lacks the count column (the table was created without counts).
class HashedCountBonus : public RewardModel {
 public:
  explicit HashedCountBonus(const v1::HashedCountSpec& spec);

  std::vector<StatisticSpec> statistics() const override;
  Statistics Process(TransitionBatch& batch, Algorithm& algorithm) override;
  // Nothing to keep: the counts live in replay.
  absl::Status Save(const std::string& directory) const override;
  absl::Status Load(const std::string& directory) override;

 private:
  const double beta_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_REWARD_MODELS_HASHED_COUNT_BONUS_H_
