#include "common/env/cart_pole.h"

#include <cmath>
#include <limits>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "glog/logging.h"

namespace entropic {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Gymnasium's constants. The derived ones are computed in the same order as
// there so that they round identically.
constexpr double kGravity = 9.8;
constexpr double kCartMass = 1.0;
constexpr double kPoleMass = 0.1;
constexpr double kTotalMass = kPoleMass + kCartMass;
constexpr double kHalfPoleLength = 0.5;  // Gymnasium's `length`.
constexpr double kPoleMassLength = kPoleMass * kHalfPoleLength;
constexpr double kForceMagnitude = 10.0;
constexpr double kTau = 0.02;  // Seconds between state updates.
constexpr double kThetaThreshold = 12 * 2 * kPi / 360;
constexpr double kXThreshold = 2.4;

constexpr double kResetBound = 0.05;
constexpr int kMaxEpisodeSteps = 500;

}  // namespace

CartPole::CartPole() {
  info_.id = "CartPole-v1";
  Space& observation_space = info_.observation_space;
  observation_space.kind = Space::Kind::kBox;
  observation_space.shape = {4};
  // Twice the termination thresholds, so terminal observations stay in bounds;
  // the velocities are unbounded (float32's largest value, as in Gymnasium).
  const float max_float = std::numeric_limits<float>::max();
  observation_space.high = {static_cast<float>(kXThreshold * 2), max_float,
                            static_cast<float>(kThetaThreshold * 2), max_float};
  observation_space.low = {-observation_space.high[0], -max_float,
                           -observation_space.high[2], -max_float};
  info_.action_space.kind = Space::Kind::kDiscrete;
  info_.action_space.num_actions = 2;
  info_.max_episode_steps = kMaxEpisodeSteps;
}

void CartPole::DoReset(EnvRng& rng) {
  std::uniform_real_distribution<double> uniform(-kResetBound, kResetBound);
  for (double& value : state_) value = uniform(rng);
}

StepResult CartPole::DoStep(const Action& action) {
  DCHECK(action.index == 0 || action.index == 1) << action.index;
  const double x = state_[0];
  const double x_dot = state_[1];
  const double theta = state_[2];
  const double theta_dot = state_[3];

  const double force = action.index == 1 ? kForceMagnitude : -kForceMagnitude;
  const double cos_theta = std::cos(theta);
  const double sin_theta = std::sin(theta);
  // Florian (2007), "Correct equations for the dynamics of the cart-pole
  // system", without friction; the operation order follows Gymnasium's.
  const double temp =
      (force + kPoleMassLength * (theta_dot * theta_dot) * sin_theta) /
      kTotalMass;
  const double theta_acc =
      (kGravity * sin_theta - cos_theta * temp) /
      (kHalfPoleLength *
       (4.0 / 3.0 - kPoleMass * (cos_theta * cos_theta) / kTotalMass));
  const double x_acc =
      temp - kPoleMassLength * theta_acc * cos_theta / kTotalMass;

  // Explicit Euler: positions advance with the velocities of the old state.
  state_[0] = x + kTau * x_dot;
  state_[1] = x_dot + kTau * x_acc;
  state_[2] = theta + kTau * theta_dot;
  state_[3] = theta_dot + kTau * theta_acc;

  StepResult result;
  result.terminated = state_[0] < -kXThreshold || state_[0] > kXThreshold ||
                      state_[2] < -kThetaThreshold ||
                      state_[2] > kThetaThreshold;
  // Gymnasium also pays the step that terminates the episode.
  result.reward = 1.0;
  return result;
}

absl::Status CartPole::DoSetState(absl::Span<const double> state) {
  if (state.size() != state_.size()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: the state has %d elements [x, x_dot, theta, theta_dot], got %d",
        info_.id, state_.size(), state.size()));
  }
  for (size_t i = 0; i < state_.size(); ++i) state_[i] = state[i];
  return absl::OkStatus();
}

void CartPole::Observe(absl::Span<float> observation) const {
  for (size_t i = 0; i < state_.size(); ++i) {
    observation[i] = static_cast<float>(state_[i]);
  }
}

}  // namespace entropic
