// Extra per-step columns of a table (TableConfig.extra_columns): their
// configuration, validation, storage, sampling (transitions, n-step,
// sequences), and durability through the write-ahead log and snapshots.
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "replay/durability/durability.h"
#include "replay/table.h"
#include "replay/table_store.h"
#include "replay/testing/chunks.h"
#include "replay/testing/durable_replay.h"

namespace entropic {
namespace {

namespace fs = std::filesystem;
using ::entropic::testing::AddTestColumns;
using ::entropic::testing::CartPoleTable;
using ::entropic::testing::MakeChunk;
using ::entropic::testing::MakeEpisodeChunk;
using ::entropic::testing::TestLogProb;
using ::entropic::testing::TestTask;
using ::entropic::testing::WithTestColumns;
using ::testing::ElementsAreArray;
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

std::vector<int64_t> Task(const SampledBatch& batch, int64_t cell) {
  return {At<int64_t>(batch.extra_columns[1], 2 * cell),
          At<int64_t>(batch.extra_columns[1], 2 * cell + 1)};
}

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

// The CartPole table with the test columns (behaviour_log_prob, task).
v1::TableConfig ColumnTable(int64_t capacity = 1000) {
  v1::TableConfig config = CartPoleTable(capacity);
  AddTestColumns(config);
  return config;
}

SampleOptions Options(int batch_size, int n_step = 1, double gamma = 1.0,
                      int sequence_length = 0) {
  SampleOptions options;
  options.batch_size = batch_size;
  options.shape.n_step = n_step;
  options.shape.gamma = gamma;
  options.shape.sequence_length = sequence_length;
  return options;
}

class ExtraColumnsTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::unique_ptr<Table>> Create(const v1::TableConfig& config) {
    metrics_.push_back(replay_metrics_.AddTable("job", config.name()));
    return Table::Create("job", config, metrics_.back().get(), 7);
  }
  std::unique_ptr<Table> MakeTable(const v1::TableConfig& config) {
    absl::StatusOr<std::unique_ptr<Table>> table = Create(config);
    EXPECT_TRUE(table.ok()) << table.status();
    return std::move(table).value();
  }

