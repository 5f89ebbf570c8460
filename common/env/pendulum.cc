#include "common/env/pendulum.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "glog/logging.h"

namespace entropic {
namespace {

constexpr double kPi = 3.14159265358979323846;

constexpr double kMaxSpeed = 8.0;
constexpr float kMaxTorque = 2.0f;
constexpr double kDt = 0.05;
constexpr double kGravity = 10.0;  // Gymnasium's default `g`.
constexpr double kMass = 1.0;
constexpr double kLength = 1.0;

constexpr double kResetMaxTheta = kPi;
constexpr double kResetMaxThetaDot = 1.0;
constexpr int kMaxEpisodeSteps = 200;

// Maps an angle to [-pi, pi) with Python's floor-mod, whose result takes the
// sign of the divisor (std::fmod's takes the sign of the dividend).
double AngleNormalize(double x) {
  const double period = 2 * kPi;
  double remainder = std::fmod(x + kPi, period);
  if (remainder < 0) remainder += period;
  return remainder - kPi;
}

}  // namespace

Pendulum::Pendulum() {
  info_.id = "Pendulum-v1";
  Space& observation_space = info_.observation_space;
  observation_space.kind = Space::Kind::kBox;
  observation_space.shape = {3};
  observation_space.high = {1.0f, 1.0f, static_cast<float>(kMaxSpeed)};
  observation_space.low = {-1.0f, -1.0f, static_cast<float>(-kMaxSpeed)};
  Space& action_space = info_.action_space;
  action_space.kind = Space::Kind::kBox;
  action_space.shape = {1};
  action_space.low = {-kMaxTorque};
  action_space.high = {kMaxTorque};
  info_.max_episode_steps = kMaxEpisodeSteps;
}

void Pendulum::DoReset(EnvRng& rng) {
  theta_ = std::uniform_real_distribution<double>(-kResetMaxTheta,
                                                  kResetMaxTheta)(rng);
  theta_dot_ = std::uniform_real_distribution<double>(-kResetMaxThetaDot,
                                                      kResetMaxThetaDot)(rng);
}

StepResult Pendulum::DoStep(const Action& action) {
  DCHECK_EQ(action.values.size(), 1u);
  // Gymnasium clips the float32 action, so the torque is a float32 value.
  const double torque = std::clamp(action.values[0], -kMaxTorque, kMaxTorque);

  const double angle = AngleNormalize(theta_);
  const double cost = angle * angle + 0.1 * (theta_dot_ * theta_dot_) +
                      0.001 * (torque * torque);

  double new_theta_dot =
      theta_dot_ + (3 * kGravity / (2 * kLength) * std::sin(theta_) +
                    3.0 / (kMass * kLength * kLength) * torque) *
                       kDt;
  new_theta_dot = std::clamp(new_theta_dot, -kMaxSpeed, kMaxSpeed);
  theta_ += new_theta_dot * kDt;
  theta_dot_ = new_theta_dot;

  StepResult result;
  result.reward = -cost;
  return result;
}

absl::Status Pendulum::DoSetState(absl::Span<const double> state) {
  if (state.size() != 2) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: the state has 2 elements [theta, theta_dot], got %d", info_.id,
        state.size()));
  }
  theta_ = state[0];
  theta_dot_ = state[1];
  return absl::OkStatus();
}

void Pendulum::Observe(absl::Span<float> observation) const {
  observation[0] = static_cast<float>(std::cos(theta_));
  observation[1] = static_cast<float>(std::sin(theta_));
  observation[2] = static_cast<float>(theta_dot_);
}

}  // namespace entropic
