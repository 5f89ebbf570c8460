#include "learner/reward_models/pseudo_count_bonus.h"

#include <torch/torch.h>

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "learner/reward_models/bonus_rows.h"

namespace entropic {

absl::StatusOr<std::unique_ptr<PseudoCountBonus>> PseudoCountBonus::Create(
    const v1::PseudoCountSpec& spec, const EnvironmentInfo& env,
    const std::string& field) {
  const Space& space = env.observation_space;
  std::vector<float> low = space.low;
  std::vector<float> high = space.high;
  if (space.kind == Space::Kind::kDiscrete) {
    // A discrete observation is its index: one bin per value when bins
    // allow.
    low = {-0.5f};
    high = {static_cast<float>(space.num_actions) - 0.5f};
  }
  absl::StatusOr<std::unique_ptr<HistogramDensity>> density =
      HistogramDensity::Create(low, high, spec.bins());
  if (!density.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": ", env.id, "'s observations: ", density.status().message()));
  }
  return std::unique_ptr<PseudoCountBonus>(
      new PseudoCountBonus(spec, *std::move(density)));
}

PseudoCountBonus::PseudoCountBonus(const v1::PseudoCountSpec& spec,
                                   std::unique_ptr<HistogramDensity> density)
    : spec_(spec), density_(std::move(density)) {}

std::vector<StatisticSpec> PseudoCountBonus::statistics() const {
  return {
      {"pseudo_counts_mean",
       "Mean pseudo-count bonus beta / sqrt(N + 0.01) "
       "added to the latest batch's agent rewards"},
      {"pseudo_counts_std",
       "Standard deviation of the pseudo-count bonus "
       "added to the latest batch"},
      {"pseudo_counts_loss",
       "Mean negative log-density (nats) of the latest "
       "batch's agent next observations under the "
       "histogram model, after counting them"},
  };
}

Statistics PseudoCountBonus::Process(TransitionBatch& batch,
                                     Algorithm& /*algorithm*/) {
  torch::NoGradGuard no_grad;
  const torch::Tensor agent = AgentRowIndices(batch);
  if (agent.numel() == 0) return {};
  const int64_t rows = agent.size(0);
  const int64_t size = density_->dimensions();
  const torch::Tensor next_observations =
      batch.next_observations.index_select(0, agent)
          .reshape({rows, size})
          .to(torch::kCPU, torch::kFloat32)
          .contiguous();
  const float* values = next_observations.data_ptr<float>();
  torch::Tensor bonus = torch::empty({rows}, torch::kFloat64);
  double* bonus_values = bonus.data_ptr<double>();
  double negative_log_density = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const absl::Span<const float> x(values + i * size, size);
    density_->Observe(x);
    negative_log_density -= std::log(density_->Density(x));
    bonus_values[i] =
        spec_.scale() / std::sqrt(density_->PseudoCount(x) + 0.01);
  }
  Statistics statistics =
      AddBonus(batch, agent, bonus.to(batch.rewards.device()), "pseudo_counts");
  statistics["pseudo_counts_loss"] = negative_log_density / rows;
  return statistics;
}

absl::Status PseudoCountBonus::Save(const std::string& directory) const {
  const std::vector<int64_t>& counts = density_->counts();
  std::vector<int64_t> state = counts;
  state.push_back(density_->total());
  try {
    torch::save(torch::tensor(state, torch::kInt64),
                directory + "/pseudo_counts.pt");
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("saving pseudo-counts to ",
                                            directory, ": ",
                                            e.what_without_backtrace()));
  }
  return absl::OkStatus();
}

absl::Status PseudoCountBonus::Load(const std::string& directory) {
  torch::Tensor state;
  try {
    torch::load(state, directory + "/pseudo_counts.pt");
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(absl::StrCat("loading pseudo-counts in ",
                                                   directory, ": ",
                                                   e.what_without_backtrace()));
  }
  if (state.scalar_type() != torch::kInt64 || state.dim() != 1 ||
      state.numel() < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(directory, "/pseudo_counts.pt: not histogram counts"));
  }
  state = state.contiguous();
  const int64_t* data = state.data_ptr<int64_t>();
  std::vector<int64_t> counts(data, data + state.numel() - 1);
  const absl::Status restored =
      density_->Restore(counts, data[state.numel() - 1]);
  if (!restored.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(directory, "/pseudo_counts.pt: ", restored.message()));
  }
  return absl::OkStatus();
}

}  // namespace entropic
