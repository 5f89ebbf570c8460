#include "common/tabular/demonstration_visitation.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/tensor.h"

namespace entropic::tabular {

absl::StatusOr<std::vector<double>> DemonstrationVisitation(
    const Demonstrations& demonstrations, const StateOfObservation& state_of,
    int num_states, int horizon, double discount) {
  std::vector<double> visitation(num_states, 0.0);
  const std::vector<v1::TrajectoryChunk>& chunks = demonstrations.chunks;
  int64_t episodes = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const v1::TrajectoryChunk& chunk = chunks[i];
    const v1::Tensor& observations = chunk.observations();
    if (observations.dtype() != v1::DTYPE_FLOAT32 ||
        observations.shape_size() < 1 || observations.shape(0) < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("demonstrations: episode ", chunk.episode_id(),
                       " has no float32 observations"));
    }
    const int64_t rows = observations.shape(0);
    const int64_t row_size = NumElements(ShapeOf(observations.shape())) / rows;
    const bool last_of_episode =
        i + 1 == chunks.size() ||
        chunks[i + 1].episode_id() != chunk.episode_id();
    const int64_t steps = rows - 1;
    const int64_t end_step = chunk.start_step() + steps;
    if (end_step > horizon || (last_of_episode && end_step != horizon)) {
      return absl::InvalidArgumentError(
          absl::StrCat("demonstrations: episode ", chunk.episode_id(), " has ",
                       end_step > horizon ? "more than " : "",
                       end_step > horizon ? horizon : end_step,
                       " steps; the environment's episodes last ", horizon));
    }
    // Rows 0 .. steps - 1 are steps start_step ..; the last row is the
    // next chunk's first, counted here only at the episode's end.
    const int64_t counted = last_of_episode ? rows : steps;
    const std::vector<float> values = TensorValues<float>(observations);
    for (int64_t r = 0; r < counted; ++r) {
      const int state =
          state_of(absl::MakeConstSpan(values).subspan(r * row_size, row_size));
      if (state < 0 || state >= num_states) {
        return absl::InvalidArgumentError(absl::StrCat(
            "demonstrations: step ", chunk.start_step() + r, " of episode ",
            chunk.episode_id(), " shows no state of the environment"));
      }
      visitation[state] += std::pow(discount, chunk.start_step() + r);
    }
    episodes += last_of_episode;
  }
  if (episodes == 0) {
    return absl::InvalidArgumentError("demonstrations: no episode");
  }
  for (double& v : visitation) v /= static_cast<double>(episodes);
  return visitation;
}

double VisitationTotalVariation(const std::vector<double>& p,
                                const std::vector<double>& q) {
  double p_sum = 0, q_sum = 0;
  for (double v : p) p_sum += v;
  for (double v : q) q_sum += v;
  double distance = 0;
  for (size_t s = 0; s < p.size() && s < q.size(); ++s) {
    distance += std::abs(p[s] / p_sum - q[s] / q_sum);
  }
  return distance / 2;
}

}  // namespace entropic::tabular
