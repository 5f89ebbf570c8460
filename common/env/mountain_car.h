#ifndef ENTROPIC_COMMON_ENV_MOUNTAIN_CAR_H_
#define ENTROPIC_COMMON_ENV_MOUNTAIN_CAR_H_

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/env/environment.h"

namespace entropic {

// Gymnasium's MountainCar-v0: an underpowered car in a valley must rock back
// and forth to reach the flag on the right hill (Moore, 1990). Actions push
// left (0), not at all (1) or right (2); reward -1 per step until the car
// reaches position 0.5 with non-negative velocity; truncated after 200 steps.
//
// State (float64): [position, velocity]; the observation is its float32 copy.
class MountainCar final : public Environment {
 public:
  MountainCar();

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

#endif  // ENTROPIC_COMMON_ENV_MOUNTAIN_CAR_H_
