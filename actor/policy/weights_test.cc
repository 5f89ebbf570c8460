#include "actor/policy/weights.h"

#include <torch/torch.h>

#include "actor/policy/q_network.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

using ::testing::HasSubstr;

TEST(WeightsTest, RoundTripCopiesEveryParameter) {
  torch::manual_seed(1);
  QNetwork source(4, 2, std::vector<int64_t>{16, 16});
  torch::manual_seed(2);
  QNetwork target(4, 2, std::vector<int64_t>{16, 16});
  const v1::Weights weights = WeightsFromModule(*source, "job", 3, 0.2);
  EXPECT_EQ(weights.version(), 3);
  EXPECT_EQ(weights.tensors_size(), 6);  // 3 layers x (weight, bias)
  ASSERT_TRUE(LoadWeightsIntoModule(weights, *target).ok());
  const torch::Tensor input = torch::randn({5, 4});
  EXPECT_TRUE(torch::allclose(source->forward(input), target->forward(input)));
}

TEST(WeightsTest, MismatchedShapeIsRefusedAndChangesNothing) {
  QNetwork source(4, 2, std::vector<int64_t>{16});
  QNetwork target(4, 2, std::vector<int64_t>{8});
  const torch::Tensor before = target->parameters()[0].clone();
  const absl::Status status =
      LoadWeightsIntoModule(WeightsFromModule(*source, "job", 1, 1), *target);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("layers.0.weight"));
  EXPECT_TRUE(torch::equal(before, target->parameters()[0]));
}

TEST(WeightsTest, MissingParameterIsNamed) {
  QNetwork source(4, 2, std::vector<int64_t>{16});
  v1::Weights weights = WeightsFromModule(*source, "job", 1, 1);
  weights.mutable_tensors(0)->set_name("layers.9.weight");
  const absl::Status status = LoadWeightsIntoModule(weights, *source);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("missing"));
}

}  // namespace
}  // namespace entropic
