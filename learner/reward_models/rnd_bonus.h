#ifndef ENTROPIC_LEARNER_REWARD_MODELS_RND_BONUS_H_
#define ENTROPIC_LEARNER_REWARD_MODELS_RND_BONUS_H_

#include <torch/optim/adam.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "actor/policy/mlp.h"
#include "common/env/environment.h"
#include "entropic/v1/job_spec.pb.h"
#include "learner/reward_models/reward_model.h"
#include "learner/running_statistics.h"

namespace entropic {

// Random network distillation (Burda et al. 2019; job_spec.proto's
// RndSpec) as a reward model. For each agent row's next observation s':
//   x = clip((s' - mu) / sigma, -5, 5)        mu, sigma: running statistics
//   e = mean_k (f_hat(x)_k - f(x)_k)^2          f fixed random, f_hat trained
//   R <- gamma R + e                            one R per batch row
//   bonus = e / std(R)                          std(R): running, over updates
// and scale * bonus is added to the row's reward. Demonstration rows get
// none and do not train the predictor.
//
// std(R): RND normalises its bonus by the running standard deviation of the
// discounted sum of bonuses along each environment's stream. Replay batches
// are random transitions, not time-ordered, so there is no stream; instead
// each batch row position keeps its own accumulator across updates
// (DiscountedSumNormaliser, running_statistics.h): R is a discounted sum of
// bonuses drawn from the replay distribution, and its standard deviation
// (running over every R seen) sets the bonus's scale as RND's does, so one
// `scale` fits environments whose raw errors differ by orders of magnitude.
//
// Each Process first updates the observation statistics with the batch's
// agent next observations, then computes the bonus with the predictor as it
// was before this batch's step, then takes one Adam step on mean e. Before,
// not after: the step fits exactly these rows, so their error after it
// would understate how novel they were (RND too computes a rollout's bonus
// before its optimisation epochs).
//
// Not thread-safe: used by one trainer thread.
class RndBonus : public RewardModel {
 public:
  RndBonus(const v1::RndSpec& spec, const EnvironmentInfo& env,
           const torch::Device& device);

  std::vector<StatisticSpec> statistics() const override;
  Statistics Process(TransitionBatch& batch, Algorithm& algorithm) override;
  // Target and predictor networks, optimiser, the observation and
  // discounted-sum statistics and the accumulators, as rnd_*.pt.
  absl::Status Save(const std::string& directory) const override;
  absl::Status Load(const std::string& directory) override;

  // The unscaled, unnormalised prediction error e of every row of
  // `next_observations` under the current statistics and predictor.
  torch::Tensor PredictionError(const torch::Tensor& next_observations);

  const RunningMeanStd& observation_statistics() const {
    return observation_statistics_;
  }
  const DiscountedSumNormaliser& discounted_sums() const {
    return discounted_sums_;
  }

 private:
  const v1::RndSpec spec_;
  const torch::Device device_;
  const int64_t observation_size_;
  Mlp target_;
  Mlp predictor_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  RunningMeanStd observation_statistics_;
  DiscountedSumNormaliser discounted_sums_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_REWARD_MODELS_RND_BONUS_H_
