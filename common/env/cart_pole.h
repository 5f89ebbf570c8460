#ifndef ENTROPIC_COMMON_ENV_CART_POLE_H_
#define ENTROPIC_COMMON_ENV_CART_POLE_H_

#include <array>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/env/environment.h"

namespace entropic {

// Gymnasium's CartPole-v1: a pole hinged on a cart that is pushed left
// (action 0) or right (action 1) by a fixed force (Barto, Sutton & Anderson,
// 1983). Reward 1 per step; the episode terminates when the pole leans past
// 12 degrees or the cart leaves the track, and is truncated after 500 steps.
//
// State (float64, as Gymnasium's `env.unwrapped.state`):
// [x, x_dot, theta, theta_dot]; the observation is the same, as float32.
class CartPole final : public Environment {
 public:
  CartPole();

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

#endif  // ENTROPIC_COMMON_ENV_CART_POLE_H_