  prometheus::Registry registry_;
  ReplayMetrics replay_metrics_{registry_};
  // Every table's, alive as long as the tables.
  std::vector<std::unique_ptr<TableMetrics>> metrics_;
};

TEST_F(ExtraColumnsTest, BadColumnConfigurationsAreRefusedNamingTheField) {
  auto column = [](v1::TableConfig& config, const std::string& name,
                   v1::DType dtype, std::vector<int64_t> shape = {}) {
    v1::ColumnSpec* spec = config.add_extra_columns();
    spec->set_name(name);
    spec->mutable_spec()->set_dtype(dtype);
    for (int64_t dim : shape) spec->mutable_spec()->add_shape(dim);
  };
  struct Case {
    std::string expected;
    std::function<void(v1::TableConfig&)> change;
  };
  const std::vector<Case> cases = {
      {"extra_columns[0].name: must match",
       [&](v1::TableConfig& c) { column(c, "", v1::DTYPE_FLOAT32); }},
      {"extra_columns[0].name: must match",
       [&](v1::TableConfig& c) { column(c, "LogProb", v1::DTYPE_FLOAT32); }},
      {"extra_columns[0].name: must match",
       [&](v1::TableConfig& c) { column(c, "1st", v1::DTYPE_FLOAT32); }},
      {"extra_columns[0].name: must match",
       [&](v1::TableConfig& c) { column(c, "log-prob", v1::DTYPE_FLOAT32); }},
      {"extra_columns[0].name: must match",
       [&](v1::TableConfig& c) {
         column(c, std::string(65, 'a'), v1::DTYPE_FLOAT32);
       }},
      {"extra_columns[2].name: \"task\" is declared twice (extra_columns[1])",
       [&](v1::TableConfig& c) {
         AddTestColumns(c);
         column(c, "task", v1::DTYPE_INT64, {2});
       }},
      {"extra_columns[1].name: \"rewards\" is a field of SampleResponse",
       [&](v1::TableConfig& c) {
         column(c, "ok", v1::DTYPE_FLOAT32);
         column(c, "rewards", v1::DTYPE_FLOAT32);
       }},
      {"extra_columns[0].name: \"sources\" is a field of SampleResponse",
       [&](v1::TableConfig& c) { column(c, "sources", v1::DTYPE_UINT8); }},
      {"extra_columns: at most 16 per table, got 17",
       [&](v1::TableConfig& c) {
         for (int i = 0; i < 17; ++i) {
           column(c, absl::StrCat("c", i), v1::DTYPE_FLOAT32);
         }
       }},
      {"extra_columns[\"mask\"].spec.dtype: must be specified",
       [&](v1::TableConfig& c) { column(c, "mask", v1::DTYPE_UNSPECIFIED); }},
      {"extra_columns[\"mask\"].spec.dtype: must be specified",
       [&](v1::TableConfig& c) {
         column(c, "mask", static_cast<v1::DType>(99));
       }},
      {"extra_columns[\"mask\"].spec.shape: dimensions must be positive",
       [&](v1::TableConfig& c) {
         column(c, "mask", v1::DTYPE_BOOL, {3, 0});
       }},
      {"extra_columns[\"mask\"].spec.shape: dimensions must be positive",
       [&](v1::TableConfig& c) { column(c, "mask", v1::DTYPE_BOOL, {-1}); }},
      // Bytes that overflow int64 are refused, not wrapped.
      {"extra_columns[\"mask\"].spec.shape: one row of shape",
       [&](v1::TableConfig& c) {
         column(c, "mask", v1::DTYPE_FLOAT64,
                {int64_t{1} << 31, int64_t{1} << 31});
       }},
      // Each column fits in a chunk alone, not all of them together.
      {"extra_columns: one step of them takes 1200 bytes, over the table's "
       "max_chunk_bytes of 1000",
       [&](v1::TableConfig& c) {
         c.set_max_chunk_bytes(1000);
         column(c, "a", v1::DTYPE_UINT8, {600});
         column(c, "b", v1::DTYPE_UINT8, {600});
       }},
  };
  for (const Case& test : cases) {
    v1::TableConfig config = CartPoleTable(1000);
    test.change(config);
    const absl::Status status = Create(config).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << test.expected;
    EXPECT_THAT(std::string(status.message()),
                HasSubstr("table agent: " + test.expected));
  }
  // Sixteen columns, names at the edges of what is allowed, are fine.
  v1::TableConfig most = CartPoleTable(1000);
  for (int i = 0; i < 15; ++i) {
    column(most, absl::StrCat("c", i, "_"), v1::DTYPE_FLOAT32, {2});
  }
  column(most, "z" + std::string(63, '9'), v1::DTYPE_BOOL);
  EXPECT_TRUE(Create(most).ok()) << Create(most).status();
}

TEST_F(ExtraColumnsTest, RefusedChunksLeaveTheTableUnchanged) {
  v1::TableConfig config = ColumnTable();
  // A chunk of 8 steps takes 400 bytes (obs 144, actions 64, rewards 32,
  // columns 160); one of 10 steps 496.
  config.set_max_chunk_bytes(450);
  auto table = MakeTable(config);
  ASSERT_TRUE(
      table->Insert(WithTestColumns(MakeChunk("a", 1, 8, 0)), Soon()).ok());
  const v1::TableInfo before = table->Info();

  auto log_prob = [](v1::TrajectoryChunk& c) -> v1::Tensor& {
    return *c.mutable_extra_columns(1)->mutable_tensor();
  };
  struct Case {
    std::string expected;
    std::function<void(v1::TrajectoryChunk&)> corrupt;
  };
  const std::vector<Case> cases = {
      {"chunk.extra_columns[\"behaviour_log_prob\"]: missing",
       [](v1::TrajectoryChunk& c) { c.mutable_extra_columns()->RemoveLast(); }},
      {"chunk.extra_columns[\"task\"]: given twice",
       [](v1::TrajectoryChunk& c) {
         *c.add_extra_columns() = c.extra_columns(0);
       }},
      {"chunk.extra_columns[\"bootstrap\"]: table agent has no such column",
       [](v1::TrajectoryChunk& c) {
         v1::NamedTensor* extra = c.add_extra_columns();
         *extra = c.extra_columns(1);
         extra->set_name("bootstrap");
       }},
      {"chunk.extra_columns[\"behaviour_log_prob\"]: dtype",
       [&](v1::TrajectoryChunk& c) {
         log_prob(c).set_dtype(v1::DTYPE_FLOAT64);
         log_prob(c).mutable_data()->append(32, '\0');
       }},
      {"chunk.extra_columns[\"behaviour_log_prob\"]: shape [8, 1]",
       [&](v1::TrajectoryChunk& c) { log_prob(c).add_shape(1); }},
      {"chunk.extra_columns[\"behaviour_log_prob\"]: shape [7]",
       [&](v1::TrajectoryChunk& c) {
         log_prob(c).set_shape(0, 7);
         log_prob(c).mutable_data()->resize(28);
       }},
      {"chunk.extra_columns[\"behaviour_log_prob\"]: holds 4 bytes",
       [&](v1::TrajectoryChunk& c) { log_prob(c).mutable_data()->resize(4); }},
      {"chunk.extra_columns[\"task\"]: shape [8, 3]",
       [](v1::TrajectoryChunk& c) {
         v1::Tensor& task = *c.mutable_extra_columns(0)->mutable_tensor();
         task.set_shape(1, 3);
         task.mutable_data()->append(64, '\0');
       }},
      {"chunk.extra_columns[\"behaviour_log_prob\"]: element 3 is not finite",
       [&](v1::TrajectoryChunk& c) {
         const float nan = std::numeric_limits<float>::quiet_NaN();
         std::memcpy(log_prob(c).mutable_data()->data() + 12, &nan, 4);
       }},
      {"chunk.extra_columns[\"behaviour_log_prob\"]: element 0 is not finite",
       [&](v1::TrajectoryChunk& c) {
         const float inf = -std::numeric_limits<float>::infinity();
         std::memcpy(log_prob(c).mutable_data()->data(), &inf, 4);
       }},
  };
  uint64_t sequence = 2;
  for (const Case& test : cases) {
    v1::TrajectoryChunk chunk =
        WithTestColumns(MakeChunk("a", sequence++, 8, 0));
    test.corrupt(chunk);
    EXPECT_EQ(table->Validate(chunk).code(), absl::StatusCode::kInvalidArgument)
        << test.expected;
    const absl::Status status = table->Insert(chunk, Soon()).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << test.expected;
    EXPECT_THAT(std::string(status.message()), HasSubstr(test.expected));
  }
  // Within max_chunk_bytes without its columns, over it with them.
  const absl::Status oversized =
      table->Insert(WithTestColumns(MakeChunk("a", sequence++, 10, 0)), Soon())
          .status();
  EXPECT_EQ(oversized.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(oversized.message()),
              HasSubstr("496 bytes of tensor data exceed the table's "
                        "max_chunk_bytes of 450"));
  // A chunk without its table's columns, and columns a table does not have.
  EXPECT_THAT(
      std::string(table->Insert(MakeChunk("a", sequence++, 8, 0), Soon())
                      .status()
                      .message()),
      HasSubstr("chunk.extra_columns[\"behaviour_log_prob\"]: missing"));
  auto plain = MakeTable(CartPoleTable(1000));
  EXPECT_THAT(
      std::string(
          plain->Insert(WithTestColumns(MakeChunk("a", 1, 8, 0)), Soon())
              .status()
              .message()),
      HasSubstr("chunk.extra_columns[\"task\"]: table agent has no "
                "such column"));
  EXPECT_EQ(plain->Info().size(), 0);

  const v1::TableInfo after = table->Info();
  EXPECT_EQ(after.size(), before.size());
  EXPECT_EQ(after.chunks(), before.chunks());
  EXPECT_EQ(after.bytes(), before.bytes());
  EXPECT_EQ(after.inserted_transitions(), before.inserted_transitions());
}

TEST_F(ExtraColumnsTest, ColumnBytesCountInCapacityAndSampleBytes) {
  v1::TableConfig config = ColumnTable();
  config.set_max_chunk_length(8);
  config.set_max_chunk_bytes(400);
  config.set_capacity_bytes(900);  // two chunks of 400 bytes, not three
  auto table = MakeTable(config);
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(
        table->Insert(WithTestColumns(MakeChunk("a", i, 8, 0)), Soon()).ok());
  }
  EXPECT_EQ(table->Info().chunks(), 2);
  EXPECT_EQ(table->Info().bytes(), 800);

