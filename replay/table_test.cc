#include "replay/table.h"

#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/testing/chunks.h"

namespace entropic {
namespace {

using ::entropic::testing::CartPoleTable;
using ::entropic::testing::MakeChunk;
using ::testing::HasSubstr;

class TableTest : public ::testing::Test {
 protected:
  std::unique_ptr<Table> MakeTable(const v1::TableConfig& config) {
    table_metrics_ = replay_metrics_.AddTable("job", config.name());
    absl::StatusOr<std::unique_ptr<Table>> table =
        Table::Create("job", config, table_metrics_.get(), 42);
    EXPECT_TRUE(table.ok()) << table.status();
    return std::move(table).value();
  }

  static absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

  prometheus::Registry registry_;
  ReplayMetrics replay_metrics_{registry_};
  std::unique_ptr<TableMetrics> table_metrics_;
};

SampleOptions Batch(int size) {
  SampleOptions options;
  options.batch_size = size;
  return options;
}

float FirstFloat(const ObservationRows& rows, int row) {
  float value;
  std::memcpy(&value, rows.Row(row).data(), sizeof(float));
  return value;
}

TEST_F(TableTest, SampledTransitionsAreConsistent) {
  auto table = MakeTable(CartPoleTable(1000));
  ASSERT_TRUE(table->Insert(MakeChunk("a", 1, 10, 100, true), Soon()).ok());
  ASSERT_TRUE(table->Insert(MakeChunk("a", 2, 5, 200), Soon()).ok());
  absl::StatusOr<SampledBatch> batch = table->Sample(256, Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->table_size, 15);
  for (int i = 0; i < 256; ++i) {
    const float s = FirstFloat(batch->observations, i);
    const float next = FirstFloat(batch->next_observations, i);
    float reward;
    std::memcpy(&reward, batch->rewards.data() + i * 4, 4);
    EXPECT_EQ(next, s + 1) << "s' must be the observation after s";
    EXPECT_EQ(reward, s) << "reward belongs to the same step";
    // Only the last step of the terminated chunk (s = 109) is terminal.
    EXPECT_EQ(batch->terminated[i] != 0, s == 109) << "s=" << s;
  }
}

TEST_F(TableTest, SamplesEveryTransitionUniformly) {
  auto table = MakeTable(CartPoleTable(1000));
  // Chunks of different lengths: uniform over transitions, not chunks.
  ASSERT_TRUE(table->Insert(MakeChunk("a", 1, 2, 0), Soon()).ok());
  ASSERT_TRUE(table->Insert(MakeChunk("a", 2, 8, 10), Soon()).ok());
  std::map<float, int> counts;
  const int kDraws = 100000;
  absl::StatusOr<SampledBatch> batch = table->Sample(kDraws, Soon());
  ASSERT_TRUE(batch.ok());
  for (int i = 0; i < kDraws; ++i)
    counts[FirstFloat(batch->observations, i)]++;
  ASSERT_EQ(counts.size(), 10u);
  for (const auto& [observation, count] : counts) {
    // Expected 10000 each; 5 standard deviations is about 475.
    EXPECT_NEAR(count, kDraws / 10, 475) << "observation " << observation;
  }
}

TEST_F(TableTest, EvictsOldestChunksAtCapacity) {
  v1::TableConfig config = CartPoleTable(20);
  config.set_max_chunk_length(8);
  auto table = MakeTable(config);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(table->Insert(MakeChunk("a", i + 1, 8, 100 * i), Soon()).ok());
  }
  // 40 inserted, capacity 20: only the last chunks fit (8 + 8 = 16 <= 20,
  // 24 would not).
  EXPECT_EQ(table->Info().size(), 16);
  EXPECT_EQ(table->Info().chunks(), 2);
  absl::StatusOr<SampledBatch> batch = table->Sample(1000, Soon());
  ASSERT_TRUE(batch.ok());
  std::set<int> chunks_seen;
  for (int i = 0; i < 1000; ++i) {
    chunks_seen.insert(static_cast<int>(FirstFloat(batch->observations, i)) /
                       100);
  }
  EXPECT_EQ(chunks_seen, (std::set<int>{3, 4}));
}

TEST_F(TableTest, ResentChunkIsNotStoredTwice) {
  auto table = MakeTable(CartPoleTable(1000));
  absl::StatusOr<InsertResult> first =
      table->Insert(MakeChunk("a", 1, 10, 0), Soon());
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->duplicate);
  absl::StatusOr<InsertResult> again =
      table->Insert(MakeChunk("a", 1, 10, 0), Soon());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  // Another actor's sequence 1 is a different chunk.
  absl::StatusOr<InsertResult> other =
      table->Insert(MakeChunk("b", 1, 10, 0), Soon());
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->duplicate);
  EXPECT_EQ(table->Info().size(), 20);
}

