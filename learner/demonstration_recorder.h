#ifndef ENTROPIC_LEARNER_DEMONSTRATION_RECORDER_H_
#define ENTROPIC_LEARNER_DEMONSTRATION_RECORDER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/env/environment.h"
#include "entropic/v1/tensor.pb.h"

namespace entropic {

// An expert's action: `index` for discrete actions, `values` for box ones.
struct ExpertAction {
  int64_t index = 0;
  std::vector<float> values;
};

// An expert: the action to take on `observation` at step `step` of an
// episode (tabular experts are time-indexed).
using ExpertPolicy =
    std::function<ExpertAction(absl::Span<const float> observation, int step)>;

// The soft-optimal policy of an environment with known dynamics
// (common/env/tabular_model.h) for its own reward at `temperature`, over its
// horizon: pi_t(a|s) from finite-horizon soft value iteration, sampled with
// a generator seeded by `seed`. InvalidArgument if the environment's
// dynamics are not known.
absl::StatusOr<ExpertPolicy> SoftOptimalExpert(const std::string& env_id,
                                               double temperature,
                                               uint64_t seed);

// The policy of a finished job (soft Q, SAC): `run_dir` is the job's output
// directory, holding job.json (its spec) and checkpoint/. Acts
// deterministically (argmax Q, the Gaussian's mean) when `greedy`, or
// samples the policy. Sets `env_id` to the job's environment.
absl::StatusOr<ExpertPolicy> CheckpointExpert(const std::string& run_dir,
                                              bool greedy, uint64_t seed,
                                              std::string* env_id);

struct RecordedEpisodes {
  // The arrays of a demonstrations file (docs/demonstrations.md).
  std::map<std::string, v1::Tensor> arrays;
  int episodes = 0;
  int64_t steps = 0;
  double mean_return = 0;
  double min_return = 0;
  double max_return = 0;
};

// Runs `episodes` episodes of `env_id` (environments seeded from `seed`)
// with `expert` and records every transition: actions int64 [N] for
// discrete spaces, float32 [N, d] for box spaces.
absl::StatusOr<RecordedEpisodes> RecordEpisodes(const std::string& env_id,
                                                const ExpertPolicy& expert,
                                                int episodes, uint64_t seed);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_DEMONSTRATION_RECORDER_H_
