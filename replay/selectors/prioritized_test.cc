#include "replay/selectors/prioritized.h"

#include <cmath>
#include <limits>
#include <map>

#include "gtest/gtest.h"
#include "replay/selectors/fifo.h"
#include "replay/selectors/uniform.h"

namespace entropic {
namespace {

TEST(PrioritizedSelectorTest, FrequenciesFollowPriorities) {
  // Priorities 1, 2, 3, 4 with alpha = 1: probabilities 0.1 .. 0.4.
  PrioritizedSelector selector(8, /*exponent=*/1.0);
  for (int64_t key = 0; key < 4; ++key) selector.Insert(key);
  for (int64_t key = 0; key < 4; ++key) {
    ASSERT_TRUE(selector.Update(key, key + 1.0).ok());
  }
  std::mt19937_64 rng(42);
  const int kDraws = 200000;
  std::map<int64_t, int> counts;
  for (int i = 0; i < kDraws; ++i) {
    const Selection selection = selector.Sample(rng);
    EXPECT_NEAR(selection.probability, (selection.key + 1) / 10.0, 1e-12);
    counts[selection.key]++;
  }
  for (int64_t key = 0; key < 4; ++key) {
    const double expected = (key + 1) / 10.0;
    // Tolerance: 5 binomial standard deviations (at most ~0.0055).
    const double tolerance = 5 * std::sqrt(expected * (1 - expected) / kDraws);
    EXPECT_NEAR(counts[key] / static_cast<double>(kDraws), expected, tolerance)
        << "key " << key;
  }
}

TEST(PrioritizedSelectorTest, ExponentShapesTheDistribution) {
  // alpha = 0.5: p^alpha = 1, 3 for priorities 1, 9: probabilities 1/4, 3/4.
  PrioritizedSelector selector(4, 0.5);
  selector.Insert(0);
  selector.Insert(1);
  ASSERT_TRUE(selector.Update(0, 1.0).ok());
  ASSERT_TRUE(selector.Update(1, 9.0).ok());
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100; ++i) {
    const Selection selection = selector.Sample(rng);
    EXPECT_NEAR(selection.probability, selection.key == 0 ? 0.25 : 0.75, 1e-12);
  }
}

TEST(PrioritizedSelectorTest, NewItemsGetTheLargestPrioritySeen) {
  PrioritizedSelector selector(8, 1.0);
  selector.Insert(0);
  ASSERT_TRUE(selector.Update(0, 5.0).ok());
  selector.Insert(1);
  EXPECT_DOUBLE_EQ(selector.total(), 10.0);
}

TEST(PrioritizedSelectorTest, DeletedItemsAreNeverDrawnAndSlotsWrap) {
  PrioritizedSelector selector(4, 1.0);
  std::mt19937_64 rng(3);
  // Keys 0..9 pass through a ring of 4 slots; at most 3 live at once.
  for (int64_t key = 0; key < 10; ++key) {
    selector.Insert(key);
    if (key >= 3) selector.Delete(key - 3);
  }
  for (int i = 0; i < 1000; ++i) {
    const int64_t key = selector.Sample(rng).key;
    EXPECT_GE(key, 7);
    EXPECT_LE(key, 9);
  }
  // Updates of keys that left are ignored.
  EXPECT_TRUE(selector.Update(2, 100.0).ok());
  EXPECT_DOUBLE_EQ(selector.total(), 3.0);
}

TEST(PrioritizedSelectorTest, HugeCapacityIsNotAllocatedUpFront) {
  // Found by tests/fuzz/table_config_fuzz: a 2^34 capacity (what a job spec
  // allows) used to allocate a 2^35-double tree at once.
  PrioritizedSelector selector(int64_t{1} << 34, 1.0);
  PrioritizedSelector largest(std::numeric_limits<int64_t>::max(), 1.0);
  selector.Insert(0);
  largest.Insert(0);
  std::mt19937_64 rng(3);
  EXPECT_EQ(selector.Sample(rng).key, 0);
  EXPECT_EQ(largest.Sample(rng).key, 0);
}

TEST(PrioritizedSelectorTest, GrowingKeepsPriorities) {
  // Past the initial 1024 slots, with a window that has wrapped: priorities
  // of live items survive each doubling; deleted items stay out.
  PrioritizedSelector selector(1 << 20, 1.0);
  const int64_t kFirst = 700, kEnd = 5000;
  for (int64_t key = 0; key < kEnd; ++key) {
    selector.Insert(key);
    ASSERT_TRUE(selector.Update(key, key % 7 == 0 ? 3.0 : 1.0).ok());
    if (key < kFirst && key % 2 == 1) {
      selector.Delete(key - 1);
      selector.Delete(key);
    }
  }
  double expected = 0;
  for (int64_t key = kFirst; key < kEnd; ++key) expected += key % 7 == 0 ? 3 : 1;
  EXPECT_DOUBLE_EQ(selector.total(), expected);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 10000; ++i) {
    const Selection selection = selector.Sample(rng);
    ASSERT_GE(selection.key, kFirst);
    ASSERT_LT(selection.key, kEnd);
    EXPECT_NEAR(selection.probability,
                (selection.key % 7 == 0 ? 3 : 1) / expected, 1e-12);
  }
}

TEST(PrioritizedSelectorTest, BadPriorityIsRefused) {
  PrioritizedSelector selector(4, 1.0);
  selector.Insert(0);
  EXPECT_EQ(selector.Update(0, -1).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(selector.Update(0, NAN).code(), absl::StatusCode::kInvalidArgument);
}

TEST(UniformSelectorTest, DrawsLiveKeysEquallyOften) {
  UniformSelector selector;
  for (int64_t key = 0; key < 6; ++key) selector.Insert(key);
  selector.Delete(0);
  selector.Delete(1);
  std::mt19937_64 rng(5);
  std::map<int64_t, int> counts;
  for (int i = 0; i < 40000; ++i) {
    const Selection selection = selector.Sample(rng);
    EXPECT_DOUBLE_EQ(selection.probability, 0.25);
    counts[selection.key]++;
  }
  ASSERT_EQ(counts.size(), 4u);
  for (const auto& [key, count] : counts) EXPECT_NEAR(count, 10000, 500);
}

TEST(FifoSelectorTest, AlwaysTheOldest) {
  FifoSelector selector;
  for (int64_t key = 0; key < 3; ++key) selector.Insert(key);
  std::mt19937_64 rng(0);
  EXPECT_EQ(selector.Sample(rng).key, 0);
  selector.Delete(0);
  EXPECT_EQ(selector.Sample(rng).key, 1);
  EXPECT_TRUE(selector.ConsumesSamples());
}

}  // namespace
}  // namespace entropic
