#ifndef ENTROPIC_REPLAY_RATE_LIMITER_H_
#define ENTROPIC_REPLAY_RATE_LIMITER_H_

#include <cstdint>

#include "entropic/v1/replay.pb.h"

namespace entropic {

// Keeps sampling and inserting of one table in balance, after Reverb's
// SampleToInsertRatio. Counts transitions. With
//   diff = samples_per_insert * inserted - sampled
// an insert of n is allowed while diff + n * spi <= spi * min_size + buffer
// (or while the table is still filling up to min_size), and a sample of k
// once the table holds min_size and diff - k >= spi * min_size - buffer.
// With samples_per_insert == 0 only the minimum size applies.
//
// Not thread-safe: the owning Table calls it under its mutex.
class RateLimiter {
 public:
  explicit RateLimiter(const v1::RateLimit& config);

  bool CanInsert(int64_t transitions, int64_t table_size) const;
  bool CanSample(int64_t transitions, int64_t table_size) const;

  void RecordInsert(int64_t transitions) { inserted_ += transitions; }
  void RecordSample(int64_t transitions) { sampled_ += transitions; }
  // A recorded sample that was never delivered no longer counts.
  void ForgetSample(int64_t transitions) { sampled_ -= transitions; }

  // Sets the counts as if `table_size` transitions had been inserted and
  // sampled exactly at the target ratio, with the sampler `spi * min_size`
  // behind: the middle of the allowed band. Used after a restart.
  void Rebalance(int64_t table_size);

  int64_t inserted() const { return inserted_; }
  int64_t sampled() const { return sampled_; }

 private:
  double Diff() const;

  const v1::RateLimit config_;
  int64_t inserted_ = 0;
  int64_t sampled_ = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_RATE_LIMITER_H_
