#ifndef ENTROPIC_LEARNER_REWARD_MODELS_HISTOGRAM_DENSITY_H_
#define ENTROPIC_LEARNER_REWARD_MODELS_HISTOGRAM_DENSITY_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace entropic {

// A density model over D-dimensional points: the product of D independent
// histograms of `bins` equal bins each,
//   rho(x) = prod_d n_d(bin_d(x_d)) / N,
// N the points observed. It is the model of PseudoCountSpec
// (learner/reward_models/pseudo_count_bonus.h): its pseudo-count
//   N_hat(x) = rho(x) (1 - rho'(x)) / (rho'(x) - rho(x)),
// rho' the density after one more observation of x, is exactly the number
// of points in x's bin for D = 1 (the empirical density).
//
// Each dimension's histogram spans [low_d, high_d]; points outside are
// counted in the edge bins. A bound that is not finite or whose magnitude
// is at least kUnboundedMagnitude (Gymnasium writes float32's largest value
// for "unbounded", e.g. CartPole's velocities) is replaced by
// -kUnboundedRange / +kUnboundedRange. No LibTorch; not thread-safe.
class HistogramDensity {
 public:
  static constexpr double kUnboundedMagnitude = 1e6;
  static constexpr double kUnboundedRange = 10.0;

  // InvalidArgument if low and high differ in size, are empty, a low is not
  // below its high (after the replacement above) or bins < 1.
  static absl::StatusOr<std::unique_ptr<HistogramDensity>> Create(
      const std::vector<float>& low, const std::vector<float>& high,
      int64_t bins);

  int64_t dimensions() const { return static_cast<int64_t>(low_.size()); }
  int64_t bins() const { return bins_; }
  // N, the points observed so far.
  int64_t total() const { return total_; }
  // The bin of x_d in dimension d.
  int64_t Bin(int64_t d, double x) const;

  // Counts x (dimensions() values) once in every dimension's histogram.
  void Observe(absl::Span<const float> x);

  // rho(x); 0 before anything was observed.
  double Density(absl::Span<const float> x) const;
  // rho'(x): the density of x had x been observed once more.
  double DensityAfterObserving(absl::Span<const float> x) const;
  // N_hat(x), computed in log space as
  //   (1 - rho') / (rho' / rho - 1)
  // (the rho of the numerator cancels) so it stays accurate when rho and
  // rho' are tiny and close. Where every point so far fell in x's bins,
  // rho = rho' = 1 and the ratio is 0/0: the answer is then N, the limit
  // the 1-D identity N_hat = n gives. 0 where rho is 0.
  double PseudoCount(absl::Span<const float> x) const;

  // The counts, dimension by dimension ([D * bins], row-major), to save.
  const std::vector<int64_t>& counts() const { return counts_; }
  // Replaces the counts with saved ones: InvalidArgument if their size is
  // not D * bins, one is negative, or a dimension's counts do not sum to
  // `total`; changes nothing then.
  absl::Status Restore(const std::vector<int64_t>& counts, int64_t total);

 private:
  HistogramDensity(std::vector<double> low, std::vector<double> high,
                   int64_t bins);

  // log rho(x) with the counts plus `extra` more observations of x.
  double LogDensity(absl::Span<const float> x, int64_t extra) const;

  const std::vector<double> low_;
  const std::vector<double> high_;
  const int64_t bins_;
  std::vector<int64_t> counts_;  // [D * bins]
  int64_t total_ = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_REWARD_MODELS_HISTOGRAM_DENSITY_H_
