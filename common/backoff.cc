#include "common/backoff.h"

#include <algorithm>
#include <cmath>

namespace entropic {

Backoff::Backoff(const Options& options, uint64_t seed)
    : options_(options), rng_(seed) {}

absl::Duration Backoff::NextDelay() {
  const double scale = std::pow(options_.multiplier, attempt_);
  const absl::Duration ceiling =
      std::min(options_.initial * scale, options_.max);
  if (ceiling < options_.max) ++attempt_;
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return ceiling * jitter(rng_);
}

}  // namespace entropic
