#ifndef ENTROPIC_LEARNER_RUNNING_STATISTICS_H_
#define ENTROPIC_LEARNER_RUNNING_STATISTICS_H_

#include <torch/types.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace entropic {

// The running mean and variance of a stream of vectors of one size, merged
// one batch at a time with the parallel formula of Chan et al. (1979): for
// a batch of m rows with mean mu_b and variance var_b,
//   delta = mu_b - mu,  n' = n + m,
//   mu'   = mu + delta m / n',
//   M2'   = var n + var_b m + delta^2 n m / n',  var' = M2' / n'.
// Variances are population variances (divided by n, not n - 1). Held in
// float64 on the device it was made for. Not thread-safe.
class RunningMeanStd {
 public:
  // Statistics of `size`-element vectors; mean 0 and variance 1 until the
  // first update.
  RunningMeanStd(int64_t size, const torch::Device& device);

  // Merges the rows of `batch` [m, size] (any floating dtype); a batch of
  // no rows changes nothing.
  void Update(const torch::Tensor& batch);

  // [size] float64.
  const torch::Tensor& mean() const { return mean_; }
  const torch::Tensor& variance() const { return variance_; }
  // sqrt(variance + epsilon), [size] float64.
  torch::Tensor StdDev(double epsilon = 1e-8) const;
  // Rows seen so far.
  int64_t count() const { return count_; }

  // (x - mean) / StdDev(), clipped to [-clip, clip], in x's dtype.
  torch::Tensor Normalise(const torch::Tensor& x, double clip) const;

  // Writes / reads mean, variance and count as `path` (one torch archive).
  // Load answers InvalidArgument for a file that does not hold statistics
  // of this size.
  absl::Status Save(const std::string& path) const;
  absl::Status Load(const std::string& path);

 private:
  const int64_t size_;
  const torch::Device device_;
  torch::Tensor mean_;
  torch::Tensor variance_;
  int64_t count_ = 0;
};

// Divides a bonus by the running standard deviation of its discounted sum,
// as RND normalises its intrinsic reward (Burda et al. 2019). RND keeps
// R <- gamma R + b along each environment's stream; replay batches are
// random transitions, so here each batch row position keeps its own R
// across calls: R is a discounted sum of bonuses drawn from the replay
// distribution, and the standard deviation is that of every R seen (a
// RunningMeanStd of one element). Not thread-safe.
class DiscountedSumNormaliser {
 public:
  DiscountedSumNormaliser(double gamma, const torch::Device& device);

  // For the batch row positions `rows` [m] int64 of a batch of `batch_rows`
  // rows, and their bonuses `bonus` [m]: R[rows] <- gamma R[rows] + bonus,
  // merges those m values of R into the statistics, and returns
  // bonus / sqrt(var(R) + 1e-8) [m] float64. A batch of another size than
  // the last one's restarts every R at 0.
  torch::Tensor Normalise(const torch::Tensor& rows, int64_t batch_rows,
                          const torch::Tensor& bonus);

  const RunningMeanStd& statistics() const { return statistics_; }
  // R per batch row position, [batch rows] float64 (undefined before the
  // first call).
  const torch::Tensor& sums() const { return sums_; }

  // Writes / reads R and the statistics as `path_prefix` + "_sums.pt" and
  // + "_statistics.pt".
  absl::Status Save(const std::string& path_prefix) const;
  absl::Status Load(const std::string& path_prefix);

 private:
  const double gamma_;
  const torch::Device device_;
  RunningMeanStd statistics_;
  torch::Tensor sums_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_RUNNING_STATISTICS_H_
