#include "common/env/environment.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/env/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kPi = 3.14159265358979323846;

// Gymnasium's registered time limits.
const std::map<std::string, int>& ExpectedTimeLimits() {
  static const auto* const limits = new std::map<std::string, int>{
      {"Acrobot-v1", 500},     {"CartPole-v1", 500},
      {"MountainCar-v0", 200}, {"MountainCarContinuous-v0", 999},
      {"Pendulum-v1", 200},    {"Gridworld-v0", 20},
      // Not Gymnasium's: episodes end after N = 10 steps, before the limit.
      {"DeepSea-v0", 11},
  };
  return *limits;
}

std::unique_ptr<Environment> Make(const std::string& id) {
  auto env = MakeEnvironment(id);
  EXPECT_TRUE(env.ok()) << env.status();
  return env.ok() ? *std::move(env) : nullptr;
}

std::vector<float> ObservationBuffer(const Environment& env) {
  return std::vector<float>(env.info().observation_space.FlatSize());
}

// Draws a uniformly random action of `env`'s action space into `action`;
// `value` backs the box action.
void RandomAction(const Environment& env, EnvRng& rng, Action& action,
                  float& value) {
  const Space& space = env.info().action_space;
  if (space.kind == Space::Kind::kDiscrete) {
    action.index =
        std::uniform_int_distribution<int64_t>(0, space.num_actions - 1)(rng);
  } else {
    value =
        std::uniform_real_distribution<float>(space.low[0], space.high[0])(rng);
    action.values = absl::MakeConstSpan(&value, 1);
  }
}

TEST(RegistryTest, ListsGymnasiumIdsSorted) {
  EXPECT_THAT(RegisteredEnvironmentIds(),
              ElementsAre("Acrobot-v1", "CartPole-v1", "DeepSea-v0",
                          "Gridworld-v0",
                          "MountainCar-v0", "MountainCarContinuous-v0",
                          "Pendulum-v1"));
}

TEST(RegistryTest, EveryIdCreatesItsEnvironment) {
  for (const std::string& id : RegisteredEnvironmentIds()) {
    SCOPED_TRACE(id);
    auto env = MakeEnvironment(id);
    ASSERT_TRUE(env.ok()) << env.status();
    EXPECT_EQ((*env)->info().id, id);
    ASSERT_EQ(ExpectedTimeLimits().count(id), 1u);
    EXPECT_EQ((*env)->info().max_episode_steps, ExpectedTimeLimits().at(id));
  }
}

TEST(RegistryTest, UnknownIdIsNotFoundAndNamesIt) {
  auto env = MakeEnvironment("Pong-v5");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(env.status().message(), HasSubstr("Pong-v5"));
  // Lists the known ids, so a typo is easy to fix.
  for (const std::string& id : RegisteredEnvironmentIds()) {
    EXPECT_THAT(env.status().message(), HasSubstr(id));
  }
}

