// The histogram density model behind pseudo-counts: its pseudo-count is
// the exact count for one dimension (the empirical density), and a 2-D
// case worked by hand.
#include "learner/reward_models/histogram_density.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace entropic {
namespace {

std::unique_ptr<HistogramDensity> Make(const std::vector<float>& low,
                                       const std::vector<float>& high,
                                       int64_t bins) {
  absl::StatusOr<std::unique_ptr<HistogramDensity>> density =
      HistogramDensity::Create(low, high, bins);
  EXPECT_TRUE(density.ok()) << density.status();
  return *std::move(density);
}

// Bins [0, 1), [1, 2), [2, 3), [3, 4] holding 1, 2, 5 and 10 points: for
// the empirical density rho = n / N and rho' = (n + 1) / (N + 1), so
// rho (1 - rho') / (rho' - rho) = n exactly.
TEST(HistogramDensityTest, OneDimensionalPseudoCountIsTheExactCount) {
  std::unique_ptr<HistogramDensity> density = Make({0}, {4}, 4);
  const std::vector<int> counts = {1, 2, 5, 10};
  for (int bin = 0; bin < 4; ++bin) {
    for (int i = 0; i < counts[bin]; ++i) {
      const float x = bin + 0.1f + 0.05f * i;
      density->Observe({&x, 1});
    }
  }
  ASSERT_EQ(density->total(), 18);
  for (int bin = 0; bin < 4; ++bin) {
    SCOPED_TRACE(bin);
    const float x = bin + 0.5f;
    EXPECT_DOUBLE_EQ(density->Density({&x, 1}), counts[bin] / 18.0);
    EXPECT_DOUBLE_EQ(density->DensityAfterObserving({&x, 1}),
                     (counts[bin] + 1) / 19.0);
    EXPECT_NEAR(density->PseudoCount({&x, 1}), counts[bin], 1e-9);
  }
  // Nothing seen there yet: count 0.
  std::unique_ptr<HistogramDensity> empty_bins = Make({0}, {4}, 8);
  const float seen = 0.1f;
  empty_bins->Observe({&seen, 1});
  const float unseen = 3.9f;
  EXPECT_EQ(empty_bins->PseudoCount({&unseen, 1}), 0);
}

// Every point in one bin: rho = rho' = 1 and the formula is 0/0; the
// pseudo-count is then N, the count the 1-D identity gives.
TEST(HistogramDensityTest, ASaturatedBinCountsEveryPoint) {
  std::unique_ptr<HistogramDensity> density = Make({0, 0}, {1, 1}, 4);
  const std::vector<float> x = {0.1f, 0.1f};
  for (int n = 1; n <= 3; ++n) {
    density->Observe(x);
    EXPECT_EQ(density->PseudoCount(x), n);
  }
}

// Two bins per dimension over [0, 1]^2; points (0.2, 0.2), (0.2, 0.8),
// (0.8, 0.8). For x = (0.2, 0.8): n_0 = 2, n_1 = 2, N = 3, so
// rho = (2/3)(2/3) = 4/9, rho' = (3/4)(3/4) = 9/16, and
// N_hat = (4/9)(7/16) / (9/16 - 4/9) = (28/144) / (17/144) = 28/17.
// For x = (0.8, 0.2): n_0 = 1, n_1 = 1: rho = 1/9, rho' = 1/4,
// N_hat = (1/9)(3/4) / (1/4 - 1/9) = (3/36) / (5/36) = 3/5.
TEST(HistogramDensityTest, TwoDimensionalPseudoCountByHand) {
  std::unique_ptr<HistogramDensity> density = Make({0, 0}, {1, 1}, 2);
  for (const std::vector<float>& x :
       {std::vector<float>{0.2f, 0.2f}, {0.2f, 0.8f}, {0.8f, 0.8f}}) {
    density->Observe(x);
  }
  const std::vector<float> a = {0.2f, 0.8f};
  EXPECT_DOUBLE_EQ(density->Density(a), 4.0 / 9.0);
  EXPECT_DOUBLE_EQ(density->DensityAfterObserving(a), 9.0 / 16.0);
  EXPECT_NEAR(density->PseudoCount(a), 28.0 / 17.0, 1e-12);
  const std::vector<float> b = {0.8f, 0.2f};
  EXPECT_NEAR(density->PseudoCount(b), 3.0 / 5.0, 1e-12);
}

// Gymnasium's "unbounded" (float32's largest value) spans [-10, 10];
// points beyond any bound land in the edge bins.
TEST(HistogramDensityTest, UnboundedDimensionsSpanPlusMinusTen) {
  const float huge = std::numeric_limits<float>::max();
  std::unique_ptr<HistogramDensity> density =
      Make({-2.4f, -huge}, {2.4f, huge}, 20);
  EXPECT_EQ(density->Bin(1, -10.0), 0);
  EXPECT_EQ(density->Bin(1, -9.01), 0);
  EXPECT_EQ(density->Bin(1, -8.99), 1);
  EXPECT_EQ(density->Bin(1, 0.5), 10);
  EXPECT_EQ(density->Bin(1, 1e30), 19);
  EXPECT_EQ(density->Bin(0, -100.0), 0);
  EXPECT_EQ(density->Bin(0, 2.4), 19);
  EXPECT_EQ(density->Bin(0, std::nan("")), 0);
}

TEST(HistogramDensityTest, CreateRefusesBadBounds) {
  EXPECT_FALSE(HistogramDensity::Create({}, {}, 4).ok());
  EXPECT_FALSE(HistogramDensity::Create({0, 0}, {1}, 4).ok());
  EXPECT_FALSE(HistogramDensity::Create({1}, {1}, 4).ok());
  EXPECT_FALSE(HistogramDensity::Create({0}, {1}, 0).ok());
}

TEST(HistogramDensityTest, RestoreChecksTheCounts) {
  std::unique_ptr<HistogramDensity> density = Make({0, 0}, {1, 1}, 2);
  EXPECT_TRUE(density->Restore({1, 2, 3, 0}, 3).ok());
  EXPECT_EQ(density->total(), 3);
  const std::vector<float> x = {0.9f, 0.1f};
  EXPECT_DOUBLE_EQ(density->Density(x), (2.0 / 3) * (3.0 / 3));
  // Wrong size, a negative count, or a dimension that does not sum to the
  // total: refused, nothing changes.
  EXPECT_FALSE(density->Restore({1, 2, 3}, 3).ok());
  EXPECT_FALSE(density->Restore({-1, 4, 3, 0}, 3).ok());
  EXPECT_FALSE(density->Restore({1, 2, 2, 0}, 3).ok());
  EXPECT_EQ(density->total(), 3);
  EXPECT_EQ(density->counts(), (std::vector<int64_t>{1, 2, 3, 0}));
}

}  // namespace
}  // namespace entropic
