#ifndef ENTROPIC_COMMON_ENV_PENDULUM_H_
#define ENTROPIC_COMMON_ENV_PENDULUM_H_

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/env/environment.h"

namespace entropic {

// Gymnasium's Pendulum-v1: swing a frictionless pendulum up and hold it
// upright with a torque in [-2, 2] (one float). The reward is minus a cost on
// the angle from upright, the angular velocity and the torque; it never
// terminates and is truncated after 200 steps.
//
// State (float64): [theta, theta_dot], theta = 0 upright; the observation is
// [cos(theta), sin(theta), theta_dot] as float32.
class Pendulum final : public Environment {
 public:
  Pendulum();

  const EnvironmentInfo& info() const override { return info_; }

 private:
  void DoReset(EnvRng& rng) override;
  StepResult DoStep(const Action& action) override;
  absl::Status DoSetState(absl::Span<const double> state) override;
  void Observe(absl::Span<float> observation) const override;

  EnvironmentInfo info_;
  double theta_ = 0.0;
  double theta_dot_ = 0.0;
};

}  // namespace entropic

#endif  // ENTROPIC_COMMON_ENV_PENDULUM_H_