  // 4 + 16 bytes per step more than the same table without columns.
  auto plain = MakeTable(CartPoleTable(1000));
  EXPECT_EQ(table->SampleBytes(Options(32)) - plain->SampleBytes(Options(32)),
            32 * 20);
  EXPECT_EQ(table->SampleBytes(Options(32, 1, 1, 5)) -
                plain->SampleBytes(Options(32, 1, 1, 5)),
            32 * 5 * 20);
  // Columns asked for by name count as asked, whether held or not.
  SampleOptions asked = Options(32);
  asked.columns.emplace(config.extra_columns().begin(),
                        config.extra_columns().end());
  EXPECT_EQ(plain->SampleBytes(asked), table->SampleBytes(Options(32)));
}

TEST_F(ExtraColumnsTest, TransitionsCarryTheirStepsValues) {
  auto table = MakeTable(ColumnTable());
  ASSERT_TRUE(
      table->Insert(WithTestColumns(MakeChunk("a", 1, 10, 100, true)), Soon())
          .ok());
  ASSERT_TRUE(
      table->Insert(WithTestColumns(MakeChunk("b", 1, 5, 200)), Soon()).ok());
  absl::StatusOr<SampledBatch> batch = table->Sample(Options(256), Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  // In the table's order, whatever the chunks' order.
  ASSERT_EQ(batch->extra_columns.size(), 2u);
  EXPECT_EQ(batch->extra_columns[0].size(), 256 * sizeof(float));
  EXPECT_EQ(batch->extra_columns[1].size(), 256 * 2 * sizeof(int64_t));
  for (int i = 0; i < 256; ++i) {
    const float s = Observation(batch->observations, i);
    EXPECT_EQ(At<float>(batch->extra_columns[0], i), TestLogProb(s)) << s;
    EXPECT_EQ(Task(*batch, i), TestTask(s)) << s;
  }
  // A table without columns samples none.
  auto plain = MakeTable(CartPoleTable(1000));
  ASSERT_TRUE(plain->Insert(MakeChunk("a", 1, 10, 0), Soon()).ok());
  absl::StatusOr<SampledBatch> none = plain->Sample(Options(8), Soon());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->extra_columns.empty());
}

