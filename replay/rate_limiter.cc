#include "replay/rate_limiter.h"

namespace entropic {

RateLimiter::RateLimiter(const v1::RateLimit& config) : config_(config) {}

double RateLimiter::Diff() const {
  return config_.samples_per_insert() * static_cast<double>(inserted_) -
         static_cast<double>(sampled_);
}

bool RateLimiter::CanInsert(int64_t transitions, int64_t table_size) const {
  const double spi = config_.samples_per_insert();
  if (spi <= 0) return true;
  // Filling up to the minimum size never waits: sampling cannot start yet.
  if (table_size + transitions <= config_.min_size_to_sample()) return true;
  const double max_diff =
      spi * config_.min_size_to_sample() + config_.error_buffer();
  return Diff() + transitions * spi <= max_diff;
}

bool RateLimiter::CanSample(int64_t transitions, int64_t table_size) const {
  if (table_size < config_.min_size_to_sample()) return false;
  const double spi = config_.samples_per_insert();
  if (spi <= 0) return true;
  const double min_diff =
      spi * config_.min_size_to_sample() - config_.error_buffer();
  return Diff() - transitions >= min_diff;
}

void RateLimiter::Rebalance(int64_t table_size) {
  inserted_ = table_size;
  const double spi = config_.samples_per_insert();
  sampled_ = static_cast<int64_t>(spi * static_cast<double>(table_size) -
                                  spi * config_.min_size_to_sample());
}

}  // namespace entropic
