#ifndef ENTROPIC_LEARNER_REWARD_MODELS_REWARD_MODEL_H_
#define ENTROPIC_LEARNER_REWARD_MODELS_REWARD_MODEL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "learner/algorithms/algorithm.h"
#include "learner/statistics.h"
#include "learner/transition_batch.h"

namespace entropic {

// A model that changes the rewards an algorithm learns from: adversarial
// IRL's discriminators (AIRL, GAIL) replace them, exploration bonuses add to
// them. The job driver stacks a job's models in front of its algorithm
// (learner/reward_models/factory.h) and runs them in order on every batch
// before the algorithm's update.
//
// Not thread-safe: owned by one trainer thread; LibTorch errors surface as
// c10::Error exceptions.
class RewardModel {
 public:
  virtual ~RewardModel() = default;

  // The statistics every Process reports (see statistics.h).
  virtual std::vector<StatisticSpec> statistics() const = 0;

  // Learns from `batch` if the model learns, then rewrites or adds to
  // batch.rewards. `algorithm` answers log pi(a|s) for models that need it.
  virtual Statistics Process(TransitionBatch& batch, Algorithm& algorithm) = 0;

  // Writes / reads the model's own state under `directory` (which exists).
  virtual absl::Status Save(const std::string& directory) const = 0;
  virtual absl::Status Load(const std::string& directory) = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_REWARD_MODELS_REWARD_MODEL_H_