TEST(RegistryTest, IdsAreCaseSensitive) {
  EXPECT_EQ(MakeEnvironment("cartpole-v1").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(MakeEnvironment("").status().code(), absl::StatusCode::kNotFound);
}

TEST(SpaceTest, FlatSize) {
  Space discrete;
  discrete.num_actions = 3;
  EXPECT_EQ(discrete.FlatSize(), 1);
  Space box;
  box.kind = Space::Kind::kBox;
  box.shape = {2, 3};
  EXPECT_EQ(box.FlatSize(), 6);
  box.shape = {};
  EXPECT_EQ(box.FlatSize(), 1);  // A scalar box.
}

TEST(EnvironmentTest, SpacesAreConsistent) {
  for (const std::string& id : RegisteredEnvironmentIds()) {
    SCOPED_TRACE(id);
    auto env = Make(id);
    ASSERT_NE(env, nullptr);
    const Space& observation = env->info().observation_space;
    ASSERT_EQ(observation.kind, Space::Kind::kBox);
    ASSERT_EQ(observation.low.size(), observation.FlatSize());
    ASSERT_EQ(observation.high.size(), observation.FlatSize());
    for (size_t i = 0; i < observation.low.size(); ++i) {
      EXPECT_LT(observation.low[i], observation.high[i]) << i;
    }
    const Space& action = env->info().action_space;
    if (action.kind == Space::Kind::kDiscrete) {
      EXPECT_GT(action.num_actions, 1);
    } else {
      ASSERT_EQ(action.FlatSize(), 1);
      ASSERT_EQ(action.low.size(), 1u);
      ASSERT_EQ(action.high.size(), 1u);
      EXPECT_LT(action.low[0], action.high[0]);
    }
  }
}

TEST(EnvironmentTest, GymnasiumSpaceBounds) {
  auto cart_pole = Make("CartPole-v1");
  ASSERT_NE(cart_pole, nullptr);
  const Space& cart_pole_obs = cart_pole->info().observation_space;
  EXPECT_THAT(cart_pole_obs.shape, ElementsAre(4));
  EXPECT_FLOAT_EQ(cart_pole_obs.high[0], 4.8f);
  EXPECT_FLOAT_EQ(cart_pole_obs.high[2], static_cast<float>(24 * kPi / 180));
  EXPECT_FLOAT_EQ(cart_pole_obs.low[2], -static_cast<float>(24 * kPi / 180));
  EXPECT_GE(cart_pole_obs.high[1], std::numeric_limits<float>::max());
  EXPECT_EQ(cart_pole->info().action_space.num_actions, 2);

  auto acrobot = Make("Acrobot-v1");
  ASSERT_NE(acrobot, nullptr);
  EXPECT_THAT(acrobot->info().observation_space.high,
              ElementsAre(1.0f, 1.0f, 1.0f, 1.0f, static_cast<float>(4 * kPi),
                          static_cast<float>(9 * kPi)));
  EXPECT_EQ(acrobot->info().action_space.num_actions, 3);

  auto mountain_car = Make("MountainCar-v0");
  ASSERT_NE(mountain_car, nullptr);
  EXPECT_THAT(mountain_car->info().observation_space.low,
              ElementsAre(-1.2f, -0.07f));
  EXPECT_THAT(mountain_car->info().observation_space.high,
              ElementsAre(0.6f, 0.07f));
  EXPECT_EQ(mountain_car->info().action_space.num_actions, 3);

  auto continuous = Make("MountainCarContinuous-v0");
  ASSERT_NE(continuous, nullptr);
  EXPECT_THAT(continuous->info().action_space.low, ElementsAre(-1.0f));
  EXPECT_THAT(continuous->info().action_space.high, ElementsAre(1.0f));

  auto pendulum = Make("Pendulum-v1");
  ASSERT_NE(pendulum, nullptr);
  EXPECT_THAT(pendulum->info().observation_space.high,
              ElementsAre(1.0f, 1.0f, 8.0f));
  EXPECT_THAT(pendulum->info().action_space.low, ElementsAre(-2.0f));
  EXPECT_THAT(pendulum->info().action_space.high, ElementsAre(2.0f));
}

// Random play keeps every observation inside the declared bounds, episodes
// end by the time limit at the latest, and the step counter follows.
TEST(EnvironmentTest, RandomEpisodesStayInObservationBounds) {
  for (const std::string& id : RegisteredEnvironmentIds()) {
    SCOPED_TRACE(id);
    auto env = Make(id);
    ASSERT_NE(env, nullptr);
    const Space& space = env->info().observation_space;
    std::vector<float> observation = ObservationBuffer(*env);
    EnvRng rng(7);
    auto check_bounds = [&](int step) {
      for (size_t i = 0; i < observation.size(); ++i) {
        ASSERT_TRUE(std::isfinite(observation[i])) << "step " << step;
        ASSERT_GE(observation[i], space.low[i]) << "step " << step << " " << i;
        ASSERT_LE(observation[i], space.high[i]) << "step " << step << " " << i;
      }
    };
    for (int episode = 0; episode < 5; ++episode) {
      env->Reset(rng, absl::MakeSpan(observation));
      EXPECT_EQ(env->elapsed_steps(), 0);
      check_bounds(0);
      for (int step = 1;; ++step) {
        Action action;
        float value = 0.0f;
        RandomAction(*env, rng, action, value);
        const StepResult result =
            env->Step(action, absl::MakeSpan(observation));
        EXPECT_EQ(env->elapsed_steps(), step);
        check_bounds(step);
        EXPECT_TRUE(std::isfinite(result.reward));
        ASSERT_LE(step, env->info().max_episode_steps);
        if (result.terminated || result.truncated) break;
      }
    }
  }
}

TEST(EnvironmentTest, ResetIsReproducibleWithTheSameSeed) {
  for (const std::string& id : RegisteredEnvironmentIds()) {
    SCOPED_TRACE(id);
    auto first = Make(id);
    auto second = Make(id);
    ASSERT_NE(first, nullptr);
    ASSERT_NE(second, nullptr);
    std::vector<float> first_obs = ObservationBuffer(*first);
    std::vector<float> second_obs = ObservationBuffer(*second);
    EnvRng first_rng(1234);
    EnvRng second_rng(1234);
    EnvRng action_rng(99);
    for (int episode = 0; episode < 3; ++episode) {
      first->Reset(first_rng, absl::MakeSpan(first_obs));
      second->Reset(second_rng, absl::MakeSpan(second_obs));
      ASSERT_EQ(first_obs, second_obs) << "episode " << episode;
      for (int step = 0; step < 20; ++step) {
        Action action;
        float value = 0.0f;
        RandomAction(*first, action_rng, action, value);
        const StepResult a = first->Step(action, absl::MakeSpan(first_obs));
        const StepResult b = second->Step(action, absl::MakeSpan(second_obs));
        ASSERT_EQ(first_obs, second_obs) << "step " << step;
        ASSERT_EQ(a.reward, b.reward);
        ASSERT_EQ(a.terminated, b.terminated);
        if (a.terminated) break;
      }
    }

    // Another seed starts elsewhere (every classic control id draws a
    // continuous position; grids start in their start cell).
    if (id == "Gridworld-v0" || id == "DeepSea-v0") continue;
    EnvRng other_rng(4321);
    EnvRng same_rng(1234);
    first->Reset(other_rng, absl::MakeSpan(first_obs));
    second->Reset(same_rng, absl::MakeSpan(second_obs));
    EXPECT_NE(first_obs, second_obs);
  }
}

TEST(EnvironmentTest, ResetDrawsFromGymnasiumRanges) {
  EnvRng rng(5);
  auto cart_pole = Make("CartPole-v1");
  auto mountain_car = Make("MountainCar-v0");
  auto continuous = Make("MountainCarContinuous-v0");
  auto pendulum = Make("Pendulum-v1");
  auto acrobot = Make("Acrobot-v1");
  ASSERT_TRUE(cart_pole && mountain_car && continuous && pendulum && acrobot);
  std::vector<float> obs4(4), obs2(2), obs3(3), obs6(6);
  for (int i = 0; i < 200; ++i) {
    cart_pole->Reset(rng, absl::MakeSpan(obs4));
    for (const float value : obs4) {
      ASSERT_GE(value, -0.05f);
      ASSERT_LE(value, 0.05f);
    }
    for (Environment* car : {mountain_car.get(), continuous.get()}) {
      car->Reset(rng, absl::MakeSpan(obs2));
      ASSERT_GE(obs2[0], -0.6f);
      ASSERT_LE(obs2[0], -0.4f);
      ASSERT_EQ(obs2[1], 0.0f);
    }
    pendulum->Reset(rng, absl::MakeSpan(obs3));
    ASSERT_NEAR(obs3[0] * obs3[0] + obs3[1] * obs3[1], 1.0f, 1e-6);
    ASSERT_GE(obs3[2], -1.0f);
    ASSERT_LE(obs3[2], 1.0f);
    acrobot->Reset(rng, absl::MakeSpan(obs6));
    // Both angles lie in [-0.1, 0.1], so their cosines are above cos(0.1).
    ASSERT_GE(obs6[0], static_cast<float>(std::cos(0.1)));
    ASSERT_GE(obs6[2], static_cast<float>(std::cos(0.1)));
    ASSERT_LE(std::abs(obs6[4]), 0.1f);
    ASSERT_LE(std::abs(obs6[5]), 0.1f);
  }
}

TEST(EnvironmentTest, SetStateRejectsWrongSizes) {
  const std::map<std::string, std::vector<double>> good_states = {
      {"Acrobot-v1", std::vector<double>(4, 0.01)},
      {"CartPole-v1", std::vector<double>(4, 0.01)},
      {"MountainCar-v0", {0.01, 0.01}},
      {"MountainCarContinuous-v0", {0.01, 0.01}},
      {"Pendulum-v1", {0.01, 0.01}},
      {"Gridworld-v0", {7}},
      {"DeepSea-v0", {1, 1}},
  };
  for (const std::string& id : RegisteredEnvironmentIds()) {
    SCOPED_TRACE(id);
    auto env = Make(id);
    ASSERT_NE(env, nullptr);
    std::vector<float> observation = ObservationBuffer(*env);
    const std::vector<double>& good = good_states.at(id);
    const size_t size = good.size();

    for (const size_t bad_size : {size_t{0}, size - 1, size + 1}) {
      const std::vector<double> bad(bad_size, 0.01);
      const absl::Status status =
          env->SetState(bad, absl::MakeSpan(observation));
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad_size;
      EXPECT_THAT(status.message(), HasSubstr(id));
    }

    std::vector<float> short_observation(observation.size() - 1);
    EXPECT_EQ(env->SetState(good, absl::MakeSpan(short_observation)).code(),
              absl::StatusCode::kInvalidArgument);

    EXPECT_TRUE(env->SetState(good, absl::MakeSpan(observation)).ok());
  }
}

TEST(EnvironmentTest, SetStateRestartsTheTimeLimitAndKeepsItOnError) {
  auto env = Make("Pendulum-v1");
  ASSERT_NE(env, nullptr);
  std::vector<float> observation = ObservationBuffer(*env);
  ASSERT_TRUE(env->SetState({0.5, 0.0}, absl::MakeSpan(observation)).ok());
  const float torque = 0.0f;
  const Action action{0, absl::MakeConstSpan(&torque, 1)};
  for (int i = 0; i < 10; ++i) env->Step(action, absl::MakeSpan(observation));
  EXPECT_EQ(env->elapsed_steps(), 10);
  EXPECT_FALSE(env->SetState({0.5}, absl::MakeSpan(observation)).ok());
  EXPECT_EQ(env->elapsed_steps(), 10);
  ASSERT_TRUE(env->SetState({0.5, 0.0}, absl::MakeSpan(observation)).ok());
  EXPECT_EQ(env->elapsed_steps(), 0);
}

TEST(EnvironmentTest, SetStateWritesTheObservation) {
  auto cart_pole = Make("CartPole-v1");
  ASSERT_NE(cart_pole, nullptr);
  std::vector<float> obs4(4);
  ASSERT_TRUE(
      cart_pole->SetState({0.1, -0.2, 0.03, 0.4}, absl::MakeSpan(obs4)).ok());
  EXPECT_THAT(obs4, ElementsAre(0.1f, -0.2f, 0.03f, 0.4f));

  auto pendulum = Make("Pendulum-v1");
  ASSERT_NE(pendulum, nullptr);
  std::vector<float> obs3(3);
  ASSERT_TRUE(pendulum->SetState({kPi / 2, 0.25}, absl::MakeSpan(obs3)).ok());
  EXPECT_NEAR(obs3[0], 0.0f, 1e-7);
  EXPECT_FLOAT_EQ(obs3[1], 1.0f);
  EXPECT_FLOAT_EQ(obs3[2], 0.25f);
}

// A pole kept upright by a linear state-feedback controller is never
// terminated, so CartPole is truncated by the time limit at step 500.
TEST(EnvironmentTest, BalancedCartPoleIsTruncatedAt500) {
  auto env = Make("CartPole-v1");
  ASSERT_NE(env, nullptr);
  std::vector<float> obs = ObservationBuffer(*env);
  EnvRng rng(3);
  for (int episode = 0; episode < 3; ++episode) {
    env->Reset(rng, absl::MakeSpan(obs));
    for (int step = 1; step <= 500; ++step) {
      const double push =
          0.5 * obs[0] + 1.0 * obs[1] + 20.0 * obs[2] + 3.0 * obs[3];
      const StepResult result =
          env->Step({push > 0 ? 1 : 0, {}}, absl::MakeSpan(obs));
      ASSERT_FALSE(result.terminated)
          << "episode " << episode << " step " << step;
      EXPECT_EQ(result.reward, 1.0);
      ASSERT_EQ(result.truncated, step == 500)
          << "episode " << episode << " step " << step;
    }
    EXPECT_EQ(env->elapsed_steps(), 500);
  }
}

// Pendulum never terminates: only the 200-step limit ends its episodes.
TEST(EnvironmentTest, PendulumIsTruncatedAt200) {
  auto env = Make("Pendulum-v1");
  ASSERT_NE(env, nullptr);
  std::vector<float> obs = ObservationBuffer(*env);
  EnvRng rng(11);
  env->Reset(rng, absl::MakeSpan(obs));
  const float torque = 2.0f;
  for (int step = 1; step <= 200; ++step) {
    const StepResult result =
        env->Step({0, absl::MakeConstSpan(&torque, 1)}, absl::MakeSpan(obs));
    ASSERT_FALSE(result.terminated);
    ASSERT_EQ(result.truncated, step == 200) << step;
  }
}

// Steps MountainCar from rest at the valley floor: `wait` no-op steps, then
// pushes along the velocity (right from rest) until the goal. Returns the step
// count at the end of the episode and its last result.
int RunMountainCar(Environment& env, int wait, StepResult& last) {
  std::vector<float> obs = ObservationBuffer(env);
  // The valley floor, where the slope term cos(3 * position) vanishes.
  EXPECT_TRUE(env.SetState({-kPi / 6, 0.0}, absl::MakeSpan(obs)).ok());
  for (int step = 1;; ++step) {
    // The floor's slope is only zero up to rounding: resting there leaves a
    // velocity of about 1e-19, which must not flip the first push.
    const int64_t action = step <= wait ? 1 : (obs[1] > -1e-9f ? 2 : 0);
    last = env.Step({action, {}}, absl::MakeSpan(obs));
    if (last.terminated || last.truncated) return step;
  }
}

// As in Gymnasium's TimeLimit, the truncation flag only depends on the step
// count: an episode that terminates on its last allowed step reports both.
TEST(EnvironmentTest, TerminationOnTheLastStepIsAlsoTruncated) {
  auto env = Make("MountainCar-v0");
  ASSERT_NE(env, nullptr);
  StepResult last;
  const int steps_to_goal = RunMountainCar(*env, 0, last);
  ASSERT_TRUE(last.terminated);
  ASSERT_FALSE(last.truncated);
  ASSERT_LT(steps_to_goal, 200);

  // Resting at the floor does not move the car, so waiting shifts the arrival.
  const int steps = RunMountainCar(*env, 200 - steps_to_goal, last);
  ASSERT_EQ(steps, 200);
  EXPECT_TRUE(last.terminated);
  EXPECT_TRUE(last.truncated);
  EXPECT_EQ(last.reward, -1.0);
}

TEST(EnvironmentTest, CartPolePaysTheTerminatingStep) {
  auto env = Make("CartPole-v1");
  ASSERT_NE(env, nullptr);
  std::vector<float> obs = ObservationBuffer(*env);
  ASSERT_TRUE(env->SetState({0.0, 0.0, 0.2, 1.0}, absl::MakeSpan(obs)).ok());
  const StepResult result = env->Step({1, {}}, absl::MakeSpan(obs));
  EXPECT_TRUE(result.terminated);
  EXPECT_FALSE(result.truncated);
  EXPECT_EQ(result.reward, 1.0);
}

TEST(EnvironmentTest, AcrobotRewardsZeroOnTermination) {
  auto env = Make("Acrobot-v1");
  ASSERT_NE(env, nullptr);
  std::vector<float> obs = ObservationBuffer(*env);
  // Both links pointing up: the tip is two lengths above the pivot.
  ASSERT_TRUE(env->SetState({kPi, 0.0, 0.0, 0.0}, absl::MakeSpan(obs)).ok());
  StepResult result = env->Step({1, {}}, absl::MakeSpan(obs));
  EXPECT_TRUE(result.terminated);
  EXPECT_EQ(result.reward, 0.0);

  ASSERT_TRUE(env->SetState({0.0, 0.0, 0.0, 0.0}, absl::MakeSpan(obs)).ok());
  result = env->Step({1, {}}, absl::MakeSpan(obs));
  EXPECT_FALSE(result.terminated);
  EXPECT_EQ(result.reward, -1.0);
  // Hanging at rest without torque is an equilibrium (up to the rounding of
  // cos(-pi / 2) in the gravity terms).
  const std::vector<float> hanging = {1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f};
  for (size_t i = 0; i < obs.size(); ++i) {
    EXPECT_NEAR(obs[i], hanging[i], 1e-12) << i;
  }
}

TEST(EnvironmentTest, PendulumClipsTheTorque) {
  auto clipped = Make("Pendulum-v1");
  auto limit = Make("Pendulum-v1");
  ASSERT_TRUE(clipped && limit);
  std::vector<float> clipped_obs(3), limit_obs(3);
  ASSERT_TRUE(clipped->SetState({1.0, 0.5}, absl::MakeSpan(clipped_obs)).ok());
  ASSERT_TRUE(limit->SetState({1.0, 0.5}, absl::MakeSpan(limit_obs)).ok());
  const float big = -7.5f;
  const float max_torque = -2.0f;
  const StepResult a = clipped->Step({0, absl::MakeConstSpan(&big, 1)},
                                     absl::MakeSpan(clipped_obs));
  const StepResult b = limit->Step({0, absl::MakeConstSpan(&max_torque, 1)},
                                   absl::MakeSpan(limit_obs));
  EXPECT_EQ(clipped_obs, limit_obs);
  // The torque cost is charged on the clipped torque too.
  EXPECT_EQ(a.reward, b.reward);
}

TEST(EnvironmentTest, MountainCarContinuousChargesTheUnclippedAction) {
  auto clipped = Make("MountainCarContinuous-v0");
  auto limit = Make("MountainCarContinuous-v0");
  ASSERT_TRUE(clipped && limit);
  std::vector<float> clipped_obs(2), limit_obs(2);
  ASSERT_TRUE(clipped->SetState({-0.5, 0.0}, absl::MakeSpan(clipped_obs)).ok());
  ASSERT_TRUE(limit->SetState({-0.5, 0.0}, absl::MakeSpan(limit_obs)).ok());
  const float big = 3.0f;
  const float max_force = 1.0f;
  const StepResult a = clipped->Step({0, absl::MakeConstSpan(&big, 1)},
                                     absl::MakeSpan(clipped_obs));
  const StepResult b = limit->Step({0, absl::MakeConstSpan(&max_force, 1)},
                                   absl::MakeSpan(limit_obs));
  EXPECT_EQ(clipped_obs, limit_obs);
  EXPECT_DOUBLE_EQ(a.reward, -0.9);
  EXPECT_DOUBLE_EQ(b.reward, -0.1);
}

TEST(EnvironmentTest, MountainCarStopsAtTheLeftWall) {
  for (const std::string id : {"MountainCar-v0", "MountainCarContinuous-v0"}) {
    SCOPED_TRACE(id);
    auto env = Make(id);
    ASSERT_NE(env, nullptr);
    std::vector<float> obs(2);
    ASSERT_TRUE(env->SetState({-1.19, -0.05}, absl::MakeSpan(obs)).ok());
    const float left = -1.0f;
    env->Step({0, absl::MakeConstSpan(&left, 1)}, absl::MakeSpan(obs));
    EXPECT_THAT(obs, ElementsAre(-1.2f, 0.0f));
  }
}

}  // namespace
}  // namespace entropic
