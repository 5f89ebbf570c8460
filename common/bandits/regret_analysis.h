#ifndef ENTROPIC_COMMON_BANDITS_REGRET_ANALYSIS_H_
#define ENTROPIC_COMMON_BANDITS_REGRET_ANALYSIS_H_

#include "absl/types/span.h"

namespace entropic::bandits {

// A least-squares fit y ~ slope * f(T) + intercept and its coefficient of
// determination, R^2 = 1 - SS_residual / SS_total (SS_total about the mean
// of y; 1 for a perfect fit, below 0 for a fit worse than the mean).
struct RegretFit {
  double slope = 0;
  double intercept = 0;
  double r_squared = 0;
};

// regret[i] is the regret after i + 1 pulls (T = i + 1).
// regret(T) = a log T + b.
RegretFit FitLogarithmic(absl::Span<const double> regret);
// regret(T) = c T, through the origin (intercept 0).
RegretFit FitLinear(absl::Span<const double> regret);

// bsuite's bandit score (bsuite/experiments/bandit/analysis.py, through
// plotting.ave_regret_score): the average regret a pull, over the runs at
// their last pull, against the base regret 0.5 of pulling uniformly:
//   clip((0.5 - mean_regret_per_pull) / 0.5, 0, 1).
// 1 is no regret, 0 no better than uniform.
inline constexpr double kBsuiteBaseRegret = 0.5;
double BsuiteBanditScore(double mean_regret_per_pull);

}  // namespace entropic::bandits

#endif  // ENTROPIC_COMMON_BANDITS_REGRET_ANALYSIS_H_
