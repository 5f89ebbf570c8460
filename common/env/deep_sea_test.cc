// DeepSea-v0 follows bsuite's deep_sea: one path pays, every right step
// costs, observations are the one-hot cell.
#include "common/env/deep_sea.h"

#include <memory>
#include <vector>

#include "common/env/registry.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

std::unique_ptr<DeepSea> Make(int size, uint64_t mapping_seed) {
  v1::DeepSeaOptions options;
  options.set_size(size);
  options.set_mapping_seed(mapping_seed);
  absl::StatusOr<std::unique_ptr<DeepSea>> env = DeepSea::Create(options);
  EXPECT_TRUE(env.ok()) << env.status();
  return std::move(*env);
}

// Plays `size` steps going right (right == true) or left at every cell and
// returns the undiscounted return; checks termination on the last step only.
double Play(DeepSea& env, const std::vector<bool>& right) {
  const int n = env.size();
  std::vector<float> observation(n * n);
  EnvRng rng(1);
  env.Reset(rng, absl::MakeSpan(observation));
  int row = 0;
  int column = 0;
  double total = 0;
  for (int step = 0; step < n; ++step) {
    EXPECT_EQ(observation[row * n + column], 1.0f);
    const int64_t move = env.RightAction(row, column);
    Action action;
    action.index = right[step] ? move : 1 - move;
    const StepResult result = env.Step(action, absl::MakeSpan(observation));
    total += result.reward;
    EXPECT_EQ(result.terminated, step == n - 1);
    EXPECT_FALSE(result.truncated);
    column = right[step] ? std::min(column + 1, n - 1) : std::max(column - 1, 0);
    ++row;
  }
  for (float value : observation) EXPECT_EQ(value, 0.0f);  // past the end
  return total;
}

TEST(DeepSeaTest, OnlyTheAllRightPathFindsTheTreasure) {
  std::unique_ptr<DeepSea> env = Make(/*size=*/4, /*mapping_seed=*/3);
  // Four right steps at 0.01 / 4 each, then the treasure.
  EXPECT_NEAR(Play(*env, {true, true, true, true}), 1.0 - 0.01, 1e-12);
  // One left step anywhere and the last column is never reached.
  EXPECT_NEAR(Play(*env, {true, true, true, false}), -3 * 0.0025, 1e-12);
  EXPECT_NEAR(Play(*env, {false, true, true, true}), -3 * 0.0025, 1e-12);
  EXPECT_NEAR(Play(*env, {false, false, false, false}), 0.0, 1e-12);
}

TEST(DeepSeaTest, MappingIsFixedBySeedAndMixesActions) {
  std::unique_ptr<DeepSea> a = Make(20, 5);
  std::unique_ptr<DeepSea> b = Make(20, 5);
  std::unique_ptr<DeepSea> c = Make(20, 6);
  int ones = 0;
  int differences = 0;
  for (int row = 0; row < 20; ++row) {
    for (int column = 0; column < 20; ++column) {
      EXPECT_EQ(a->RightAction(row, column), b->RightAction(row, column));
      ones += a->RightAction(row, column);
      differences += a->RightAction(row, column) != c->RightAction(row, column);
    }
  }
  // 400 fair bits: far from all-equal (more than 10 standard deviations).
  EXPECT_GT(ones, 100);
  EXPECT_LT(ones, 300);
  EXPECT_GT(differences, 100);
}

TEST(DeepSeaTest, SetStateMovesToACell) {
  std::unique_ptr<DeepSea> env = Make(5, 0);
  std::vector<float> observation(25);
  ASSERT_TRUE(env->SetState({3, 2}, absl::MakeSpan(observation)).ok());
  EXPECT_EQ(observation[3 * 5 + 2], 1.0f);
  EXPECT_FALSE(env->SetState({2, 3}, absl::MakeSpan(observation)).ok());
  EXPECT_FALSE(env->SetState({5, 0}, absl::MakeSpan(observation)).ok());
  EXPECT_FALSE(env->SetState({1.5, 0}, absl::MakeSpan(observation)).ok());
}

TEST(DeepSeaTest, RegistryAppliesAndChecksOptions) {
  v1::EnvironmentSpec spec;
  spec.set_id("DeepSea-v0");
  absl::StatusOr<std::unique_ptr<Environment>> by_default =
      MakeEnvironment(spec);
  ASSERT_TRUE(by_default.ok()) << by_default.status();
  EXPECT_EQ((*by_default)->info().observation_space.FlatSize(), 100);
  EXPECT_EQ((*by_default)->info().action_space.num_actions, 2);

  spec.mutable_deep_sea()->set_size(30);
  absl::StatusOr<std::unique_ptr<Environment>> sized = MakeEnvironment(spec);
  ASSERT_TRUE(sized.ok()) << sized.status();
  EXPECT_EQ((*sized)->info().observation_space.FlatSize(), 900);

  spec.mutable_deep_sea()->set_size(101);
  absl::StatusOr<std::unique_ptr<Environment>> too_big = MakeEnvironment(spec);
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_big.status().message().find("env.deep_sea.size"),
            std::string::npos);

  spec.mutable_deep_sea()->set_size(10);
  spec.mutable_deep_sea()->set_unscaled_move_cost(-1);
  EXPECT_EQ(MakeEnvironment(spec).status().code(),
            absl::StatusCode::kInvalidArgument);

  v1::EnvironmentSpec cart_pole;
  cart_pole.set_id("CartPole-v1");
  cart_pole.mutable_deep_sea()->set_size(10);
  absl::StatusOr<std::unique_ptr<Environment>> refused =
      MakeEnvironment(cart_pole);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("takes no options"),
            std::string::npos);
}

}  // namespace
}  // namespace entropic
