// Running mean and variance merged batch by batch, the clipped
// normalisation RND applies to observations, and the discounted-sum scale
// of its bonus, against values worked by hand.
#include "learner/running_statistics.h"

#include <torch/torch.h>

#include <cmath>
#include <string>

#include "gtest/gtest.h"

namespace entropic {
namespace {

const torch::Device kCpu(torch::kCPU);

TEST(RunningMeanStdTest, StartsAtZeroMeanUnitVariance) {
  const RunningMeanStd statistics(3, kCpu);
  EXPECT_EQ(statistics.count(), 0);
  EXPECT_TRUE(
      torch::equal(statistics.mean(), torch::zeros({3}, torch::kFloat64)));
  EXPECT_TRUE(
      torch::equal(statistics.variance(), torch::ones({3}, torch::kFloat64)));
}

// {1, 3} then {5, 7, 9}: the merged mean is 5 and the population variance
// of {1, 3, 5, 7, 9} is (16 + 4 + 0 + 4 + 16) / 5 = 8, as if all five came
// in one batch.
TEST(RunningMeanStdTest, MergesBatchesWithChansFormula) {
  RunningMeanStd statistics(1, kCpu);
  statistics.Update(torch::tensor({{1.0f}, {3.0f}}));
  EXPECT_EQ(statistics.count(), 2);
  EXPECT_DOUBLE_EQ(statistics.mean().item<double>(), 2.0);
  EXPECT_DOUBLE_EQ(statistics.variance().item<double>(), 1.0);
  statistics.Update(torch::tensor({{5.0f}, {7.0f}, {9.0f}}));
  EXPECT_EQ(statistics.count(), 5);
  EXPECT_NEAR(statistics.mean().item<double>(), 5.0, 1e-12);
  EXPECT_NEAR(statistics.variance().item<double>(), 8.0, 1e-12);
  // An empty batch changes nothing.
  statistics.Update(torch::zeros({0, 1}));
  EXPECT_EQ(statistics.count(), 5);
  EXPECT_NEAR(statistics.variance().item<double>(), 8.0, 1e-12);
}

// Two dimensions, each merged on its own: dimension 0 sees {0, 2, 4, 6}
// (mean 3, variance 5), dimension 1 sees {10, 10, 10, 30} (mean 15,
// variance (25 + 25 + 25 + 225) / 4 = 75).
TEST(RunningMeanStdTest, KeepsOneMeanAndVariancePerDimension) {
  RunningMeanStd statistics(2, kCpu);
  statistics.Update(
      torch::tensor({{0.0f, 10.0f}, {2.0f, 10.0f}, {4.0f, 10.0f}}));
  statistics.Update(torch::tensor({{6.0f, 30.0f}}));
  EXPECT_NEAR(statistics.mean()[0].item<double>(), 3.0, 1e-12);
  EXPECT_NEAR(statistics.mean()[1].item<double>(), 15.0, 1e-12);
  EXPECT_NEAR(statistics.variance()[0].item<double>(), 5.0, 1e-12);
  EXPECT_NEAR(statistics.variance()[1].item<double>(), 75.0, 1e-12);
}

// Mean 5, standard deviation sqrt(8) = 2.828...: 5 -> 0, 7.828 -> 1, and
// anything past 5 standard deviations is clipped.
TEST(RunningMeanStdTest, NormalisesAndClips) {
  RunningMeanStd statistics(1, kCpu);
  statistics.Update(torch::tensor({{1.0f}, {3.0f}, {5.0f}, {7.0f}, {9.0f}}));
  const double sigma = std::sqrt(8.0);
  const torch::Tensor x = torch::tensor(
      {{5.0f}, {static_cast<float>(5 + sigma)}, {30.0f}, {-30.0f}});
  const torch::Tensor normalised = statistics.Normalise(x, 5.0);
  EXPECT_EQ(normalised.scalar_type(), torch::kFloat32);
  EXPECT_NEAR(normalised[0][0].item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(normalised[1][0].item<double>(), 1.0, 1e-6);
  EXPECT_FLOAT_EQ(normalised[2][0].item<float>(), 5.0f);
  EXPECT_FLOAT_EQ(normalised[3][0].item<float>(), -5.0f);
}

TEST(RunningMeanStdTest, SaveLoadRoundTrip) {
  RunningMeanStd statistics(2, kCpu);
  statistics.Update(torch::tensor({{1.0f, 2.0f}, {3.0f, 8.0f}}));
  const std::string path = ::testing::TempDir() + "/running_mean_std.pt";
  ASSERT_TRUE(statistics.Save(path).ok());
  RunningMeanStd restored(2, kCpu);
  ASSERT_TRUE(restored.Load(path).ok());
  EXPECT_EQ(restored.count(), 2);
  EXPECT_TRUE(torch::allclose(restored.mean(), statistics.mean()));
  EXPECT_TRUE(torch::allclose(restored.variance(), statistics.variance()));
  // Statistics of another size are refused and leave it as it was.
  RunningMeanStd other(3, kCpu);
  const absl::Status status = other.Load(path);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(other.count(), 0);
  EXPECT_EQ(RunningMeanStd(2, kCpu)
                .Load(::testing::TempDir() + "/no_such_statistics.pt")
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// gamma = 0.5, two rows. Bonuses {1, 3}: R = {1, 3}, std(R) = 1, so the
// bonuses come back as they are. Then {2, 2}: R = {0.5 + 2, 1.5 + 2} =
// {2.5, 3.5}; every R seen is {1, 3, 2.5, 3.5}, mean 2.5, variance
// (2.25 + 0.25 + 0 + 1) / 4 = 0.875, so 2 -> 2 / sqrt(0.875). Then row 1
// alone with 4: R[1] = 1.75 + 4 = 5.75.
TEST(DiscountedSumNormaliserTest, DividesByTheStdOfDiscountedSums) {
  DiscountedSumNormaliser normaliser(0.5, kCpu);
  const torch::Tensor both = torch::tensor({0, 1}, torch::kInt64);
  torch::Tensor out =
      normaliser.Normalise(both, 2, torch::tensor({1.0, 3.0}, torch::kFloat64));
  EXPECT_NEAR(out[0].item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(out[1].item<double>(), 3.0, 1e-6);

  out = normaliser.Normalise(both, 2, torch::tensor({2.0, 2.0}));
  EXPECT_NEAR(normaliser.sums()[0].item<double>(), 2.5, 1e-12);
  EXPECT_NEAR(normaliser.sums()[1].item<double>(), 3.5, 1e-12);
  EXPECT_NEAR(normaliser.statistics().variance().item<double>(), 0.875, 1e-12);
  EXPECT_NEAR(out[0].item<double>(), 2.0 / std::sqrt(0.875), 1e-6);

  normaliser.Normalise(torch::tensor({1}, torch::kInt64), 2,
                       torch::tensor({4.0}));
  EXPECT_NEAR(normaliser.sums()[0].item<double>(), 2.5, 1e-12);
  EXPECT_NEAR(normaliser.sums()[1].item<double>(), 5.75, 1e-12);
  EXPECT_EQ(normaliser.statistics().count(), 5);

  // Saved and loaded, it goes on from the same sums.
  const std::string prefix = ::testing::TempDir() + "/discounted";
  ASSERT_TRUE(normaliser.Save(prefix).ok());
  DiscountedSumNormaliser restored(0.5, kCpu);
  ASSERT_TRUE(restored.Load(prefix).ok());
  EXPECT_TRUE(torch::allclose(restored.sums(), normaliser.sums()));
  EXPECT_EQ(restored.statistics().count(), 5);
}

TEST(DiscountedSumNormaliserTest, ANewBatchSizeRestartsTheSums) {
  DiscountedSumNormaliser normaliser(0.9, kCpu);
  normaliser.Normalise(torch::tensor({0, 1}, torch::kInt64), 2,
                       torch::tensor({1.0, 2.0}));
  normaliser.Normalise(torch::tensor({0, 1, 2}, torch::kInt64), 3,
                       torch::tensor({1.0, 1.0, 1.0}));
  EXPECT_EQ(normaliser.sums().size(0), 3);
  EXPECT_NEAR(normaliser.sums()[0].item<double>(), 1.0, 1e-12);
}

}  // namespace
}  // namespace entropic
