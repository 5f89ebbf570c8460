#ifndef ENTROPIC_COMMON_ENV_ACROBOT_H_
#define ENTROPIC_COMMON_ENV_ACROBOT_H_

#include <array>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/env/environment.h"

namespace entropic {

// Gymnasium's Acrobot-v1: a two-link pendulum actuated only at the elbow
// (Sutton, 1996), with the dynamics of Sutton & Barto's book. Actions apply a
// torque of -1 (0), 0 (1) or +1 (2); reward -1 per step until the tip swings
// one link length above the pivot, which terminates with reward 0; truncated
// after 500 steps.
//
// State (float64): [theta1, theta2, dtheta1, dtheta2]; the observation is
// [cos t1, sin t1, cos t2, sin t2, dtheta1, dtheta2] as float32.
class Acrobot final : public Environment {
 public:
  Acrobot();

  const EnvironmentInfo& info() const override { return info_; }

 private:
  void DoReset(EnvRng& rng) override;
  StepResult DoStep(const Action& action) override;
  absl::Status DoSetState(absl::Span<const double> state) override;
  void Observe(absl::Span<float> observation) const override;

  EnvironmentInfo info_;
  std::array<double, 4> state_{};
};

}  // namespace entropic

#endif  // ENTROPIC_COMMON_ENV_ACROBOT_H_
