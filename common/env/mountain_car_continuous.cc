#include "common/env/mountain_car_continuous.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "glog/logging.h"

namespace entropic {
namespace {

constexpr double kMinAction = -1.0;
constexpr double kMaxAction = 1.0;
constexpr double kMinPosition = -1.2;
constexpr double kMaxPosition = 0.6;
constexpr double kMaxSpeed = 0.07;
constexpr double kGoalPosition = 0.45;
constexpr double kGoalVelocity = 0.0;
constexpr double kPower = 0.0015;
constexpr double kGravity = 0.0025;
constexpr double kGoalReward = 100.0;
constexpr double kActionCost = 0.1;

constexpr double kResetLow = -0.6;
constexpr double kResetHigh = -0.4;
constexpr int kMaxEpisodeSteps = 999;

}  // namespace

MountainCarContinuous::MountainCarContinuous() {
  info_.id = "MountainCarContinuous-v0";
  Space& observation_space = info_.observation_space;
  observation_space.kind = Space::Kind::kBox;
  observation_space.shape = {2};
  observation_space.low = {static_cast<float>(kMinPosition),
                           static_cast<float>(-kMaxSpeed)};
  observation_space.high = {static_cast<float>(kMaxPosition),
                            static_cast<float>(kMaxSpeed)};
  Space& action_space = info_.action_space;
  action_space.kind = Space::Kind::kBox;
  action_space.shape = {1};
  action_space.low = {static_cast<float>(kMinAction)};
  action_space.high = {static_cast<float>(kMaxAction)};
  info_.max_episode_steps = kMaxEpisodeSteps;
}

void MountainCarContinuous::DoReset(EnvRng& rng) {
  position_ =
      std::uniform_real_distribution<double>(kResetLow, kResetHigh)(rng);
  velocity_ = 0.0;
}

StepResult MountainCarContinuous::DoStep(const Action& action) {
  DCHECK_EQ(action.values.size(), 1u);
  const double raw_action = action.values[0];
  const double force = std::min(std::max(raw_action, kMinAction), kMaxAction);

  double velocity = velocity_;
  double position = position_;
  velocity += force * kPower - kGravity * std::cos(3 * position);
  velocity = std::clamp(velocity, -kMaxSpeed, kMaxSpeed);
  position += velocity;
  position = std::clamp(position, kMinPosition, kMaxPosition);
  // The left wall is inelastic.
  if (position == kMinPosition && velocity < 0) velocity = 0.0;

  StepResult result;
  result.terminated = position >= kGoalPosition && velocity >= kGoalVelocity;
  result.reward = (result.terminated ? kGoalReward : 0.0) -
                  raw_action * raw_action * kActionCost;
  // Gymnasium keeps the stepped state as a float32 array, so later steps start
  // from the rounded values.
  position_ = static_cast<float>(position);
  velocity_ = static_cast<float>(velocity);
  return result;
}

absl::Status MountainCarContinuous::DoSetState(absl::Span<const double> state) {
  if (state.size() != 2) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: the state has 2 elements [position, velocity], got %d", info_.id,
        state.size()));
  }
  position_ = state[0];
  velocity_ = state[1];
  return absl::OkStatus();
}

void MountainCarContinuous::Observe(absl::Span<float> observation) const {
  observation[0] = static_cast<float>(position_);
  observation[1] = static_cast<float>(velocity_);
}

}  // namespace entropic
