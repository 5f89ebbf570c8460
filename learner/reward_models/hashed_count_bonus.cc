#include "learner/reward_models/hashed_count_bonus.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "common/replay_columns.h"

namespace entropic {
namespace {

// Bounds Gymnasium means as "none": infinite, or float32's largest.
bool Unbounded(float bound) {
  return !std::isfinite(bound) ||
         std::fabs(bound) >= std::numeric_limits<float>::max();
}

}  // namespace

v1::VisitCountConfig VisitCountConfigFor(const v1::HashedCountSpec& spec,
                                         const Space& observation_space) {
  v1::VisitCountConfig config;
  config.set_bits(spec.bits());
  config.set_seed(spec.seed());
  config.set_column(kVisitCountColumn);
  const int64_t elements = observation_space.FlatSize();
  const bool bounded =
      static_cast<int64_t>(observation_space.low.size()) == elements &&
      static_cast<int64_t>(observation_space.high.size()) == elements;
  for (int64_t j = 0; j < elements; ++j) {
    double center = 0;
    double half_width = 1;
    if (bounded) {
      const float low = observation_space.low[j];
      const float high = observation_space.high[j];
      if (!Unbounded(low) && !Unbounded(high) && high > low) {
        center = (static_cast<double>(high) + low) / 2;
        half_width = (static_cast<double>(high) - low) / 2;
      }
    }
    config.add_center(center);
    config.add_half_width(half_width);
  }
  return config;
}

HashedCountBonus::HashedCountBonus(const v1::HashedCountSpec& spec)
    : beta_(spec.scale()) {}

std::vector<StatisticSpec> HashedCountBonus::statistics() const {
  return {
      {"hashed_count_mean",
       "Mean count bonus beta / sqrt(n) added to the latest batch's agent "
       "rewards"},
      {"hashed_count_std",
       "Standard deviation of the count bonus on the latest batch's agent "
       "transitions"},
  };
}

Statistics HashedCountBonus::Process(TransitionBatch& batch,
                                     Algorithm& algorithm) {
  const auto found = batch.extra.find(kVisitCountColumn);
  TORCH_CHECK(found != batch.extra.end(), "hashed_counts: the batch has no ",
              kVisitCountColumn,
              " column; the agent table must be created with visit_counts");
  const torch::Tensor counts = found->second.to(torch::kFloat32).reshape({-1});
  const torch::Tensor agent = batch.from_demonstrations.logical_not().to(
      counts.device(), torch::kFloat32);
  const torch::Tensor bonus =
      beta_ * counts.clamp_min(1.0).rsqrt() * agent;
  batch.rewards = batch.rewards + bonus;
  const double agent_rows = agent.sum().item<double>();
  if (agent_rows == 0) return {};
  const double mean = bonus.sum().item<double>() / agent_rows;
  const double variance =
      ((bonus - mean).square() * agent).sum().item<double>() / agent_rows;
  return {{"hashed_count_mean", mean},
          {"hashed_count_std", std::sqrt(std::max(variance, 0.0))}};
}

absl::Status HashedCountBonus::Save(const std::string& directory) const {
  return absl::OkStatus();
}

absl::Status HashedCountBonus::Load(const std::string& directory) {
  return absl::OkStatus();
}

}  // namespace entropic