TEST_F(TableTest, RefusedChunksLeaveTheTableUnchanged) {
  auto table = MakeTable(CartPoleTable(1000));
  ASSERT_TRUE(table->Insert(MakeChunk("a", 1, 10, 0), Soon()).ok());
  const v1::TableInfo before = table->Info();

  struct Case {
    std::string expected_field;
    std::function<void(v1::TrajectoryChunk&)> corrupt;
  };
  const std::vector<Case> cases = {
      {"chunk.observations",
       [](v1::TrajectoryChunk& c) {
         c.mutable_observations()->set_shape(1, 5);
       }},
      {"chunk.observations",
       [](v1::TrajectoryChunk& c) {
         c.mutable_observations()->set_dtype(v1::DTYPE_FLOAT64);
       }},
      {"chunk.observations",
       [](v1::TrajectoryChunk& c) {
         float nan = std::numeric_limits<float>::quiet_NaN();
         std::memcpy(c.mutable_observations()->mutable_data()->data() + 8, &nan,
                     4);
       }},
      {"chunk.actions",
       [](v1::TrajectoryChunk& c) { c.mutable_actions()->set_shape(0, 9); }},
      {"chunk.rewards",
       [](v1::TrajectoryChunk& c) {
         float inf = std::numeric_limits<float>::infinity();
         std::memcpy(c.mutable_rewards()->mutable_data()->data(), &inf, 4);
       }},
      {"chunk.rewards",
       [](v1::TrajectoryChunk& c) { c.mutable_rewards()->set_shape(0, 1000); }},
      {"chunk.actor_id", [](v1::TrajectoryChunk& c) { c.clear_actor_id(); }},
  };
  uint64_t sequence = 2;
  for (const Case& test : cases) {
    v1::TrajectoryChunk chunk = MakeChunk("a", sequence++, 10, 0);
    test.corrupt(chunk);
    absl::StatusOr<InsertResult> result = table->Insert(chunk, Soon());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(result.status().message()),
                HasSubstr(test.expected_field));
  }
  const v1::TableInfo after = table->Info();
  EXPECT_EQ(after.size(), before.size());
  EXPECT_EQ(after.chunks(), before.chunks());
  EXPECT_EQ(after.inserted_transitions(), before.inserted_transitions());
}

TEST_F(TableTest, SampleWaitsForMinSizeOnTheWorker) {
  auto table = MakeTable(CartPoleTable(1000, /*min_size=*/15));
  ASSERT_TRUE(table->Insert(MakeChunk("a", 1, 10, 0), Soon()).ok());
  absl::Notification sampled;
  absl::StatusOr<SampledBatch> batch;
  // The call returns at once; the sample completes later on the worker.
  table->SampleAsync(Batch(4), Soon(), nullptr,
                     [&](absl::StatusOr<SampledBatch> result) {
                       batch = std::move(result);
                       sampled.Notify();
                     });
  EXPECT_FALSE(sampled.HasBeenNotified());
  ASSERT_TRUE(table->Insert(MakeChunk("a", 2, 10, 0), Soon()).ok());
  ASSERT_TRUE(sampled.WaitForNotificationWithTimeout(absl::Seconds(10)));
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->batch_size, 4);
}

