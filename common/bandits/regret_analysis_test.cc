#include "common/bandits/regret_analysis.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace entropic::bandits {
namespace {

TEST(RegretAnalysisTest, LogarithmicFitRecoversAnExactLogCurve) {
  std::vector<double> regret;
  for (int t = 1; t <= 1000; ++t) regret.push_back(3 * std::log(t) + 2);
  const RegretFit fit = FitLogarithmic(regret);
  EXPECT_NEAR(fit.slope, 3, 1e-9);
  EXPECT_NEAR(fit.intercept, 2, 1e-9);
  EXPECT_NEAR(fit.r_squared, 1, 1e-12);
  // A line through the origin fits the same curve worse.
  EXPECT_LT(FitLinear(regret).r_squared, 0.9);
}

TEST(RegretAnalysisTest, LinearFitRecoversAnExactLine) {
  std::vector<double> regret;
  for (int t = 1; t <= 1000; ++t) regret.push_back(0.5 * t);
  const RegretFit fit = FitLinear(regret);
  EXPECT_NEAR(fit.slope, 0.5, 1e-12);
  EXPECT_EQ(fit.intercept, 0);
  EXPECT_NEAR(fit.r_squared, 1, 1e-12);
  EXPECT_LT(FitLogarithmic(regret).r_squared, 0.9);
}

// Hand-computed: y = (1, 3, 2) at T = 1, 2, 3. Through the origin,
// c = (1 + 6 + 6) / (1 + 4 + 9) = 13/14; residuals 1/14, 16/14, -11/14,
// SS_res = 378/196 = 27/14; SS_tot about the mean 2 is 2; R^2 = 1 - 27/28.
TEST(RegretAnalysisTest, LinearFitOfThreePointsByHand) {
  const RegretFit fit = FitLinear({1.0, 3.0, 2.0});
  EXPECT_NEAR(fit.slope, 13.0 / 14, 1e-12);
  EXPECT_NEAR(fit.r_squared, 1 - 27.0 / 28, 1e-12);
}

TEST(RegretAnalysisTest, BsuiteScoreIsRegretBelowTheBaseClipped) {
  EXPECT_EQ(BsuiteBanditScore(0.0), 1.0);
  EXPECT_EQ(BsuiteBanditScore(0.5), 0.0);
  EXPECT_DOUBLE_EQ(BsuiteBanditScore(0.125), 0.75);
  EXPECT_EQ(BsuiteBanditScore(0.9), 0.0);
}

}  // namespace
}  // namespace entropic::bandits
