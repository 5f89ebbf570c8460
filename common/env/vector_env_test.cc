#include "common/env/vector_env.h"

#include "gtest/gtest.h"

namespace entropic {
namespace {

TEST(VectorEnvTest, ResetsEndedEpisodesAndKeepsFinalObservation) {
  absl::StatusOr<std::unique_ptr<VectorEnv>> envs =
      VectorEnv::Create("CartPole-v1", 3, 5);
  ASSERT_TRUE(envs.ok()) << envs.status();
  VectorEnv& vec = **envs;
  EXPECT_EQ(vec.observation_size(), 4);
  EXPECT_EQ(vec.observations().size(), 12u);
  // Always pushing right ends CartPole within a few dozen steps.
  int steps = 0;
  StepResult result;
  do {
    result = vec.Step(0, Action{1, {}});
    ++steps;
    ASSERT_LT(steps, 200);
  } while (!result.terminated);
  EXPECT_EQ(vec.episode_length(0), steps);
  EXPECT_DOUBLE_EQ(vec.episode_return(0), steps);
  // The final observation is past the termination bounds; the current one is
  // a fresh reset near zero.
  const auto final_obs = vec.final_observation(0);
  EXPECT_TRUE(std::abs(final_obs[0]) > 2.4f || std::abs(final_obs[2]) > 0.2f);
  for (float x : vec.observation(0)) EXPECT_LE(std::abs(x), 0.05f);
  // The next step starts a new episode's bookkeeping.
  vec.Step(0, Action{0, {}});
  EXPECT_EQ(vec.episode_length(0), 1);
}

TEST(VectorEnvTest, SameSeedSameStartsDifferentEnvsDiffer) {
  auto a = VectorEnv::Create("CartPole-v1", 2, 11);
  auto b = VectorEnv::Create("CartPole-v1", 2, 11);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(std::vector<float>((*a)->observations().begin(),
                               (*a)->observations().end()),
            std::vector<float>((*b)->observations().begin(),
                               (*b)->observations().end()));
  EXPECT_NE((*a)->observation(0)[0], (*a)->observation(1)[0]);
}

TEST(VectorEnvTest, UnknownIdIsNotFound) {
  EXPECT_EQ(VectorEnv::Create("Nope-v0", 2, 1).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace entropic
