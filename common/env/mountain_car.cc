#include "common/env/mountain_car.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "glog/logging.h"

namespace entropic {
namespace {

constexpr double kMinPosition = -1.2;
constexpr double kMaxPosition = 0.6;
constexpr double kMaxSpeed = 0.07;
constexpr double kGoalPosition = 0.5;
constexpr double kGoalVelocity = 0.0;
constexpr double kForce = 0.001;
constexpr double kGravity = 0.0025;

constexpr double kResetLow = -0.6;
constexpr double kResetHigh = -0.4;
constexpr int kMaxEpisodeSteps = 200;

}  // namespace

MountainCar::MountainCar() {
  info_.id = "MountainCar-v0";
  Space& observation_space = info_.observation_space;
  observation_space.kind = Space::Kind::kBox;
  observation_space.shape = {2};
  observation_space.low = {static_cast<float>(kMinPosition),
                           static_cast<float>(-kMaxSpeed)};
  observation_space.high = {static_cast<float>(kMaxPosition),
                            static_cast<float>(kMaxSpeed)};
  info_.action_space.kind = Space::Kind::kDiscrete;
  info_.action_space.num_actions = 3;
  info_.max_episode_steps = kMaxEpisodeSteps;
}

void MountainCar::DoReset(EnvRng& rng) {
  position_ =
      std::uniform_real_distribution<double>(kResetLow, kResetHigh)(rng);
  velocity_ = 0.0;
}

StepResult MountainCar::DoStep(const Action& action) {
  DCHECK(action.index >= 0 && action.index <= 2) << action.index;
  velocity_ += static_cast<double>(action.index - 1) * kForce +
               std::cos(3 * position_) * (-kGravity);
  velocity_ = std::clamp(velocity_, -kMaxSpeed, kMaxSpeed);
  position_ += velocity_;
  position_ = std::clamp(position_, kMinPosition, kMaxPosition);
  // The left wall is inelastic.
  if (position_ == kMinPosition && velocity_ < 0) velocity_ = 0.0;

  StepResult result;
  result.terminated = position_ >= kGoalPosition && velocity_ >= kGoalVelocity;
  result.reward = -1.0;
  return result;
}

absl::Status MountainCar::DoSetState(absl::Span<const double> state) {
  if (state.size() != 2) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: the state has 2 elements [position, velocity], got %d", info_.id,
        state.size()));
  }
  position_ = state[0];
  velocity_ = state[1];
  return absl::OkStatus();
}

void MountainCar::Observe(absl::Span<float> observation) const {
  observation[0] = static_cast<float>(position_);
  observation[1] = static_cast<float>(velocity_);
}

}  // namespace entropic
