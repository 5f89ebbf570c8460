#include "learner/reward_models/forward_model_bonus.h"

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "learner/reward_models/bonus_rows.h"

namespace entropic {
namespace {

constexpr double kObservationClip = 5.0;

std::vector<int64_t> Hidden(const v1::ForwardModelSpec& spec) {
  return {spec.hidden().begin(), spec.hidden().end()};
}

}  // namespace

ForwardModelBonus::ForwardModelBonus(const v1::ForwardModelSpec& spec,
                                     const EnvironmentInfo& env,
                                     const torch::Device& device)
    : spec_(spec),
      device_(device),
      observation_size_(env.observation_space.FlatSize()),
      discrete_(env.action_space.kind == Space::Kind::kDiscrete),
      action_features_(discrete_ ? env.action_space.num_actions
                                 : env.action_space.FlatSize()),
      model_(observation_size_ + action_features_, observation_size_,
             Hidden(spec)),
      observation_statistics_(observation_size_, device) {
  model_->to(device);
  optimizer_ = std::make_unique<torch::optim::Adam>(
      model_->parameters(), torch::optim::AdamOptions(spec_.lr()));
}

std::vector<StatisticSpec> ForwardModelBonus::statistics() const {
  return {
      {"forward_model_mean",
       "Mean forward-model bonus (scale times error) "
       "added to the latest batch's agent rewards"},
      {"forward_model_std",
       "Standard deviation of the forward-model bonus "
       "added to the latest batch"},
      {"forward_model_loss",
       "Forward model's squared error on the normalised "
       "next observation (mean over dimensions and "
       "agent rows) before its step"},
  };
}

torch::Tensor ForwardModelBonus::ActionFeatures(
    const torch::Tensor& actions) const {
  if (discrete_) {
    return torch::one_hot(actions.to(device_, torch::kInt64).reshape({-1}),
                          action_features_)
        .to(torch::kFloat32);
  }
  return actions.to(device_, torch::kFloat32).reshape({-1, action_features_});
}

torch::Tensor ForwardModelBonus::PredictionError(
    const torch::Tensor& observations, const torch::Tensor& actions,
    const torch::Tensor& next_observations) {
  const auto normalise = [this](const torch::Tensor& o) {
    return observation_statistics_
        .Normalise(
            o.to(device_, torch::kFloat32).reshape({-1, observation_size_}),
            kObservationClip)
        .to(torch::kFloat32);
  };
  const torch::Tensor input =
      torch::cat({normalise(observations), ActionFeatures(actions)}, 1);
  return (model_->forward(input) - normalise(next_observations))
      .square()
      .mean(1);
}

Statistics ForwardModelBonus::Process(TransitionBatch& batch,
                                      Algorithm& /*algorithm*/) {
  const torch::Tensor agent = AgentRowIndices(batch);
  if (agent.numel() == 0) return {};
  const torch::Tensor observations = batch.observations.index_select(0, agent);
  const torch::Tensor actions =
      batch.actions.to(agent.device()).index_select(0, agent);
  const torch::Tensor next_observations =
      batch.next_observations.index_select(0, agent);
  observation_statistics_.Update(
      next_observations.reshape({agent.size(0), observation_size_}));

  const torch::Tensor error =
      PredictionError(observations, actions, next_observations);
  const torch::Tensor loss = error.mean();
  optimizer_->zero_grad();
  loss.backward();
  optimizer_->step();

  Statistics statistics =
      AddBonus(batch, agent, error.detach() * spec_.scale(), "forward_model");
  statistics["forward_model_loss"] = loss.item<double>();
  return statistics;
}

absl::Status ForwardModelBonus::Save(const std::string& directory) const {
  try {
    torch::save(model_, directory + "/forward_model.pt");
    torch::save(*optimizer_, directory + "/forward_model_optimizer.pt");
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("saving the forward model to ",
                                            directory, ": ",
                                            e.what_without_backtrace()));
  }
  return observation_statistics_.Save(
      directory + "/forward_model_observation_statistics.pt");
}

absl::Status ForwardModelBonus::Load(const std::string& directory) {
  try {
    torch::load(model_, directory + "/forward_model.pt", device_);
    torch::load(*optimizer_, directory + "/forward_model_optimizer.pt",
                device_);
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("loading the forward model in ", directory, ": ",
                     e.what_without_backtrace()));
  }
  return observation_statistics_.Load(
      directory + "/forward_model_observation_statistics.pt");
}

}  // namespace entropic