TEST_F(TableTest, InsertWaitsForSamplesAtTheRatio) {
  // One sample per insert, buffer 10, min size 10: after 20 transitions the
  // inserts must wait until something is sampled.
  auto table = MakeTable(CartPoleTable(1000, 10, 1.0, 10));
  ASSERT_TRUE(table->Insert(MakeChunk("a", 1, 10, 0), Soon()).ok());
  ASSERT_TRUE(table->Insert(MakeChunk("a", 2, 10, 0), Soon()).ok());
  absl::Notification inserted;
  table->InsertAsync(MakeChunk("a", 3, 10, 0), Soon(), nullptr,
                     [&](absl::StatusOr<InsertResult> result) {
                       EXPECT_TRUE(result.ok());
                       inserted.Notify();
                     });
  EXPECT_FALSE(inserted.HasBeenNotified());
  EXPECT_EQ(table->Info().size(), 20);
  ASSERT_TRUE(table->Sample(10, Soon()).ok());
  ASSERT_TRUE(inserted.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(table->Info().size(), 30);
}

TEST_F(TableTest, WaitingSampleHitsItsDeadline) {
  auto table = MakeTable(CartPoleTable(1000, 100));
  absl::StatusOr<SampledBatch> batch =
      table->Sample(1, absl::Now() + absl::Milliseconds(50));
  EXPECT_EQ(batch.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(TableTest, CancelFlagEndsAWaitingSample) {
  auto table = MakeTable(CartPoleTable(1000, 100));
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  absl::Notification done;
  table->SampleAsync(Batch(1), absl::InfiniteFuture(), cancel,
                     [&](absl::StatusOr<SampledBatch> result) {
                       EXPECT_EQ(result.status().code(),
                                 absl::StatusCode::kCancelled);
                       done.Notify();
                     });
  cancel->store(true);
  table->Wake();
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

TEST_F(TableTest, CloseCancelsWaitersAndLaterCalls) {
  auto table = MakeTable(CartPoleTable(1000, 100));
  absl::Notification done;
  table->SampleAsync(Batch(1), absl::InfiniteFuture(), nullptr,
                     [&](absl::StatusOr<SampledBatch> result) {
                       EXPECT_EQ(result.status().code(),
                                 absl::StatusCode::kCancelled);
                       done.Notify();
                     });
  table->Close();
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(table->Insert(MakeChunk("a", 1, 3, 0), Soon()).status().code(),
            absl::StatusCode::kCancelled);
}

TEST_F(TableTest, ConcurrentWritersAndReadersAgree) {
  auto table = MakeTable(CartPoleTable(100000, 50, 2.0, 400));
  constexpr int kWriters = 8;
  constexpr int kChunksEach = 100;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 1; i <= kChunksEach; ++i) {
        ASSERT_TRUE(table
                        ->Insert(MakeChunk(absl::StrCat("actor", w), i, 10, 0),
                                 absl::Now() + absl::Seconds(30))
                        .ok());
      }
    });
  }
  // Two samples of 10 per 10 inserted transitions keep the ratio at 2.
  std::thread reader([&] {
    for (int i = 0; i < kWriters * kChunksEach * 2 - 40; ++i) {
      ASSERT_TRUE(table->Sample(10, absl::Now() + absl::Seconds(30)).ok());
    }
  });
  for (auto& thread : threads) thread.join();
  reader.join();
  EXPECT_EQ(table->Info().size(), kWriters * kChunksEach * 10);
}

TEST(TableConfigTest, BadConfigurationIsRefused) {
  prometheus::Registry registry;
  ReplayMetrics metrics(registry);
  auto table_metrics = metrics.AddTable("job", "agent");
  v1::TableConfig config = CartPoleTable(10);  // smaller than a chunk (64)
  EXPECT_EQ(Table::Create("job", config, table_metrics.get()).status().code(),
            absl::StatusCode::kInvalidArgument);
  config = CartPoleTable(1000);
  config.mutable_observation()->set_dtype(v1::DTYPE_UNSPECIFIED);
  EXPECT_THAT(
      std::string(
          Table::Create("job", config, table_metrics.get()).status().message()),
      HasSubstr("observation.dtype"));
}

TEST(TableConfigTest, ObservationTooLargeToSizeIsRefused) {
  // Found by tests/fuzz/table_config_fuzz: the bytes of one observation
  // overflowed int64.
  prometheus::Registry registry;
  ReplayMetrics metrics(registry);
  auto table_metrics = metrics.AddTable("job", "agent");
  v1::TableConfig config = CartPoleTable(1000);
  config.mutable_observation()->add_shape(int64_t{1} << 31);
  config.mutable_observation()->add_shape(int64_t{1} << 31);
  EXPECT_THAT(
      std::string(
          Table::Create("job", config, table_metrics.get()).status().message()),
      HasSubstr("observation.shape: one row of shape"));
}

TEST(TableConfigTest, HugePrioritizedCapacityIsABoundNotAnAllocation) {
  // Found by tests/fuzz/table_config_fuzz: a prioritized table of capacity
  // 2^34 (what a job spec allowed) allocated its whole sum tree at creation.
  // The largest capacity now allowed, 2^30, is a bound too.
  prometheus::Registry registry;
  ReplayMetrics metrics(registry);
  auto table_metrics = metrics.AddTable("job", "agent");
  v1::TableConfig config = CartPoleTable(int64_t{1} << 30);
  config.set_sampler(v1::TableConfig::PRIORITIZED);
  absl::StatusOr<std::unique_ptr<Table>> table =
      Table::Create("job", config, table_metrics.get());
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_TRUE((*table)
                  ->Insert(MakeChunk("a", 1, 10, 0),
                           absl::Now() + absl::Seconds(10))
                  .ok());
  EXPECT_TRUE((*table)->Sample(4, absl::Now() + absl::Seconds(10)).ok());
}

}  // namespace
}  // namespace entropic
