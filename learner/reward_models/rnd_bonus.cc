#include "learner/reward_models/rnd_bonus.h"

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "learner/reward_models/bonus_rows.h"

namespace entropic {
namespace {

// RND clips normalised observations to this magnitude.
constexpr double kObservationClip = 5.0;

std::vector<int64_t> Hidden(const v1::RndSpec& spec) {
  return {spec.hidden().begin(), spec.hidden().end()};
}

}  // namespace

RndBonus::RndBonus(const v1::RndSpec& spec, const EnvironmentInfo& env,
                   const torch::Device& device)
    : spec_(spec),
      device_(device),
      observation_size_(env.observation_space.FlatSize()),
      target_(observation_size_, spec.output_size(), Hidden(spec)),
      predictor_(observation_size_, spec.output_size(), Hidden(spec)),
      observation_statistics_(observation_size_, device),
      discounted_sums_(spec.gamma(), device) {
  target_->to(device);
  predictor_->to(device);
  for (torch::Tensor& p : target_->parameters()) p.set_requires_grad(false);
  optimizer_ = std::make_unique<torch::optim::Adam>(
      predictor_->parameters(), torch::optim::AdamOptions(spec_.lr()));
}

std::vector<StatisticSpec> RndBonus::statistics() const {
  return {
      {"rnd_mean",
       "Mean RND bonus (scale times normalised bonus) added to "
       "the latest batch's agent rewards"},
      {"rnd_std",
       "Standard deviation of the RND bonus added to the latest "
       "batch"},
      {"rnd_loss",
       "RND predictor's squared error against the target network "
       "(mean over outputs and agent rows) before its step"},
  };
}

torch::Tensor RndBonus::PredictionError(
    const torch::Tensor& next_observations) {
  const torch::Tensor x =
      observation_statistics_
          .Normalise(next_observations.to(device_, torch::kFloat32)
                         .reshape({-1, observation_size_}),
                     kObservationClip)
          .to(torch::kFloat32);
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    target = target_->forward(x);
  }
  return (predictor_->forward(x) - target).square().mean(1);
}

Statistics RndBonus::Process(TransitionBatch& batch, Algorithm& /*algorithm*/) {
  const torch::Tensor agent = AgentRowIndices(batch);
  if (agent.numel() == 0) return {};
  const torch::Tensor next_observations =
      batch.next_observations.index_select(0, agent);
  observation_statistics_.Update(
      next_observations.reshape({agent.size(0), observation_size_}));

  const torch::Tensor error = PredictionError(next_observations);
  const torch::Tensor loss = error.mean();
  const torch::Tensor bonus = error.detach().to(torch::kFloat64);
  optimizer_->zero_grad();
  loss.backward();
  optimizer_->step();

  const torch::Tensor normalised =
      discounted_sums_.Normalise(agent, batch.rewards.size(0), bonus);
  Statistics statistics =
      AddBonus(batch, agent, normalised * spec_.scale(), "rnd");
  statistics["rnd_loss"] = loss.item<double>();
  return statistics;
}

absl::Status RndBonus::Save(const std::string& directory) const {
  try {
    torch::save(target_, directory + "/rnd_target.pt");
    torch::save(predictor_, directory + "/rnd_predictor.pt");
    torch::save(*optimizer_, directory + "/rnd_optimizer.pt");
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("saving RND to ", directory, ": ",
                                            e.what_without_backtrace()));
  }
  RETURN_IF_ERROR(observation_statistics_.Save(
      directory + "/rnd_observation_statistics.pt"));
  return discounted_sums_.Save(directory + "/rnd_discounted");
}

absl::Status RndBonus::Load(const std::string& directory) {
  try {
    torch::load(target_, directory + "/rnd_target.pt", device_);
    torch::load(predictor_, directory + "/rnd_predictor.pt", device_);
    torch::load(*optimizer_, directory + "/rnd_optimizer.pt", device_);
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "loading RND in ", directory, ": ", e.what_without_backtrace()));
  }
  for (torch::Tensor& p : target_->parameters()) p.set_requires_grad(false);
  RETURN_IF_ERROR(observation_statistics_.Load(
      directory + "/rnd_observation_statistics.pt"));
  return discounted_sums_.Load(directory + "/rnd_discounted");
}

}  // namespace entropic
