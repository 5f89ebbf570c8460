#include "actor/adders/step_columns.h"

#include <random>
#include <string>
#include <vector>

#include "common/replay_columns.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

using ::testing::HasSubstr;

google::protobuf::RepeatedPtrField<std::string> Names(
    const std::vector<std::string>& names) {
  return {names.begin(), names.end()};
}

v1::PolicySpec Bootstrapped(int heads, double probability) {
  v1::PolicySpec policy;
  policy.mutable_bootstrapped_q()->set_heads(heads);
  policy.mutable_bootstrapped_q()->set_mask_probability(probability);
  return policy;
}

TEST(StepColumnsTest, FillsTheLogProbAndABernoulliMaskPerHead) {
  absl::StatusOr<StepColumns> columns =
      StepColumns::Create(Names({kBehaviourLogProbColumn, kBootstrapMaskColumn}),
                          Bootstrapped(8, 0.25));
  ASSERT_TRUE(columns.ok()) << columns.status();
  ASSERT_EQ(columns->layout().size(), 2u);
  EXPECT_TRUE(columns->layout()[0].shape.empty());
  EXPECT_EQ(columns->layout()[1].shape, (std::vector<int64_t>{8}));
  std::mt19937_64 rng(3);
  std::vector<float> values;
  double kept = 0;
  const int steps = 4000;
  for (int step = 0; step < steps; ++step) {
    columns->Fill(-0.75f, rng, values);
    ASSERT_EQ(values.size(), 9u);
    EXPECT_EQ(values[0], -0.75f);
    for (int k = 1; k < 9; ++k) {
      ASSERT_TRUE(values[k] == 0.0f || values[k] == 1.0f);
      kept += values[k];
    }
  }
  // 32,000 draws of Bernoulli(0.25): the share is within 0.25 +- 0.015
  // (over six standard deviations).
  EXPECT_NEAR(kept / (8.0 * steps), 0.25, 0.015);
}

TEST(StepColumnsTest, AMaskProbabilityOfOneKeepsEveryStep) {
  absl::StatusOr<StepColumns> columns = StepColumns::Create(
      Names({kBootstrapMaskColumn}), Bootstrapped(3, 1.0));
  ASSERT_TRUE(columns.ok());
  std::mt19937_64 rng(1);
  std::vector<float> values;
  columns->Fill(0.0f, rng, values);
  EXPECT_EQ(values, (std::vector<float>{1, 1, 1}));
}

TEST(StepColumnsTest, RefusesColumnsItCannotFill) {
  absl::StatusOr<StepColumns> unknown = StepColumns::Create(
      Names({kBehaviourLogProbColumn, "task_id"}), v1::PolicySpec());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(),
              HasSubstr("assignment.columns[1]: the actor cannot fill column "
                        "\"task_id\""));
  v1::PolicySpec boltzmann;
  boltzmann.mutable_boltzmann()->set_num_actions(2);
  absl::StatusOr<StepColumns> mask =
      StepColumns::Create(Names({kBootstrapMaskColumn}), boltzmann);
  EXPECT_THAT(mask.status().message(),
              HasSubstr("assignment.columns[0]: \"bootstrap_mask\" needs a "
                        "bootstrapped_q policy"));
}

}  // namespace
}  // namespace entropic
