#include "common/backoff.h"

#include "gtest/gtest.h"

namespace entropic {
namespace {

TEST(BackoffTest, GrowsThenCapsAtMax) {
  Backoff backoff({absl::Milliseconds(100), absl::Seconds(1), 2.0}, 7);
  absl::Duration previous_ceiling = absl::Milliseconds(100);
  for (int i = 0; i < 20; ++i) {
    const absl::Duration delay = backoff.NextDelay();
    EXPECT_LE(delay, absl::Seconds(1));
    EXPECT_GE(delay, previous_ceiling / 2);
    EXPECT_LE(delay, previous_ceiling);
    previous_ceiling = std::min(previous_ceiling * 2, absl::Seconds(1));
  }
}

TEST(BackoffTest, ResetStartsOver) {
  Backoff backoff({absl::Milliseconds(100), absl::Seconds(10), 2.0}, 7);
  for (int i = 0; i < 5; ++i) backoff.NextDelay();
  backoff.Reset();
  EXPECT_LE(backoff.NextDelay(), absl::Milliseconds(100));
}

}  // namespace
}  // namespace entropic