TEST_F(ExtraColumnsTest, NStepTransitionsTakeTheFirstStepsValueAcrossChunks) {
  auto table = MakeTable(ColumnTable());
  // Episode 7 of env 0 in two chunks: observations 0..4 then 4..8.
  ASSERT_TRUE(
      table
          ->Insert(WithTestColumns(MakeEpisodeChunk("a", 1, 0, 7, 4, 0)),
                   Soon())
          .ok());
  ASSERT_TRUE(
      table
          ->Insert(WithTestColumns(MakeEpisodeChunk("a", 2, 0, 7, 4, 4, true)),
                   Soon())
          .ok());
  absl::StatusOr<SampledBatch> batch =
      table->Sample(Options(500, /*n_step=*/3, /*gamma=*/0.5), Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  bool saw_span = false;
  for (int i = 0; i < 500; ++i) {
    const float s = Observation(batch->observations, i);
    if (s == 3) {
      // 3 + 0.5 * 4 + 0.25 * 5: the transition runs into the second chunk,
      // its columns stay at its first step, in the first.
      saw_span = true;
      EXPECT_FLOAT_EQ(At<float>(batch->rewards, i), 6.25f);
      EXPECT_EQ(Observation(batch->next_observations, i), 6.0f);
    }
    EXPECT_EQ(At<float>(batch->extra_columns[0], i), TestLogProb(s)) << s;
    EXPECT_EQ(Task(*batch, i), TestTask(s)) << s;
  }
  EXPECT_TRUE(saw_span);
}

TEST_F(ExtraColumnsTest, SequencesCarryEveryStepsValues) {
  auto table = MakeTable(ColumnTable());
  ASSERT_TRUE(
      table
          ->Insert(WithTestColumns(MakeEpisodeChunk("a", 1, 0, 1, 3, 0)),
                   Soon())
          .ok());
  ASSERT_TRUE(
      table
          ->Insert(WithTestColumns(MakeEpisodeChunk("a", 2, 0, 1, 3, 3, true)),
                   Soon())
          .ok());
  const int length = 4;
  absl::StatusOr<SampledBatch> batch =
      table->Sample(Options(64, 1, 1, length), Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->extra_columns.size(), 2u);
  EXPECT_EQ(batch->extra_columns[0].size(), 64 * length * sizeof(float));
  std::set<float> starts;
  for (int i = 0; i < 64; ++i) {
    starts.insert(Observation(batch->observations, i * (length + 1)));
    for (int t = 0; t < length; ++t) {
      const int64_t cell = i * length + t;
      const float s = Observation(batch->observations, i * (length + 1) + t);
      EXPECT_EQ(At<float>(batch->extra_columns[0], cell), TestLogProb(s));
      EXPECT_EQ(Task(*batch, cell), TestTask(s));
    }
  }
  // Sequences of 4 in an episode of 6 steps start at 0, 1 or 2, crossing
  // the chunks' boundary.
  EXPECT_EQ(starts, (std::set<float>{0, 1, 2}));
}

TEST_F(ExtraColumnsTest, ColumnsAskedForThatTheTableLacksAreZeros) {
  // Declares behaviour_log_prob like the test columns, task with another
  // shape, and a column of its own.
  v1::TableConfig config = CartPoleTable(1000);
  AddTestColumns(config);
  config.mutable_extra_columns(1)->mutable_spec()->set_shape(0, 3);
  v1::ColumnSpec* own = config.add_extra_columns();
  own->set_name("own");
  own->mutable_spec()->set_dtype(v1::DTYPE_UINT8);
  auto table = MakeTable(config);
  v1::TrajectoryChunk chunk = WithTestColumns(MakeChunk("a", 1, 4, 10));
  *chunk.mutable_extra_columns(0)->mutable_tensor() =
      MakeTensor<int64_t>(std::vector<int64_t>(12, 5), {4, 3});
  *chunk.add_extra_columns()->mutable_tensor() =
      MakeTensor<uint8_t>(std::vector<uint8_t>(4, 1), {4});
  chunk.mutable_extra_columns(2)->set_name("own");
  ASSERT_TRUE(table->Insert(chunk, Soon()).ok());

  v1::TableConfig wanted = CartPoleTable(1000);
  AddTestColumns(wanted);
  SampleOptions options = Options(16);
  options.columns.emplace(wanted.extra_columns().begin(),
                          wanted.extra_columns().end());
  absl::StatusOr<SampledBatch> batch = table->Sample(options, Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->extra_columns.size(), 2u);
  ASSERT_EQ(batch->extra_columns[1].size(), 16 * 2 * sizeof(int64_t));
  for (int i = 0; i < 16; ++i) {
    const float s = Observation(batch->observations, i);
    EXPECT_EQ(At<float>(batch->extra_columns[0], i), TestLogProb(s));
    EXPECT_EQ(Task(*batch, i), (std::vector<int64_t>{0, 0}));
  }
}

TEST_F(ExtraColumnsTest, CreateTablesComparesColumns) {
  TableStore store(&replay_metrics_);
  ASSERT_TRUE(store.CreateTables("job", {ColumnTable()}).ok());
  EXPECT_TRUE(store.CreateTables("job", {ColumnTable()}).ok());
  v1::TableConfig fewer = CartPoleTable(1000);
  v1::TableConfig other_spec = ColumnTable();
  other_spec.mutable_extra_columns(0)->mutable_spec()->set_dtype(
      v1::DTYPE_FLOAT64);
  v1::TableConfig more = ColumnTable();
  *more.add_extra_columns() = more.extra_columns(0);
  more.mutable_extra_columns(2)->set_name("mask");
  for (const v1::TableConfig& changed : {fewer, other_spec, more}) {
    const absl::Status status = store.CreateTables("job", {changed});
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(status.message()),
                HasSubstr("exists with a different configuration"));
  }
  EXPECT_EQ((*store.Find("job", "agent"))->config().extra_columns_size(), 2);
  store.CloseAll();
}

