// Sampled batches become tensors, with each item's table told apart.
#include "learner/transition_batch.h"

#include <torch/torch.h>

#include <string>
#include <vector>

#include "common/tensor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

// A batch of three CartPole-sized transitions drawn from `tables`, item i
// from tables[sources[i]].
v1::SampleResponse Response(const std::vector<std::string>& tables,
                            const std::vector<uint8_t>& sources) {
  const int64_t b = 3;
  v1::SampleResponse response;
  *response.mutable_observations() =
      MakeTensor<float>(std::vector<float>(b * 4, 0.5f), {b, 4});
  *response.mutable_next_observations() = response.observations();
  *response.mutable_actions() =
      MakeTensor<int64_t>(std::vector<int64_t>{0, 1, 0}, {b});
  *response.mutable_rewards() =
      MakeTensor<float>(std::vector<float>(b, 1), {b});
  *response.mutable_terminated() =
      MakeTensor<uint8_t>(std::vector<uint8_t>(b, 0), {b});
  response.mutable_terminated()->set_dtype(v1::DTYPE_BOOL);
  *response.mutable_discounts() =
      MakeTensor<float>(std::vector<float>(b, 0.99f), {b});
  *response.mutable_weights() =
      MakeTensor<float>(std::vector<float>(b, 1), {b});
  *response.mutable_policy_versions() =
      MakeTensor<int64_t>(std::vector<int64_t>(b, 0), {b});
  *response.mutable_keys() =
      MakeTensor<int64_t>(std::vector<int64_t>{7, 8, 9}, {b});
  *response.mutable_sources() = MakeTensor<uint8_t>(sources, {b});
  for (const std::string& table : tables) response.add_source_tables(table);
  return response;
}

std::vector<bool> FromDemonstrations(const TransitionBatch& batch) {
  std::vector<bool> flags;
  for (int64_t i = 0; i < batch.from_demonstrations.numel(); ++i) {
    flags.push_back(batch.from_demonstrations[i].item<bool>());
  }
  return flags;
}

TEST(TransitionBatchTest, MarksTheItemsOfTheDemonstrationsTable) {
  auto mixed = BatchFromSample(Response({"agent", "demonstrations"}, {0, 1, 1}),
                               "demonstrations", torch::kCPU);
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  EXPECT_THAT(FromDemonstrations(*mixed),
              testing::ElementsAre(false, true, true));
  // A batch drawn wholly from demonstrations lists them as its only source.
  auto demonstrations_only = BatchFromSample(
      Response({"demonstrations"}, {0, 0, 0}), "demonstrations", torch::kCPU);
  ASSERT_TRUE(demonstrations_only.ok());
  EXPECT_THAT(FromDemonstrations(*demonstrations_only),
              testing::ElementsAre(true, true, true));
  auto agent_only = BatchFromSample(Response({"agent"}, {0, 0, 0}),
                                    "demonstrations", torch::kCPU);
  ASSERT_TRUE(agent_only.ok());
  EXPECT_THAT(FromDemonstrations(*agent_only),
              testing::ElementsAre(false, false, false));
}

TEST(TransitionBatchTest, SourceOutsideTheListedTablesIsRefused) {
  auto batch = BatchFromSample(Response({"agent"}, {0, 1, 0}), "demonstrations",
                               torch::kCPU);
  EXPECT_EQ(batch.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(batch.status().message()),
              testing::StartsWith("sources:"));
}

TEST(TransitionBatchTest, ExtraColumnsComeByName) {
  v1::SampleResponse response = Response({"agent"}, {0, 0, 0});
  v1::NamedTensor& column = *response.add_extra_columns();
  column.set_name("behaviour_log_prob");
  *column.mutable_tensor() =
      MakeTensor<float>(std::vector<float>{-0.1f, -0.2f, -0.3f}, {3});
  absl::StatusOr<TransitionBatch> batch =
      BatchFromSample(response, "demonstrations", torch::kCPU);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->extra.count("behaviour_log_prob"), 1u);
  EXPECT_TRUE(torch::allclose(batch->extra["behaviour_log_prob"],
                              torch::tensor({-0.1f, -0.2f, -0.3f})));
  // A column with the wrong number of rows is refused, naming it.
  *column.mutable_tensor() =
      MakeTensor<float>(std::vector<float>{-0.1f, -0.2f}, {2});
  const absl::Status refused =
      BatchFromSample(response, "demonstrations", torch::kCPU).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("behaviour_log_prob"), std::string::npos);
}

TEST(TransitionBatchTest, BoxActionsAreFloatRows) {
  v1::SampleResponse response = Response({"agent"}, {0, 0, 0});
  *response.mutable_actions() = MakeTensor<float>(
      std::vector<float>{0.5f, -0.5f, 1.0f, 0.0f, -2.0f, 2.0f}, {3, 2});
  absl::StatusOr<TransitionBatch> batch =
      BatchFromSample(response, "demonstrations", torch::kCPU);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->actions.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(batch->actions.scalar_type(), torch::kFloat32);
}

}  // namespace
}  // namespace entropic
