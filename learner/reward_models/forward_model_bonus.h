#ifndef ENTROPIC_LEARNER_REWARD_MODELS_FORWARD_MODEL_BONUS_H_
#define ENTROPIC_LEARNER_REWARD_MODELS_FORWARD_MODEL_BONUS_H_

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

// Forward-model prediction error (Stadie et al. 2015; job_spec.proto's
// ForwardModelSpec) as a reward model: an MLP g predicts the normalised next
// observation from the normalised observation and the action,
//   x = clip((o - mu) / sigma, -5, 5),  x' likewise for o',
//   bonus = mean_d (g([x, a])_d - x'_d)^2,
// a one-hot for discrete actions and the raw action for box actions; mu,
// sigma are running statistics of the agent rows' next observations (one
// normaliser for o and o': both are states the agent reached). scale * bonus
// is added to every agent row's reward; demonstration rows get none and do
// not train g. Each Process updates the statistics, computes the bonus with
// g as it was before this batch (as RndBonus does, for the same reason),
// then takes one Adam step on the mean bonus.
//
// Not thread-safe: used by one trainer thread.
class ForwardModelBonus : public RewardModel {
 public:
  ForwardModelBonus(const v1::ForwardModelSpec& spec,
                    const EnvironmentInfo& env, const torch::Device& device);

  std::vector<StatisticSpec> statistics() const override;
  Statistics Process(TransitionBatch& batch, Algorithm& algorithm) override;
  // The model, its optimiser and the observation statistics, as
  // forward_model_*.pt.
  absl::Status Save(const std::string& directory) const override;
  absl::Status Load(const std::string& directory) override;

  // The unscaled bonus of every row of the given tensors.
  torch::Tensor PredictionError(const torch::Tensor& observations,
                                const torch::Tensor& actions,
                                const torch::Tensor& next_observations);

 private:
  // The action as the model's input, [m, action features] float32.
  torch::Tensor ActionFeatures(const torch::Tensor& actions) const;

  const v1::ForwardModelSpec spec_;
  const torch::Device device_;
  const int64_t observation_size_;
  const bool discrete_;
  // One-hot width or box action size.
  const int64_t action_features_;
  Mlp model_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  RunningMeanStd observation_statistics_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_REWARD_MODELS_FORWARD_MODEL_BONUS_H_