using Replay = ::entropic::testing::DurableReplay;

TEST(DurableExtraColumnsTest, ColumnsComeBackFromTheSnapshotAndTheLog) {
  const std::string directory =
      std::string(::testing::TempDir()) + "/extra_columns_test";
  fs::remove_all(directory);
  v1::TableConfig config = ColumnTable();
  config.set_durable(true);
  int64_t bytes = 0;
  {
    Replay replay(directory);
    ASSERT_TRUE(replay.store.CreateTables("job", {config}).ok());
    // Chunks 1 to 3 go into the snapshot, 4 to 6 only into the log.
    for (int i = 1; i <= 6; ++i) {
      ASSERT_TRUE(replay.Find()
                      ->Insert(WithTestColumns(MakeEpisodeChunk("a", i, 0, 1, 4,
                                                                4 * (i - 1))),
                               Soon())
                      .ok());
      if (i == 3) {
        ASSERT_TRUE(replay.store.Checkpoint().ok());
      }
    }
    bytes = replay.Find()->Info().bytes();
  }  // the "process" ends without a final snapshot

  Replay restarted(directory);
  EXPECT_GT(restarted.recovery.records, 0);
  std::shared_ptr<Table> table = restarted.Find();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      table->config(), config));
  EXPECT_EQ(table->Info().size(), 24);
  EXPECT_EQ(table->Info().bytes(), bytes);
  // Sequences over the whole episode: every step's values, from the
  // snapshot's chunks and the log's.
  absl::StatusOr<SampledBatch> batch =
      table->Sample(Options(200, 1, 1, /*sequence_length=*/4), Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  std::set<float> seen;
  for (int i = 0; i < 200; ++i) {
    for (int t = 0; t < 4; ++t) {
      const float s = Observation(batch->observations, i * 5 + t);
      seen.insert(s);
      EXPECT_EQ(At<float>(batch->extra_columns[0], i * 4 + t), TestLogProb(s));
      EXPECT_EQ(Task(*batch, i * 4 + t), TestTask(s));
    }
  }
  EXPECT_EQ(seen.size(), 24u);
  // A snapshot written by the recovered table keeps them too.
  ASSERT_TRUE(restarted.store.Checkpoint().ok());
  restarted.store.CloseAll();
  fs::remove_all(directory);
}

TEST(DurableExtraColumnsTest, ASnapshotExportsEveryColumn) {
  // Export (what snapshots write) gives back the chunk as inserted, its
  // columns in the table's order.
  ChunkStore store(16, 8, {{"behaviour_log_prob", 4}, {"task", 16}});
  const v1::TrajectoryChunk chunk = WithTestColumns(MakeChunk("a", 1, 3, 10));
  v1::TrajectoryChunk stored = chunk;
  store.Append(stored);
  EXPECT_EQ(store.bytes(), 4 * 16 + 3 * (8 + 4 + 4 + 16));
  const v1::TrajectoryChunk exported = store.Export(0, ColumnTable());
  ASSERT_EQ(exported.extra_columns_size(), 2);
  EXPECT_EQ(exported.extra_columns(0).name(), "behaviour_log_prob");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      exported.extra_columns(0), chunk.extra_columns(1)));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      exported.extra_columns(1), chunk.extra_columns(0)));
  EXPECT_THAT(TensorValues<float>(exported.extra_columns(0).tensor()),
              ElementsAreArray({-10.0f, -11.0f, -12.0f}));
  store.PopFront();
  EXPECT_EQ(store.bytes(), 0);
}

}  // namespace
}  // namespace entropic
