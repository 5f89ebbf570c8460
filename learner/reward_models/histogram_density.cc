#include "learner/reward_models/histogram_density.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"

namespace entropic {
namespace {

double Bounded(float bound, double replacement) {
  const double value = bound;
  if (!std::isfinite(value) ||
      std::abs(value) >= HistogramDensity::kUnboundedMagnitude) {
    return replacement;
  }
  return value;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HistogramDensity>> HistogramDensity::Create(
    const std::vector<float>& low, const std::vector<float>& high,
    int64_t bins) {
  if (low.empty() || low.size() != high.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a histogram density needs as many lower as upper "
                     "bounds, at least one; got ",
                     low.size(), " and ", high.size()));
  }
  if (bins < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("a histogram density needs at least one bin, got ", bins));
  }
  std::vector<double> lows(low.size());
  std::vector<double> highs(high.size());
  for (size_t d = 0; d < low.size(); ++d) {
    lows[d] = Bounded(low[d], -kUnboundedRange);
    highs[d] = Bounded(high[d], kUnboundedRange);
    if (!(lows[d] < highs[d])) {
      return absl::InvalidArgumentError(
          absl::StrCat("dimension ", d, "'s bounds [", lows[d], ", ", highs[d],
                       "] are empty"));
    }
  }
  return std::unique_ptr<HistogramDensity>(
      new HistogramDensity(std::move(lows), std::move(highs), bins));
}

HistogramDensity::HistogramDensity(std::vector<double> low,
                                   std::vector<double> high, int64_t bins)
    : low_(std::move(low)),
      high_(std::move(high)),
      bins_(bins),
      counts_(low_.size() * bins, 0) {}

int64_t HistogramDensity::Bin(int64_t d, double x) const {
  // NaN lands in bin 0 rather than indexing out of range.
  if (!(x > low_[d])) return 0;
  const double position = (x - low_[d]) / (high_[d] - low_[d]) * bins_;
  if (!(position < static_cast<double>(bins_))) return bins_ - 1;
  return std::clamp<int64_t>(static_cast<int64_t>(position), 0, bins_ - 1);
}

void HistogramDensity::Observe(absl::Span<const float> x) {
  for (int64_t d = 0; d < dimensions(); ++d) {
    ++counts_[d * bins_ + Bin(d, x[d])];
  }
  ++total_;
}

double HistogramDensity::LogDensity(absl::Span<const float> x,
                                    int64_t extra) const {
  const double total = static_cast<double>(total_ + extra);
  double log_density = 0;
  for (int64_t d = 0; d < dimensions(); ++d) {
    const double n =
        static_cast<double>(counts_[d * bins_ + Bin(d, x[d])] + extra);
    if (n == 0) return -std::numeric_limits<double>::infinity();
    log_density += std::log(n) - std::log(total);
  }
  return log_density;
}

double HistogramDensity::Density(absl::Span<const float> x) const {
  if (total_ == 0) return 0;
  return std::exp(LogDensity(x, 0));
}

double HistogramDensity::DensityAfterObserving(
    absl::Span<const float> x) const {
  return std::exp(LogDensity(x, 1));
}

double HistogramDensity::PseudoCount(absl::Span<const float> x) const {
  if (total_ == 0) return 0;
  const double log_rho = LogDensity(x, 0);
  if (std::isinf(log_rho)) return 0;
  const double log_rho_next = LogDensity(x, 1);
  // rho' / rho - 1, the prediction gain's ratio minus one.
  const double gain = std::expm1(log_rho_next - log_rho);
  if (!(gain > 0)) return static_cast<double>(total_);
  return -std::expm1(log_rho_next) / gain;
}

absl::Status HistogramDensity::Restore(const std::vector<int64_t>& counts,
                                       int64_t total) {
  if (counts.size() != counts_.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "histogram counts: expected ", counts_.size(), " values (",
        dimensions(), " dimensions x ", bins_, " bins), got ", counts.size()));
  }
  for (int64_t d = 0; d < dimensions(); ++d) {
    int64_t sum = 0;
    for (int64_t b = 0; b < bins_; ++b) {
      const int64_t n = counts[d * bins_ + b];
      if (n < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("histogram counts: negative count ", n));
      }
      sum += n;
    }
    if (sum != total) {
      return absl::InvalidArgumentError(
          absl::StrCat("histogram counts: dimension ", d, " sums to ", sum,
                       ", not to the total ", total));
    }
  }
  counts_ = counts;
  total_ = total;
  return absl::OkStatus();
}

}  // namespace entropic
