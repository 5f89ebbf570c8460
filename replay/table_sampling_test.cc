// Samplers, n-step transitions, sequences, freshness and byte limits of a
// Table.
#include <cstring>
#include <set>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/table.h"
#include "replay/testing/chunks.h"

namespace entropic {
namespace {

using ::entropic::testing::CartPoleTable;
using ::entropic::testing::MakeChunk;
using ::entropic::testing::MakeEpisodeChunk;
using ::testing::HasSubstr;

template <typename T>
T At(const std::string& bytes, int64_t index) {
  T value;
  std::memcpy(&value, bytes.data() + index * sizeof(T), sizeof(T));
  return value;
}

// First element of observation row `row` (rows of 4 floats).
float Observation(const ObservationRows& rows, int64_t row) {
  return At<float>(std::string(rows.Row(row)), 0);
}

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

class TableSamplingTest : public ::testing::Test {
 protected:
  std::unique_ptr<Table> MakeTable(const v1::TableConfig& config) {
    metrics_ = replay_metrics_.AddTable("job", config.name());
    absl::StatusOr<std::unique_ptr<Table>> table =
        Table::Create("job", config, metrics_.get(), 7);
    EXPECT_TRUE(table.ok()) << table.status();
    return std::move(table).value();
  }

  static SampleOptions Options(int batch_size, int n_step = 1,
                               double gamma = 1.0, int sequence_length = 0,
                               bool cross_episodes = false) {
    SampleOptions options;
    options.batch_size = batch_size;
    options.shape.n_step = n_step;
    options.shape.gamma = gamma;
    options.shape.sequence_length = sequence_length;
    options.shape.cross_episodes = cross_episodes;
    return options;
  }

  prometheus::Registry registry_;
  ReplayMetrics replay_metrics_{registry_};
  std::unique_ptr<TableMetrics> metrics_;
};

TEST_F(TableSamplingTest, ImportanceWeightsByHand) {
  v1::TableConfig config = CartPoleTable(100);
  config.set_sampler(v1::TableConfig::PRIORITIZED);
  config.set_priority_exponent(1.0);
  config.set_importance_exponent(1.0);
  auto table = MakeTable(config);
  ASSERT_TRUE(table->Insert(MakeChunk("a", 1, 2, 0), Soon()).ok());
  // Priorities 1 and 3: P = 1/4 and 3/4, N = 2, so with beta = 1 the
  // weights (N P)^-beta are 2 and 2/3.
  ASSERT_TRUE(table->UpdatePriorities({0, 1}, {1.0, 3.0}).ok());
  absl::StatusOr<SampledBatch> batch = table->Sample(Options(200), Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  std::set<int64_t> seen;
  for (int i = 0; i < 200; ++i) {
    const int64_t key = At<int64_t>(batch->keys, i);
    seen.insert(key);
    EXPECT_NEAR(At<double>(batch->probabilities, i), key == 0 ? 0.25 : 0.75,
                1e-12);
    EXPECT_NEAR(At<float>(batch->weights, i), key == 0 ? 2.0 : 2.0 / 3.0, 1e-6);
    EXPECT_EQ(Observation(batch->observations, i), static_cast<float>(key));
  }
  EXPECT_EQ(seen.size(), 2u);
  // A sample may override beta: beta = 0 would mean weight 1 everywhere, so
  // use 0.5: (2 * 1/4)^-0.5 = sqrt(2).
  SampleOptions half = Options(50);
  half.importance_exponent = 0.5;
  batch = table->Sample(half, Soon());
  ASSERT_TRUE(batch.ok());
  for (int i = 0; i < 50; ++i) {
    if (At<int64_t>(batch->keys, i) == 0) {
      EXPECT_NEAR(At<float>(batch->weights, i), std::sqrt(2.0), 1e-5);
    }
  }
}

TEST_F(TableSamplingTest, UpdatePrioritiesValidatesFirst) {
  v1::TableConfig config = CartPoleTable(100);
  config.set_sampler(v1::TableConfig::PRIORITIZED);
  auto table = MakeTable(config);
  ASSERT_TRUE(table->Insert(MakeChunk("a", 1, 2, 0), Soon()).ok());
  EXPECT_EQ(table->UpdatePriorities({0, 1}, {1.0}).code(),
            absl::StatusCode::kInvalidArgument);
  const absl::Status bad = table->UpdatePriorities({0, 1}, {1.0, -2.0});
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.message()), HasSubstr("priorities[1]"));

