#ifndef ENTROPIC_LEARNER_REWARD_MODELS_ADVERSARIAL_REWARD_H_
#define ENTROPIC_LEARNER_REWARD_MODELS_ADVERSARIAL_REWARD_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/env/environment.h"
#include "entropic/v1/job_spec.pb.h"
#include "learner/reward_models/discriminator.h"
#include "learner/reward_models/reward_model.h"

namespace entropic {

// Adversarial IRL as a reward model (AIRL or GAIL, AdversarialSpec): on
// every batch the discriminator takes one step telling demonstrations from
// agent transitions, then the batch's rewards become its learned reward
// (the environment's stay hidden from the algorithm). With
// reward_checkpoint the discriminator of a finished job is loaded frozen and
// the reward is g(s, a) or c(s, a) alone.
class AdversarialReward : public RewardModel {
 public:
  // `algorithm_field` names the spec's place in errors
  // ("algorithm.soft_q.adversarial"). InvalidArgument if reward_checkpoint
  // does not load.
  static absl::StatusOr<std::unique_ptr<AdversarialReward>> Create(
      const v1::AdversarialSpec& spec, double gamma, const EnvironmentInfo& env,
      const torch::Device& device, const std::string& field);

  std::vector<StatisticSpec> statistics() const override;
  Statistics Process(TransitionBatch& batch, Algorithm& algorithm) override;
  // A frozen discriminator is not saved: the job spec names its files.
  absl::Status Save(const std::string& directory) const override;
  absl::Status Load(const std::string& directory) override;

 private:
  AdversarialReward(const v1::AdversarialSpec& spec, double gamma,
                    const EnvironmentInfo& env, const torch::Device& device);

  bool frozen() const { return !spec_.reward_checkpoint().empty(); }

  const v1::AdversarialSpec spec_;
  Discriminator discriminator_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_REWARD_MODELS_ADVERSARIAL_REWARD_H_
