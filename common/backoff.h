#ifndef ENTROPIC_COMMON_BACKOFF_H_
#define ENTROPIC_COMMON_BACKOFF_H_

#include <cstdint>
#include <random>

#include "absl/time/time.h"

namespace entropic {

// Exponential backoff with full jitter for reconnect loops: the n-th delay
// is uniform in [initial * multiplier^n / 2, initial * multiplier^n], capped
// at `max`. Not thread-safe; one per retry loop.
class Backoff {
 public:
  struct Options {
    absl::Duration initial = absl::Milliseconds(100);
    absl::Duration max = absl::Seconds(5);
    double multiplier = 2.0;
  };

  explicit Backoff(const Options& options, uint64_t seed = 0);

  // The delay to wait before the next attempt; grows with each call.
  absl::Duration NextDelay();

  // Call after a success: the next delay starts from `initial` again.
  void Reset() { attempt_ = 0; }

 private:
  Options options_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace entropic

#endif  // ENTROPIC_COMMON_BACKOFF_H_
