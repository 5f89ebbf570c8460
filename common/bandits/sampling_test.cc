#include "common/bandits/sampling.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace entropic::bandits {
namespace {

// Mean and variance of `n` draws of `draw`.
template <typename Draw>
std::pair<double, double> Moments(int n, Draw draw) {
  double sum = 0, sum_squares = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sum_squares += x * x;
  }
  const double mean = sum / n;
  return {mean, sum_squares / n - mean * mean};
}

TEST(SamplingTest, UniformIsInTheUnitIntervalWithMeanOneHalf) {
  BanditRng rng(1);
  const auto [mean, variance] = Moments(100000, [&] {
    const double u = Uniform01(rng);
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
    return u;
  });
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / 100000));
  EXPECT_NEAR(variance, 1.0 / 12, 0.002);
}

TEST(SamplingTest, UniformIndexCoversEveryValueEvenly) {
  BanditRng rng(2);
  EXPECT_EQ(UniformIndex(rng, 1), 0);
  constexpr int kValues = 7, kDraws = 70000;
  std::vector<int> counts(kValues, 0);
  for (int i = 0; i < kDraws; ++i) {
    const int64_t value = UniformIndex(rng, kValues);
    ASSERT_GE(value, 0);
    ASSERT_LT(value, kValues);
    ++counts[value];
  }
  const double expected = kDraws / kValues;
  const double sd = std::sqrt(kDraws * (1.0 / kValues) * (1 - 1.0 / kValues));
  for (const int count : counts) EXPECT_NEAR(count, expected, 5 * sd);
}

TEST(SamplingTest, SameSeedSameDraws) {
  BanditRng first(9), second(9);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(Beta(first, 2.0, 3.0), Beta(second, 2.0, 3.0));
  }
}

TEST(SamplingTest, StandardNormalHasMeanZeroAndVarianceOne) {
  BanditRng rng(3);
  const auto [mean, variance] =
      Moments(100000, [&] { return StandardNormal(rng); });
  EXPECT_NEAR(mean, 0.0, 5 / std::sqrt(100000.0));
  EXPECT_NEAR(variance, 1.0, 0.03);
}

// Gamma(k, 1) has mean k and variance k, for shapes below and above 1.
TEST(SamplingTest, GammaHasMeanAndVarianceOfItsShape) {
  BanditRng rng(4);
  constexpr int kDraws = 100000;
  for (const double shape : {0.3, 1.0, 2.5, 40.0}) {
    SCOPED_TRACE(shape);
    const auto [mean, variance] = Moments(kDraws, [&] {
      const double x = Gamma(rng, shape);
      EXPECT_GT(x, 0.0);
      return x;
    });
    EXPECT_NEAR(mean, shape, 5 * std::sqrt(shape / kDraws));
    EXPECT_NEAR(variance / shape, 1.0, 0.05);
  }
}

// Beta(a, b): mean a / (a + b), variance ab / ((a + b)^2 (a + b + 1)).
TEST(SamplingTest, BetaHasItsMeanAndVariance) {
  BanditRng rng(5);
  constexpr int kDraws = 100000;
  for (const auto& [a, b] : std::vector<std::pair<double, double>>{
           {1, 1}, {2, 5}, {30, 3}, {0.5, 0.5}}) {
    SCOPED_TRACE(a);
    const double expected_mean = a / (a + b);
    const double expected_variance = a * b / ((a + b) * (a + b) * (a + b + 1));
    const auto [mean, variance] = Moments(kDraws, [&] {
      const double x = Beta(rng, a, b);
      EXPECT_GE(x, 0.0);
      EXPECT_LE(x, 1.0);
      return x;
    });
    EXPECT_NEAR(mean, expected_mean, 5 * std::sqrt(expected_variance / kDraws));
    EXPECT_NEAR(variance / expected_variance, 1.0, 0.05);
  }
}

}  // namespace
}  // namespace entropic::bandits
