#include "common/env/acrobot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "glog/logging.h"

namespace entropic {
namespace {

constexpr double kPi = 3.14159265358979323846;

constexpr double kDt = 0.2;
constexpr double kLinkLength1 = 1.0;
constexpr double kLinkMass1 = 1.0;
constexpr double kLinkMass2 = 1.0;
constexpr double kLinkComPosition1 = 0.5;
constexpr double kLinkComPosition2 = 0.5;
constexpr double kLinkMomentOfInertia = 1.0;
constexpr double kMaxVelocity1 = 4 * kPi;
constexpr double kMaxVelocity2 = 9 * kPi;
constexpr std::array<double, 3> kTorques = {-1.0, 0.0, 1.0};
constexpr double kGravity = 9.8;

constexpr double kResetBound = 0.1;
constexpr int kMaxEpisodeSteps = 500;

// The state with the applied torque appended. Gymnasium integrates this
// 5-vector (the torque's derivative is 0), and the integration below keeps
// its arithmetic so the results round the same way.
using AugmentedState = std::array<double, 5>;

// Time derivative of the augmented state under the book's equations of
// motion (Sutton & Barto, 1998).
AugmentedState Derivatives(const AugmentedState& s) {
  const double m1 = kLinkMass1;
  const double m2 = kLinkMass2;
  const double l1 = kLinkLength1;
  const double lc1 = kLinkComPosition1;
  const double lc2 = kLinkComPosition2;
  const double i1 = kLinkMomentOfInertia;
  const double i2 = kLinkMomentOfInertia;
  const double g = kGravity;
  const double theta1 = s[0];
  const double theta2 = s[1];
  const double dtheta1 = s[2];
  const double dtheta2 = s[3];
  const double torque = s[4];

  const double d1 =
      m1 * (lc1 * lc1) +
      m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * std::cos(theta2)) + i1 + i2;
  const double d2 = m2 * (lc2 * lc2 + l1 * lc2 * std::cos(theta2)) + i2;
  const double phi2 = m2 * lc2 * g * std::cos(theta1 + theta2 - kPi / 2.0);
  const double phi1 = -m2 * l1 * lc2 * (dtheta2 * dtheta2) * std::sin(theta2) -
                      2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * std::sin(theta2) +
                      (m1 * lc1 + m2 * l1) * g * std::cos(theta1 - kPi / 2) +
                      phi2;
  const double ddtheta2 =
      (torque + d2 / d1 * phi1 -
       m2 * l1 * lc2 * (dtheta1 * dtheta1) * std::sin(theta2) - phi2) /
      (m2 * (lc2 * lc2) + i2 - (d2 * d2) / d1);
  const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  return {dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0};
}

// y + scale * k, elementwise.
AugmentedState AddScaled(const AugmentedState& y, double scale,
                         const AugmentedState& k) {
  AugmentedState out;
  for (size_t i = 0; i < y.size(); ++i) out[i] = y[i] + scale * k[i];
  return out;
}

// One classic Runge-Kutta step over [0, kDt], as Gymnasium's rk4 with the
// time grid [0, dt].
AugmentedState RungeKutta4(const AugmentedState& y0) {
  const double dt = kDt - 0.0;
  const double half_dt = dt / 2.0;
  const AugmentedState k1 = Derivatives(y0);
  const AugmentedState k2 = Derivatives(AddScaled(y0, half_dt, k1));
  const AugmentedState k3 = Derivatives(AddScaled(y0, half_dt, k2));
  const AugmentedState k4 = Derivatives(AddScaled(y0, dt, k3));
  AugmentedState out;
  for (size_t i = 0; i < y0.size(); ++i) {
    out[i] = y0[i] + dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
  return out;
}

// Shifts `x` by whole periods into [low, high].
double Wrap(double x, double low, double high) {
  const double period = high - low;
  while (x > high) x -= period;
  while (x < low) x += period;
  return x;
}

}  // namespace

Acrobot::Acrobot() {
  info_.id = "Acrobot-v1";
  Space& observation_space = info_.observation_space;
  observation_space.kind = Space::Kind::kBox;
  observation_space.shape = {6};
  observation_space.high = {1.0f,
                            1.0f,
                            1.0f,
                            1.0f,
                            static_cast<float>(kMaxVelocity1),
                            static_cast<float>(kMaxVelocity2)};
  observation_space.low.reserve(observation_space.high.size());
  for (const float high : observation_space.high) {
    observation_space.low.push_back(-high);
  }
  info_.action_space.kind = Space::Kind::kDiscrete;
  info_.action_space.num_actions = static_cast<int64_t>(kTorques.size());
  info_.max_episode_steps = kMaxEpisodeSteps;
}

void Acrobot::DoReset(EnvRng& rng) {
  std::uniform_real_distribution<double> uniform(-kResetBound, kResetBound);
  // Gymnasium draws the initial state as float64 and stores it as float32.
  for (double& value : state_) value = static_cast<float>(uniform(rng));
}

StepResult Acrobot::DoStep(const Action& action) {
  DCHECK(action.index >= 0 &&
         action.index < static_cast<int64_t>(kTorques.size()))
      << action.index;
  const AugmentedState augmented = {state_[0], state_[1], state_[2], state_[3],
                                    kTorques[action.index]};
  const AugmentedState next = RungeKutta4(augmented);
  state_[0] = Wrap(next[0], -kPi, kPi);
  state_[1] = Wrap(next[1], -kPi, kPi);
  state_[2] = std::clamp(next[2], -kMaxVelocity1, kMaxVelocity1);
  state_[3] = std::clamp(next[3], -kMaxVelocity2, kMaxVelocity2);

  StepResult result;
  // The tip is higher than one link length above the pivot.
  result.terminated =
      -std::cos(state_[0]) - std::cos(state_[1] + state_[0]) > 1.0;
  result.reward = result.terminated ? 0.0 : -1.0;
  return result;
}

absl::Status Acrobot::DoSetState(absl::Span<const double> state) {
  if (state.size() != state_.size()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: the state has %d elements [theta1, theta2, dtheta1, dtheta2], "
        "got %d",
        info_.id, state_.size(), state.size()));
  }
  for (size_t i = 0; i < state_.size(); ++i) state_[i] = state[i];
  return absl::OkStatus();
}

void Acrobot::Observe(absl::Span<float> observation) const {
  observation[0] = static_cast<float>(std::cos(state_[0]));
  observation[1] = static_cast<float>(std::sin(state_[0]));
  observation[2] = static_cast<float>(std::cos(state_[1]));
  observation[3] = static_cast<float>(std::sin(state_[1]));
  observation[4] = static_cast<float>(state_[2]);
  observation[5] = static_cast<float>(state_[3]);
}

}  // namespace entropic
