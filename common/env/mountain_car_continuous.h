#ifndef ENTROPIC_COMMON_ENV_MOUNTAIN_CAR_CONTINUOUS_H_
#define ENTROPIC_COMMON_ENV_MOUNTAIN_CAR_CONTINUOUS_H_

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/env/environment.h"

namespace entropic {

// Gymnasium's MountainCarContinuous-v0: the mountain car driven by a
// continuous force in [-1, 1] (one float). Reward is 100 for reaching
// position 0.45 with non-negative velocity, minus 0.1 * action^2 every step
// (the unclipped action is charged); truncated after 999 steps.
//
// State: [position, velocity]. As in Gymnasium it is float64 right after a
// reset (or SetState) and rounded to float32 by every step.
class MountainCarContinuous final : public Environment {
 public:
  MountainCarContinuous();

  const EnvironmentInfo& info() const override { return info_; }

 private:
  void DoReset(EnvRng& rng) override;
  StepResult DoStep(const Action& action) override;
  absl::Status DoSetState(absl::Span<const double> state) override;
  void Observe(absl::Span<float> observation) const override;

  EnvironmentInfo info_;
  double position_ = 0.0;
  double velocity_ = 0.0;
};

}  // namespace entropic

#endif  // ENTROPIC_COMMON_ENV_MOUNTAIN_CAR_CONTINUOUS_H_