  auto uniform = MakeTable(CartPoleTable(100));
  EXPECT_EQ(uniform->UpdatePriorities({0}, {1.0}).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(TableSamplingTest, FifoHandsOutEachItemOnceInOrder) {
  v1::TableConfig config = CartPoleTable(100);
  config.set_sampler(v1::TableConfig::FIFO);
  auto table = MakeTable(config);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(table->Insert(MakeChunk("a", i + 1, 4, 10 * i), Soon()).ok());
  }
  absl::StatusOr<SampledBatch> first = table->Sample(Options(5), Soon());
  ASSERT_TRUE(first.ok());
  absl::StatusOr<SampledBatch> second = table->Sample(Options(5), Soon());
  ASSERT_TRUE(second.ok());
  std::vector<int64_t> keys;
  for (int i = 0; i < 5; ++i) keys.push_back(At<int64_t>(first->keys, i));
  for (int i = 0; i < 5; ++i) keys.push_back(At<int64_t>(second->keys, i));
  EXPECT_EQ(keys, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(table->Info().size(), 2);
  EXPECT_EQ(table->Info().chunks(), 1);  // the first two chunks are used up
  // Only two items are left: a batch of five waits for more.
  EXPECT_EQ(table->Sample(Options(5), absl::Now() + absl::Milliseconds(50))
                .status()
                .code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST_F(TableSamplingTest, FifoItemsNotDeliveredAreServedAgainFirst) {
  v1::TableConfig config = CartPoleTable(100);
  config.set_sampler(v1::TableConfig::FIFO);
  auto table = MakeTable(config);
  ASSERT_TRUE(table->Insert(MakeChunk("a", 1, 8, 0), Soon()).ok());
  auto take = [&](int batch_size) {
    absl::Notification done;
    absl::StatusOr<SampledBatch> out;
    table->SampleAsync(Options(batch_size), Soon(), nullptr,
                       [&](absl::StatusOr<SampledBatch> batch) {
                         out = std::move(batch);
                         done.Notify();
                       });
    done.WaitForNotification();
    EXPECT_TRUE(out.ok()) << out.status();
    return std::move(out).value();
  };
  auto keys = [](const SampledBatch& batch) {
    std::vector<int64_t> out;
    for (int i = 0; i < batch.batch_size; ++i) {
      out.push_back(At<int64_t>(batch.keys, i));
    }
    return out;
  };
  SampledBatch lost = take(3);   // 0, 1, 2: never delivered
  SampledBatch sent = take(3);   // 3, 4, 5: delivered
  EXPECT_EQ(keys(sent), (std::vector<int64_t>{3, 4, 5}));
  table->Settle(sent.delivery, /*delivered=*/true);
  // Items after ones in flight are not consumed yet: the table holds 8.
  EXPECT_EQ(table->Info().size(), 8);
  table->Settle(lost.delivery, /*delivered=*/false);
  EXPECT_EQ(table->Info().sampled_transitions(), 3);
  // What was not delivered comes first, then the rest in order.
  SampledBatch again = take(4);
  EXPECT_EQ(keys(again), (std::vector<int64_t>{0, 1, 2, 6}));
  table->Settle(again.delivery, /*delivered=*/true);
  EXPECT_EQ(table->Info().size(), 1);
  // A second settle of the same batch changes nothing.
  table->Settle(lost.delivery, /*delivered=*/false);
  EXPECT_EQ(table->Info().size(), 1);
  EXPECT_EQ(keys(take(1)), (std::vector<int64_t>{7}));
}

TEST_F(TableSamplingTest, PrioritizedKeepsEveryLiveItemAtACapacityOfAPowerOfTwo) {
  // Capacity 64 with chunks of 8: the ninth chunk is stored before the
  // first is evicted, so 72 items are live for a moment.
  v1::TableConfig config = CartPoleTable(64);
  config.set_max_chunk_length(8);
  config.set_sampler(v1::TableConfig::PRIORITIZED);
  auto table = MakeTable(config);
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(table->Insert(MakeChunk("a", i + 1, 8, 8 * i), Soon()).ok());
  }
  ASSERT_EQ(table->Info().size(), 64);
  absl::StatusOr<SampledBatch> batch = table->Sample(Options(4000), Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  std::set<int64_t> seen;
  for (int i = 0; i < 4000; ++i) {
    seen.insert(At<int64_t>(batch->keys, i));
    // Every live item has the same priority: 1/64 each.
    EXPECT_NEAR(At<double>(batch->probabilities, i), 1.0 / 64, 1e-12);
  }
  EXPECT_EQ(*seen.begin(), 8);
  EXPECT_EQ(*seen.rbegin(), 71);
  EXPECT_EQ(seen.size(), 64u);
}

TEST_F(TableSamplingTest, SamplesTooLargeToHoldAreRefusedBeforeAnything) {
  auto table = MakeTable(CartPoleTable(100));
  ASSERT_TRUE(table->Insert(MakeChunk("a", 1, 8, 0), Soon()).ok());
  // 2^20 sequences of 100000 steps: 9e11 observation rows.
  const SampleOptions huge = Options(1 << 20, 1, 1.0, 100000);
  EXPECT_GT(table->SampleBytes(huge), Table::kMaxSampleBytes);
  absl::StatusOr<SampledBatch> batch = table->Sample(huge, Soon());
  EXPECT_EQ(batch.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(batch.status().message()),
              HasSubstr("batch_size x (sequence_length + 1)"));
  EXPECT_EQ(table->Info().sampled_transitions(), 0);
  // Transitions of CartPole: two rows of 16 bytes, an 8-byte action, and
  // 4 + 1 + 1 + 4 + 29 bytes of the rest per row.
  EXPECT_EQ(table->SampleBytes(Options(10)), 10 * (32 + 8 + 39));
}

TEST_F(TableSamplingTest, ShapesWhoseBytesOverflowAreRefused) {
  v1::TableConfig config = CartPoleTable(100);
  config.mutable_observation()->add_shape(int64_t{1} << 40);
  config.mutable_observation()->add_shape(int64_t{1} << 40);
  absl::StatusOr<std::unique_ptr<Table>> table =
      Table::Create("job", config, metrics_.get());
  ASSERT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(table.status().message()),
              HasSubstr("observation.shape"));
  v1::TableConfig huge = CartPoleTable(int64_t{1} << 40);
  table = Table::Create("job", huge, metrics_.get());
  ASSERT_EQ(table.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(table.status().message()), HasSubstr("capacity"));
}

TEST_F(TableSamplingTest, NStepTransitionsSpanChunksWithinAnEpisode) {
  auto table = MakeTable(CartPoleTable(1000));
  // Episode 7 of env 0 in two chunks, with another stream's chunk between:
  // observations 0..4 then 4..8, rewards 0..3 then 4..7, terminated at 8.
  ASSERT_TRUE(table->Insert(MakeEpisodeChunk("a", 1, 0, 7, 4, 0), Soon()).ok());
  ASSERT_TRUE(
      table->Insert(MakeEpisodeChunk("a", 2, 1, 9, 4, 100), Soon()).ok());
  ASSERT_TRUE(
      table->Insert(MakeEpisodeChunk("a", 3, 0, 7, 4, 4, true), Soon()).ok());
  absl::StatusOr<SampledBatch> batch =
      table->Sample(Options(500, /*n_step=*/3, /*gamma=*/0.5), Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  bool saw_span = false, saw_end = false;
  for (int i = 0; i < 500; ++i) {
    const float s = Observation(batch->observations, i);
    if (s >= 100) continue;  // the other stream's chunk ends unfinished
    const float reward = At<float>(batch->rewards, i);
    const float next = Observation(batch->next_observations, i);
    const float discount = At<float>(batch->discounts, i);
    if (s == 2) {  // 2 + 0.5 * 3 + 0.25 * 4, crossing into the next chunk
      saw_span = true;
      EXPECT_FLOAT_EQ(reward, 4.5f);
      EXPECT_EQ(next, 5.0f);
      EXPECT_FLOAT_EQ(discount, 0.125f);
      EXPECT_FALSE(batch->terminated[i]);
    }
    if (s == 6) {  // 6 + 0.5 * 7, then the episode terminates
      saw_end = true;
      EXPECT_FLOAT_EQ(reward, 9.5f);
      EXPECT_EQ(next, 8.0f);
      EXPECT_FLOAT_EQ(discount, 0.0f);
      EXPECT_TRUE(batch->terminated[i]);
    }
  }
  EXPECT_TRUE(saw_span);
  EXPECT_TRUE(saw_end);
}

TEST_F(TableSamplingTest, NStepStopsAtATruncatedEpisode) {
  auto table = MakeTable(CartPoleTable(1000));
  // Episode 20 is cut by its time limit after 2 steps; episode 21 follows.
  ASSERT_TRUE(
      table->Insert(MakeEpisodeChunk("a", 1, 0, 20, 2, 0, false, true), Soon())
          .ok());
  ASSERT_TRUE(
      table->Insert(MakeEpisodeChunk("a", 2, 0, 21, 2, 50), Soon()).ok());
  absl::StatusOr<SampledBatch> batch =
      table->Sample(Options(200, 3, 0.9), Soon());
  ASSERT_TRUE(batch.ok());
  for (int i = 0; i < 200; ++i) {
    if (Observation(batch->observations, i) != 1) continue;
    // One step (reward 1), bootstrapping from the final observation 2.
    EXPECT_FLOAT_EQ(At<float>(batch->rewards, i), 1.0f);
    EXPECT_EQ(Observation(batch->next_observations, i), 2.0f);
    EXPECT_FLOAT_EQ(At<float>(batch->discounts, i), 0.9f);
    EXPECT_FALSE(batch->terminated[i]);
  }
}

TEST_F(TableSamplingTest, SequencesNeverCrossEpisodeEndsUnlessAsked) {
  auto table = MakeTable(CartPoleTable(1000));
  ASSERT_TRUE(
      table->Insert(MakeEpisodeChunk("a", 1, 0, 1, 4, 0, true), Soon()).ok());
  ASSERT_TRUE(
      table->Insert(MakeEpisodeChunk("a", 2, 0, 2, 4, 10), Soon()).ok());
  const int length = 3;
  absl::StatusOr<SampledBatch> batch =
      table->Sample(Options(300, 1, 1.0, length), Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->sequence_length, length);
  std::set<float> starts;
  for (int i = 0; i < 300; ++i) {
    const float start = Observation(batch->observations, i * (length + 1));
    starts.insert(start);
    for (int t = 0; t <= length; ++t) {
      EXPECT_EQ(Observation(batch->observations, i * (length + 1) + t),
                start + t);
    }
  }
  // Starts 0, 1 (episode 1) and 10, 11 (episode 2): none reaches across.
  EXPECT_EQ(starts, (std::set<float>{0, 1, 10, 11}));

  // Six steps fit in no single episode.
  EXPECT_EQ(table->Sample(Options(1, 1, 1.0, 6), Soon()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // Asked to, sequences run on into the next episode of the same env.
  batch =
      table->Sample(Options(50, 1, 1.0, 6, /*cross_episodes=*/true), Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  for (int i = 0; i < 50; ++i) {
    const float start = Observation(batch->observations, i * 7);
    ASSERT_LE(start, 2);
    // The step that ends episode 1 (observation 3 -> 4) is marked terminal.
    const int end = 3 - static_cast<int>(start);
    EXPECT_TRUE(batch->terminated[i * 6 + end]);
    EXPECT_EQ(Observation(batch->observations, i * 7 + end + 1), 10.0f);
  }
}

TEST_F(TableSamplingTest, StaleItemsAreNeverSampled) {
  v1::TableConfig config = CartPoleTable(1000);
  config.set_max_policy_lag(2);
  auto table = MakeTable(config);
  // MakeChunk's policy version is its sequence: 1, 6, then 2 from a slow
  // actor. Versions below 6 - 2 = 4 are stale.
  ASSERT_TRUE(table->Insert(MakeChunk("a", 1, 4, 0), Soon()).ok());
  ASSERT_TRUE(table->Insert(MakeChunk("a", 6, 4, 60), Soon()).ok());
  ASSERT_TRUE(table->Insert(MakeChunk("b", 2, 4, 20), Soon()).ok());
  // The stale chunk at the front went at once.
  EXPECT_EQ(table->Info().chunks(), 2);
  absl::StatusOr<SampledBatch> batch = table->Sample(Options(100), Soon());
  ASSERT_TRUE(batch.ok());
  for (int i = 0; i < 100; ++i) {
    EXPECT_GE(Observation(batch->observations, i), 60);
    EXPECT_EQ(At<int64_t>(batch->policy_versions, i), 6);
  }
}

TEST_F(TableSamplingTest, ByteCapacityEvictsOldestChunks) {
  v1::TableConfig config = CartPoleTable(1000);
  config.set_max_chunk_length(8);
  // One chunk of 8 steps: 9 * 16 + 8 * 8 + 8 * 4 = 240 bytes.
  config.set_max_chunk_bytes(240);
  config.set_capacity_bytes(500);
  auto table = MakeTable(config);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(table->Insert(MakeChunk("a", i + 1, 8, 0), Soon()).ok());
  }
  EXPECT_EQ(table->Info().chunks(), 2);
  EXPECT_EQ(table->Info().bytes(), 480);
}

TEST_F(TableSamplingTest, OversizedChunkIsRefused) {
  v1::TableConfig config = CartPoleTable(1000);
  config.set_max_chunk_bytes(100);
  auto table = MakeTable(config);
  const absl::StatusOr<InsertResult> result =
      table->Insert(MakeChunk("a", 1, 8, 0), Soon());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("max_chunk_bytes"));
  EXPECT_EQ(table->Info().size(), 0);
}

TEST_F(TableSamplingTest, BadSampleOptionsAreNamed) {
  auto table = MakeTable(CartPoleTable(100));
  for (const auto& [options, field] :
       std::vector<std::pair<SampleOptions, std::string>>{
           {Options(0), "batch_size"},
           {Options(1, -1), "n_step"},
           {Options(1, 1, 1.5), "gamma"},
           {Options(1, 1, 1.0, -2), "sequence_length"},
           {Options(1, 3, 1.0, 4), "n_step"}}) {
    const absl::Status status = table->Sample(options, Soon()).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), HasSubstr(field));
  }
}

}  // namespace
}  // namespace entropic
