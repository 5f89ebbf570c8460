// Gridworld-v0 steps as its transition matrix says, so the exact tabular
// tools model it without error.
#include "common/env/gridworld.h"

#include <vector>

#include "common/tabular/gridworld.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

// Worked by hand: from the top-left corner, "up" stays put unless the slip
// picks right (1/4 of 0.1) or down (1/4 of 0.1); up and left both stay.
TEST(GridworldTest, CornerMovesAsWorkedByHand) {
  const tabular::Mdp mdp = tabular::GridworldMdp(tabular::DefaultGridworld());
  ASSERT_TRUE(mdp.Validate().ok()) << mdp.Validate();
  EXPECT_DOUBLE_EQ(mdp.P(0, /*up=*/0, 0), 0.9 + 0.025 + 0.025);
  EXPECT_DOUBLE_EQ(mdp.P(0, 0, 1), 0.025);
  EXPECT_DOUBLE_EQ(mdp.P(0, 0, 5), 0.025);
  // "right" from cell 0 reaches cell 1 with 0.9 + 0.025.
  EXPECT_DOUBLE_EQ(mdp.P(0, /*right=*/1, 1), 0.925);
  EXPECT_DOUBLE_EQ(mdp.R(6, 2), -1.0);  // an X cell
  EXPECT_DOUBLE_EQ(mdp.R(24, 0), 1.0);  // the goal
  EXPECT_DOUBLE_EQ(mdp.initial[0], 1.0);
}

// From the middle cell (12), every action's next cells are drawn with the
// matrix's probabilities: 20000 draws each, within 0.01 (more than 4
// standard deviations of the largest frequency).
TEST(GridworldTest, StepsSampleTheTransitionMatrix) {
  Gridworld env;
  std::vector<float> observation(env.info().observation_space.FlatSize());
  EnvRng rng(7);
  constexpr int kDraws = 20000;
  for (int action = 0; action < tabular::kGridworldActions; ++action) {
    std::vector<int> counts(env.mdp().num_states, 0);
    for (int i = 0; i < kDraws; ++i) {
      if (i % 20 == 0) env.Reset(rng, absl::MakeSpan(observation));
      ASSERT_TRUE(env.SetState({12}, absl::MakeSpan(observation)).ok());
      env.Step(Action{action, {}}, absl::MakeSpan(observation));
      const int cell = Gridworld::CellOf(observation);
      ASSERT_GE(cell, 0);
      ++counts[cell];
    }
    for (int cell = 0; cell < env.mdp().num_states; ++cell) {
      EXPECT_NEAR(static_cast<double>(counts[cell]) / kDraws,
                  env.mdp().P(12, action, cell), 0.01)
          << "action " << action << " cell " << cell;
    }
  }
}

TEST(GridworldTest, RewardsTheCellStartedInAndTruncatesAtTheHorizon) {
  Gridworld env;
  std::vector<float> observation(env.info().observation_space.FlatSize());
  EnvRng rng(3);
  env.Reset(rng, absl::MakeSpan(observation));
  EXPECT_EQ(Gridworld::CellOf(observation), 0);
  ASSERT_TRUE(env.SetState({24}, absl::MakeSpan(observation)).ok());
  for (int step = 1; step <= 20; ++step) {
    const int cell = Gridworld::CellOf(observation);
    const StepResult result =
        env.Step(Action{/*down=*/2, {}}, absl::MakeSpan(observation));
    EXPECT_EQ(result.reward, env.layout().cell_reward[cell]);
    EXPECT_FALSE(result.terminated);
    EXPECT_EQ(result.truncated, step == 20);
  }
}

TEST(GridworldTest, CellOfRefusesWhatIsNotOneHot) {
  EXPECT_EQ(Gridworld::CellOf(std::vector<float>{0, 0, 1, 0}), 2);
  EXPECT_EQ(Gridworld::CellOf(std::vector<float>{0, 0, 0, 0}), -1);
  EXPECT_EQ(Gridworld::CellOf(std::vector<float>{1, 0, 1, 0}), -1);
  EXPECT_EQ(Gridworld::CellOf(std::vector<float>{0, 0.5, 0, 0}), -1);
}

TEST(GridworldTest, SetStateRefusesCellsOffTheGrid) {
  Gridworld env;
  std::vector<float> observation(env.info().observation_space.FlatSize());
  for (const double bad : {-1.0, 25.0, 2.5}) {
    EXPECT_THAT(env.SetState({bad}, absl::MakeSpan(observation)).message(),
                testing::HasSubstr("one cell index in [0, 25)"));
  }
}

}  // namespace
}  // namespace entropic
