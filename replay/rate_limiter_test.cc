#include "replay/rate_limiter.h"

#include "gtest/gtest.h"

namespace entropic {
namespace {

v1::RateLimit Config(int64_t min_size, double spi, double buffer) {
  v1::RateLimit config;
  config.set_min_size_to_sample(min_size);
  config.set_samples_per_insert(spi);
  config.set_error_buffer(buffer);
  return config;
}

TEST(RateLimiterTest, SamplingWaitsForMinSize) {
  RateLimiter limiter(Config(100, 0, 0));
  EXPECT_FALSE(limiter.CanSample(1, 99));
  EXPECT_TRUE(limiter.CanSample(1, 100));
}

TEST(RateLimiterTest, NoRatioNeverBlocksInserts) {
  RateLimiter limiter(Config(10, 0, 0));
  limiter.RecordInsert(1000000);
  EXPECT_TRUE(limiter.CanInsert(100, 1000000));
}

TEST(RateLimiterTest, BlocksAndReleasesAtTheRightCounts) {
  // spi 2, min size 10, buffer 20: diff must stay in [0, 40].
  RateLimiter limiter(Config(10, 2.0, 20));
  // Filling to the minimum size is always allowed.
  EXPECT_TRUE(limiter.CanInsert(10, 0));
  limiter.RecordInsert(10);  // diff = 20
  // Inserting 10 more would make diff 40: allowed; 11 would make it 42.
  EXPECT_TRUE(limiter.CanInsert(10, 10));
  EXPECT_FALSE(limiter.CanInsert(11, 10));
  limiter.RecordInsert(10);  // diff = 40
  EXPECT_FALSE(limiter.CanInsert(1, 20));
  // Sampling 40 brings diff to 0, the lower bound; 41 would go below.
  EXPECT_TRUE(limiter.CanSample(40, 20));
  EXPECT_FALSE(limiter.CanSample(41, 20));
  limiter.RecordSample(2);  // diff = 38: one more insert fits.
  EXPECT_TRUE(limiter.CanInsert(1, 20));
  EXPECT_FALSE(limiter.CanInsert(2, 20));
  limiter.RecordSample(38);  // diff = 0
  EXPECT_FALSE(limiter.CanSample(1, 20));
  EXPECT_TRUE(limiter.CanInsert(20, 20));
}

}  // namespace
}  // namespace entropic
