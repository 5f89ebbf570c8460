#include "common/env/environment.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "glog/logging.h"

namespace entropic {

int64_t Space::FlatSize() const {
  if (kind == Kind::kDiscrete) return 1;
  int64_t size = 1;
  for (const int64_t dim : shape) size *= dim;
  return size;
}

void Environment::Reset(EnvRng& rng, absl::Span<float> observation) {
  DCHECK_EQ(static_cast<int64_t>(observation.size()),
            info().observation_space.FlatSize());
  DoReset(rng);
  elapsed_steps_ = 0;
  Observe(observation);
}

StepResult Environment::Step(const Action& action,
                             absl::Span<float> observation) {
  DCHECK_EQ(static_cast<int64_t>(observation.size()),
            info().observation_space.FlatSize());
  // Only the time limit can be checked here: the base class does not keep the
  // terminated flag, so stepping a terminated episode is the caller's bug.
  DCHECK_LT(elapsed_steps_, info().max_episode_steps)
      << info().id << " stepped past its time limit without a Reset";
  StepResult result = DoStep(action);
  ++elapsed_steps_;
  // As Gymnasium's TimeLimit wrapper: the flag depends on the step count only,
  // so a step that terminates exactly at the limit reports both flags.
  result.truncated = elapsed_steps_ >= info().max_episode_steps;
  Observe(observation);
  return result;
}

absl::Status Environment::SetState(absl::Span<const double> state,
                                   absl::Span<float> observation) {
  const int64_t observation_size = info().observation_space.FlatSize();
  if (static_cast<int64_t>(observation.size()) != observation_size) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: the observation buffer holds %d floats, expected %d", info().id,
        observation.size(), observation_size));
  }
  // Validated by the subclass first, so a bad state leaves the episode as is.
  const absl::Status status = DoSetState(state);
  if (!status.ok()) return status;
  elapsed_steps_ = 0;
  Observe(observation);
  return absl::OkStatus();
}

}  // namespace entropic
