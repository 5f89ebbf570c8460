#include "common/bandits/regret_analysis.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace entropic::bandits {
namespace {

double RSquared(absl::Span<const double> y, absl::Span<const double> fitted) {
  double mean = 0;
  for (const double value : y) mean += value;
  mean /= y.size();
  double residual = 0, total = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    residual += (y[i] - fitted[i]) * (y[i] - fitted[i]);
    total += (y[i] - mean) * (y[i] - mean);
  }
  if (total == 0) return residual == 0 ? 1.0 : 0.0;
  return 1 - residual / total;
}

}  // namespace

RegretFit FitLogarithmic(absl::Span<const double> regret) {
  RegretFit fit;
  const size_t n = regret.size();
  if (n < 2) return fit;
  double mean_x = 0, mean_y = 0;
  for (size_t i = 0; i < n; ++i) {
    mean_x += std::log(static_cast<double>(i + 1));
    mean_y += regret[i];
  }
  mean_x /= n;
  mean_y /= n;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = std::log(static_cast<double>(i + 1)) - mean_x;
    sxy += dx * (regret[i] - mean_y);
    sxx += dx * dx;
  }
  fit.slope = sxy / sxx;
  fit.intercept = mean_y - fit.slope * mean_x;
  std::vector<double> fitted(n);
  for (size_t i = 0; i < n; ++i) {
    fitted[i] =
        fit.slope * std::log(static_cast<double>(i + 1)) + fit.intercept;
  }
  fit.r_squared = RSquared(regret, fitted);
  return fit;
}

RegretFit FitLinear(absl::Span<const double> regret) {
  RegretFit fit;
  const size_t n = regret.size();
  if (n < 1) return fit;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i + 1);
    sxy += t * regret[i];
    sxx += t * t;
  }
  fit.slope = sxy / sxx;
  std::vector<double> fitted(n);
  for (size_t i = 0; i < n; ++i) fitted[i] = fit.slope * (i + 1);
  fit.r_squared = RSquared(regret, fitted);
  return fit;
}

double BsuiteBanditScore(double mean_regret_per_pull) {
  return std::clamp(
      (kBsuiteBaseRegret - mean_regret_per_pull) / kBsuiteBaseRegret, 0.0, 1.0);
}

}  // namespace entropic::bandits
