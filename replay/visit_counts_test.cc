// Visit counts of hashed observations (TableConfig.visit_counts): SimHash
// codes, the configuration's validation, counting in tables (evicted and
// resent chunks, every kind of sample, demonstrations), metrics, and
// durability through snapshots and the write-ahead log.
#include "replay/visit_counts.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/security.h"
#include "common/tensor.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"
#include "replay/durability/durability.h"
#include "replay/replay_server.h"
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
using ::entropic::testing::WithTestColumns;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

template <typename T>
T At(const std::string& bytes, int64_t index) {
  T value;
  std::memcpy(&value, bytes.data() + index * sizeof(T), sizeof(T));
  return value;
}

// --- SimHash on a hand-written matrix ---

TEST(SimHashTest, CodesOfAHandWrittenMatrix) {
  // Three hyperplanes in 2-D, on x = (o0 - 1) / 2, y = o1 / 1:
  //   bit 0: x > 0;  bit 1: y - 0.5 > 0;  bit 2: x + y + 1 > 0.
  const SimHash hash(3, {1, 0, 0, 0, 1, -0.5, 1, 1, 1}, {1, 0}, {2, 1});
  EXPECT_EQ(hash.bits(), 3);
  EXPECT_EQ(hash.dims(), 2);
  // x = 1, y = 1: every product positive.
  EXPECT_EQ(hash.Code(std::vector<double>{3, 1}), 0b111u);
  // x = 0 (not > 0), y = 0.2 (-0.3), x + y + 1 = 1.2.
  EXPECT_EQ(hash.Code(std::vector<double>{1, 0.2}), 0b100u);
  // x = -2, y = -2: -2, -2.5, -3.
  EXPECT_EQ(hash.Code(std::vector<double>{-3, -2}), 0u);
  // x = -1, y = 0.75: -1, 0.25, 0.75.
  EXPECT_EQ(hash.Code(std::vector<double>{-1, 0.75}), 0b110u);
  // Only the sign of each product counts.
  EXPECT_EQ(hash.Code(std::vector<double>{101, 50}), 0b111u);
}

TEST(SimHashTest, SixtyFourBitsUseTheWholeCode) {
  // Row i: o0 > i - 31.5 (offsets in the trailing column).
  std::vector<double> matrix;
  for (int i = 0; i < 64; ++i) {
    matrix.push_back(1);
    matrix.push_back(-(i - 31.5));
  }
  const SimHash hash(64, matrix, {0}, {1});
  EXPECT_EQ(hash.Code(std::vector<double>{100}), ~uint64_t{0});
  EXPECT_EQ(hash.Code(std::vector<double>{-100}), 0u);
  // o0 = 0: rows 0..31 (offsets <= -0.5) are positive.
  EXPECT_EQ(hash.Code(std::vector<double>{0}), 0xffffffffu);
}

TEST(SimHashTest, TheSeededMatrixIsFixedAndGaussian) {
  const SimHash a = SimHash::FromSeed(64, 42, std::vector<double>(99, 0),
                                      std::vector<double>(99, 1));
  const SimHash b = SimHash::FromSeed(64, 42, std::vector<double>(99, 0),
                                      std::vector<double>(99, 1));
  const SimHash c = SimHash::FromSeed(64, 43, std::vector<double>(99, 0),
                                      std::vector<double>(99, 1));
  ASSERT_EQ(a.matrix().size(), 64u * 100);
  EXPECT_EQ(a.matrix(), b.matrix());
  EXPECT_NE(a.matrix(), c.matrix());
  // 6400 draws of N(0, 1): mean within 4 standard errors of 0, variance
  // within 10% of 1.
  double sum = 0;
  double squares = 0;
  for (double v : a.matrix()) {
    sum += v;
    squares += v * v;
  }
  const double n = static_cast<double>(a.matrix().size());
  EXPECT_NEAR(sum / n, 0.0, 4.0 / std::sqrt(n));
  EXPECT_NEAR(squares / n, 1.0, 0.1);
}

TEST(SimHashTest, AffineHyperplanesSplitOneDimensionIntoMoreThanTwoCodes) {
  // Hyperplanes through the origin could only tell the sign of a 1-D
  // observation apart; the trailing column moves them along it.
  const SimHash hash = SimHash::FromSeed(16, 7, {0}, {1});
  std::set<uint64_t> codes;
  for (int i = -20; i <= 20; ++i) {
    codes.insert(hash.Code(std::vector<double>{i / 10.0}));
  }
  EXPECT_GT(codes.size(), 4u);
}

// --- Configuration ---

v1::VisitCountConfig Counts(int bits, int elements = 4) {
  v1::VisitCountConfig config;
  config.set_bits(bits);
  config.set_seed(3);
  for (int j = 0; j < elements; ++j) {
    config.add_center(0);
    config.add_half_width(10);
  }
  config.set_column("visit_count");
  return config;
}

v1::TableConfig CountingTable(int64_t capacity = 1000, int bits = 4) {
  v1::TableConfig config = CartPoleTable(capacity);
  *config.mutable_visit_counts() = Counts(bits);
  return config;
}

class VisitCountTableTest : public ::testing::Test {
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
  std::vector<std::unique_ptr<TableMetrics>> metrics_;
};

TEST_F(VisitCountTableTest, BadConfigurationsAreRefusedNamingTheField) {
  auto refused = [&](const std::function<void(v1::TableConfig&)>& change,
                     const std::string& message) {
    v1::TableConfig config = CountingTable();
    AddTestColumns(config);
    change(config);
    absl::StatusOr<std::unique_ptr<Table>> table = Create(config);
    ASSERT_FALSE(table.ok()) << message;
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(table.status().message(), HasSubstr(message));
  };
  auto counts = [](v1::TableConfig& config) {
    return config.mutable_visit_counts();
  };
  refused([&](auto& c) { counts(c)->set_bits(0); },
          "table agent: visit_counts.bits: must be in [1, 64], got 0");
  refused([&](auto& c) { counts(c)->set_bits(65); },
          "visit_counts.bits: must be in [1, 64], got 65");
  refused([&](auto& c) { counts(c)->add_center(0); },
          "visit_counts.center: needs one value per observation element (4), "
          "got 5");
  refused([&](auto& c) { counts(c)->mutable_half_width()->RemoveLast(); },
          "visit_counts.half_width: needs one value per observation element "
          "(4), got 3");
  refused(
      [&](auto& c) {
        counts(c)->set_center(2, std::numeric_limits<double>::quiet_NaN());
      },
      "visit_counts.center[2]: must be finite");
  refused([&](auto& c) { counts(c)->set_half_width(1, 0); },
          "visit_counts.half_width[1]: must be finite and > 0, got 0");
  refused([&](auto& c) { counts(c)->set_half_width(0, -1); },
          "visit_counts.half_width[0]: must be finite and > 0");
  refused(
      [&](auto& c) {
        counts(c)->set_half_width(3, std::numeric_limits<double>::infinity());
      },
      "visit_counts.half_width[3]: must be finite and > 0");
  refused([&](auto& c) { counts(c)->set_column(""); },
          "visit_counts.column: must match [a-z][a-z0-9_]*");
  refused([&](auto& c) { counts(c)->set_column("Visit"); },
          "visit_counts.column: must match");
  refused([&](auto& c) { counts(c)->set_column("rewards"); },
          "visit_counts.column: \"rewards\" is a field of SampleResponse");
  refused([&](auto& c) { counts(c)->set_column("task"); },
          "visit_counts.column: \"task\" is extra_columns[1] already");
  refused(
      [&](auto& c) {
        c.mutable_observation()->set_shape(0, 100000);
        c.set_max_chunk_bytes(1 << 30);
        *counts(c) = Counts(64, 100000);
      },
      "visit_counts.bits: 64 x (100000 observation elements + 1) = 6400064 "
      "hashing weights, over the most a table may have, 4194304");
  // And a good one.
  v1::TableConfig config = CountingTable();
  AddTestColumns(config);
  EXPECT_TRUE(Create(config).ok());
}

// The codes of the first n observations of each chunk, counted as the test
// inserted them.
class ExpectedCounts {
 public:
  explicit ExpectedCounts(const v1::VisitCountConfig& config)
      : hash_(SimHash::FromSeed(
            config.bits(), config.seed(),
            {config.center().begin(), config.center().end()},
            {config.half_width().begin(), config.half_width().end()})) {}

  void Add(const v1::TrajectoryChunk& chunk) {
    const std::vector<float> o = TensorValues<float>(chunk.observations());
    for (int64_t t = 0; t < chunk.rewards().shape(0); ++t) {
      ++counts_[CodeOf(&o[t * 4])];
    }
  }
  uint64_t CodeOf(const float* observation) const {
    return hash_.Code(std::vector<double>(observation, observation + 4));
  }
  int64_t CountOf(const float* observation) const {
    const auto found = counts_.find(CodeOf(observation));
    return found == counts_.end() ? 0 : found->second;
  }
  int64_t distinct() const { return static_cast<int64_t>(counts_.size()); }

 private:
  SimHash hash_;
  std::map<uint64_t, int64_t> counts_;
};

SampleOptions Options(int batch_size, int n_step = 1, int sequence_length = 0) {
  SampleOptions options;
  options.batch_size = batch_size;
  options.shape.n_step = n_step;
  options.shape.sequence_length = sequence_length;
  return options;
}

// Every row's count equals the expected count of its (first) observation.
void ExpectCounts(const SampledBatch& batch, const ExpectedCounts& expected,
                  int column, int64_t* checked = nullptr) {
  const int length = batch.sequence_length;
  const int steps = length > 0 ? length : 1;
  for (int i = 0; i < batch.batch_size; ++i) {
    for (int t = 0; t < steps; ++t) {
      const std::string row(
          batch.observations.Row(length > 0 ? i * (length + 1) + t : i));
      const float* o = reinterpret_cast<const float*>(row.data());
      const int64_t count = At<int64_t>(batch.extra_columns[column],
                                        static_cast<int64_t>(i) * steps + t);
      EXPECT_EQ(count, expected.CountOf(o))
          << "row " << i << " step " << t << " observation " << o[0];
      EXPECT_GE(count, 1);
      if (checked != nullptr) ++*checked;
    }
  }
}

TEST_F(VisitCountTableTest, SamplesCarryTheCountOfTheirObservationsCode) {
  v1::TableConfig config = CountingTable();
  AddTestColumns(config);
  auto table = MakeTable(config);
  ExpectedCounts expected(config.visit_counts());
  for (int i = 1; i <= 12; ++i) {
    // Observations 0..7 in every chunk, shifted by i % 3: codes repeat.
    v1::TrajectoryChunk chunk =
        WithTestColumns(MakeEpisodeChunk("a", i, 0, i, 8, 3 * (i % 3)));
    expected.Add(chunk);
    ASSERT_TRUE(table->Insert(chunk, Soon()).ok());
  }
  ASSERT_GT(expected.distinct(), 1);
  EXPECT_EQ(table->Info().visit_codes(), expected.distinct());
  ASSERT_EQ(table->sample_columns().size(), 3u);
  EXPECT_EQ(table->sample_columns()[2].name(), "visit_count");
  EXPECT_EQ(table->sample_columns()[2].spec().dtype(), v1::DTYPE_INT64);
  EXPECT_EQ(table->sample_columns()[2].spec().shape_size(), 0);

  for (int n_step : {1, 3}) {
    absl::StatusOr<SampledBatch> batch =
        table->Sample(Options(200, n_step), Soon());
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_EQ(batch->extra_columns.size(), 3u);
    ASSERT_EQ(batch->extra_columns[2].size(), 200u * 8);
    ExpectCounts(*batch, expected, 2);
    // The actors' own columns are where they were.
    EXPECT_EQ(At<float>(batch->extra_columns[0], 0),
              -At<float>(std::string(batch->observations.Row(0)), 0));
  }
  // Sequences: every step's count.
  absl::StatusOr<SampledBatch> sequences =
      table->Sample(Options(50, 1, /*sequence_length=*/5), Soon());
  ASSERT_TRUE(sequences.ok()) << sequences.status();
  ASSERT_EQ(sequences->extra_columns[2].size(), 50u * 5 * 8);
  ExpectCounts(*sequences, expected, 2);
  // The count is part of what a sample takes.
  auto plain = MakeTable([] {
    v1::TableConfig config = CartPoleTable(1000);
    AddTestColumns(config);
    return config;
  }());
  EXPECT_EQ(table->SampleBytes(Options(32)) - plain->SampleBytes(Options(32)),
            32 * 8);
}

TEST_F(VisitCountTableTest, EvictedAndConsumedTransitionsStayCounted) {
  for (auto sampler : {v1::TableConfig::UNIFORM, v1::TableConfig::FIFO}) {
    SCOPED_TRACE(sampler);
    v1::TableConfig config = CountingTable(/*capacity=*/64, /*bits=*/16);
    config.set_sampler(sampler);
    auto table = MakeTable(config);
    ExpectedCounts expected(config.visit_counts());
    // 20 chunks of the same 8 observations; the table holds 8 of them.
    for (int i = 1; i <= 20; ++i) {
      v1::TrajectoryChunk chunk = MakeChunk("a", i, 8, 0);
      expected.Add(chunk);
      ASSERT_TRUE(table->Insert(chunk, Soon()).ok());
    }
    EXPECT_EQ(table->Info().size(), 64);
    absl::StatusOr<SampledBatch> batch = table->Sample(Options(32), Soon());
    ASSERT_TRUE(batch.ok()) << batch.status();
    ExpectCounts(*batch, expected, 0);
    for (int i = 0; i < 32; ++i) {
      EXPECT_GE(At<int64_t>(batch->extra_columns[0], i), 20);
    }
    // What a FIFO table consumed stays counted too.
    absl::StatusOr<SampledBatch> again = table->Sample(Options(32), Soon());
    ASSERT_TRUE(again.ok()) << again.status();
    ExpectCounts(*again, expected, 0);
    EXPECT_EQ(table->Info().visit_codes(), expected.distinct());
  }
}

TEST_F(VisitCountTableTest, ResentChunksAreNotCountedTwice) {
  v1::TableConfig config = CountingTable();
  auto table = MakeTable(config);
  ExpectedCounts expected(config.visit_counts());
  for (int i = 1; i <= 4; ++i) {
    v1::TrajectoryChunk chunk = MakeChunk("a", i, 8, 5 * i);
    expected.Add(chunk);
    ASSERT_TRUE(table->Insert(chunk, Soon()).ok());
  }
  // Resends of stored chunks (a writer after a reconnect) and a refused
  // chunk change nothing.
  for (int i = 1; i <= 4; ++i) {
    absl::StatusOr<InsertResult> resent =
        table->Insert(MakeChunk("a", i, 8, 5 * i), Soon());
    ASSERT_TRUE(resent.ok());
    EXPECT_TRUE(resent->duplicate);
  }
  v1::TrajectoryChunk bad = MakeChunk("b", 1, 8, 0);
  bad.mutable_observations()->set_data("short");
  EXPECT_FALSE(table->Insert(bad, Soon()).ok());
  // A chunk naming the count column is refused: replay computes it.
  v1::TrajectoryChunk named = MakeChunk("b", 1, 8, 0);
  v1::NamedTensor* column = named.add_extra_columns();
  column->set_name("visit_count");
  *column->mutable_tensor() =
      MakeTensor<int64_t>(std::vector<int64_t>(8, 1000), {8});
  absl::StatusOr<InsertResult> refused = table->Insert(named, Soon());
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("has no such column"));

  absl::StatusOr<SampledBatch> batch = table->Sample(Options(100), Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  ExpectCounts(*batch, expected, 0);
}

TEST_F(VisitCountTableTest, ADemonstrationsTableFillsTheCountWithZeros) {
  v1::TableConfig agent = CountingTable();
  v1::TableConfig demonstrations = CartPoleTable(1000);
  demonstrations.set_name("demonstrations");
  auto agent_table = MakeTable(agent);
  auto demonstration_table = MakeTable(demonstrations);
  ASSERT_TRUE(demonstration_table->Insert(MakeChunk("d", 1, 8, 0), Soon()).ok());
  SampleOptions options = Options(16);
  options.columns = agent_table->sample_columns();
  absl::StatusOr<SampledBatch> batch =
      demonstration_table->Sample(options, Soon());
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->extra_columns.size(), 1u);
  EXPECT_EQ(batch->extra_columns[0], std::string(16 * 8, '\0'));
}

TEST_F(VisitCountTableTest, TheGaugeCountsDistinctCodes) {
  v1::TableConfig config = CountingTable(1000, /*bits=*/16);
  auto table = MakeTable(config);
  ExpectedCounts expected(config.visit_counts());
  for (int i = 1; i <= 5; ++i) {
    v1::TrajectoryChunk chunk = MakeChunk("a", i, 8, 2 * i);
    expected.Add(chunk);
    ASSERT_TRUE(table->Insert(chunk, Soon()).ok());
  }
  const std::string text =
      prometheus::TextSerializer().Serialize(registry_.Collect());
  EXPECT_THAT(text, HasSubstr(absl::StrCat(
                        "entropic_replay_visit_codes{job=\"job\",table=\"agent\"} ",
                        expected.distinct())));
}

// --- VisitCounts' records ---

TEST(VisitCountsTest, RecordsGiveBackEveryCount) {
  VisitCounts counts(Counts(8, 1), v1::DTYPE_FLOAT32);
  std::vector<float> observations;
  for (int i = 0; i < 300; ++i) observations.push_back((i % 37) - 18.0f);
  const std::string codes = counts.Codes(
      absl::string_view(reinterpret_cast<const char*>(observations.data()),
                        observations.size() * sizeof(float)),
      300);
  ASSERT_EQ(codes.size(), 300u * 8);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(At<uint64_t>(codes, i),
              counts.hash().Code(std::vector<double>{observations[i]}));
  }
  counts.Count(codes);
  const std::vector<v1::VisitCountRecord> records = counts.Records(3);
  int64_t total = 0;
  VisitCounts restored(Counts(8, 1), v1::DTYPE_FLOAT32);
  for (const v1::VisitCountRecord& record : records) {
    EXPECT_LE(record.codes_size(), 3);
    for (int64_t n : record.counts()) total += n;
    ASSERT_TRUE(restored.Restore(record).ok());
  }
  EXPECT_EQ(total, 300);
  EXPECT_EQ(restored.distinct(), counts.distinct());
  std::string column = codes;
  counts.CodesToCounts(column);
  std::string restored_column = codes;
  restored.CodesToCounts(restored_column);
  EXPECT_EQ(column, restored_column);
  // Malformed records are refused.
  v1::VisitCountRecord uneven;
  uneven.add_codes(1);
  EXPECT_FALSE(restored.Restore(uneven).ok());
  v1::VisitCountRecord negative;
  negative.add_codes(1);
  negative.add_counts(-1);
  EXPECT_FALSE(restored.Restore(negative).ok());
  // Nothing counted still writes one (empty) record.
  EXPECT_EQ(VisitCounts(Counts(8, 1), v1::DTYPE_FLOAT32).Records(3).size(), 1u);
}

TEST(VisitCountsTest, EveryDtypeIsHashedByValue) {
  const v1::VisitCountConfig config = Counts(16, 2);
  VisitCounts as_float(config, v1::DTYPE_FLOAT32);
  VisitCounts as_uint8(config, v1::DTYPE_UINT8);
  VisitCounts as_int64(config, v1::DTYPE_INT64);
  const std::vector<float> f = {3, 200, 0, 7};
  const std::vector<uint8_t> u = {3, 200, 0, 7};
  const std::vector<int64_t> l = {3, 200, 0, 7};
  auto bytes = [](const auto& values) {
    return absl::string_view(reinterpret_cast<const char*>(values.data()),
                             values.size() * sizeof(values[0]));
  };
  EXPECT_EQ(as_float.Codes(bytes(f), 2), as_uint8.Codes(bytes(u), 2));
  EXPECT_EQ(as_float.Codes(bytes(f), 2), as_int64.Codes(bytes(l), 2));
}

// --- Durability ---

using Replay = ::entropic::testing::DurableReplay;

TEST(DurableVisitCountsTest, CountsComeBackFromTheSnapshotAndTheLog) {
  const std::string directory =
      std::string(::testing::TempDir()) + "/visit_counts_test";
  fs::remove_all(directory);
  v1::TableConfig config = CountingTable(/*capacity=*/64, /*bits=*/16);
  config.set_durable(true);
  ExpectedCounts expected(config.visit_counts());
  {
    Replay replay(directory);
    ASSERT_TRUE(replay.store.CreateTables("job", {config}).ok());
    // 30 chunks; the table holds 8. The snapshot after chunk 15 drops the
    // chunks evicted before it, so only its counts remember them.
    for (int i = 1; i <= 30; ++i) {
      v1::TrajectoryChunk chunk = MakeChunk("a", i, 8, 4 * (i % 5));
      expected.Add(chunk);
      ASSERT_TRUE(replay.Find()->Insert(chunk, Soon()).ok());
      if (i == 15) {
        ASSERT_TRUE(replay.store.Checkpoint().ok());
      }
    }
    EXPECT_EQ(replay.Find()->Info().visit_codes(), expected.distinct());
  }  // the "process" ends without a final snapshot

  for (int restart = 0; restart < 2; ++restart) {
    SCOPED_TRACE(restart);
    Replay restarted(directory);
    std::shared_ptr<Table> table = restarted.Find();
    EXPECT_EQ(table->Info().visit_codes(), expected.distinct());
    absl::StatusOr<SampledBatch> batch = table->Sample(Options(200), Soon());
    ASSERT_TRUE(batch.ok()) << batch.status();
    ExpectCounts(*batch, expected, 0);
    // Resends after the restart are recognised and not counted again.
    for (int i = 25; i <= 30; ++i) {
      absl::StatusOr<InsertResult> resent =
          table->Insert(MakeChunk("a", i, 8, 4 * (i % 5)), Soon());
      ASSERT_TRUE(resent.ok());
      EXPECT_TRUE(resent->duplicate);
    }
    // The second round restores from a snapshot the recovered table wrote.
    if (restart == 0) {
      ASSERT_TRUE(restarted.store.Checkpoint().ok());
    }
    batch = table->Sample(Options(200), Soon());
    ASSERT_TRUE(batch.ok()) << batch.status();
    ExpectCounts(*batch, expected, 0);
    restarted.store.CloseAll();
  }
  fs::remove_all(directory);
}

// --- Through the service: a mixed batch ---

TEST(VisitCountServiceTest, MixedBatchesCountAgentRowsAndZeroDemonstrations) {
  prometheus::Registry registry;
  ReplayServer::Options options;
  options.host = "127.0.0.1";
  options.port = 0;
  absl::StatusOr<std::unique_ptr<ReplayServer>> server =
      ReplayServer::Create(options, registry);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::ReplayService::NewStub(CreateEntropicChannel(
      absl::StrCat("127.0.0.1:", (*server)->port()), ClientSecurity()));
  auto deadline = [](grpc::ClientContext& context) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  };
  const v1::TableConfig agent = CountingTable();
  v1::TableConfig demonstrations = CartPoleTable(1000);
  demonstrations.set_name("demonstrations");
  {
    v1::CreateTablesRequest request;
    request.set_job_id("job");
    *request.add_tables() = agent;
    *request.add_tables() = demonstrations;
    grpc::ClientContext context;
    deadline(context);
    v1::CreateTablesResponse response;
    ASSERT_TRUE(stub->CreateTables(&context, request, &response).ok());
  }
  ExpectedCounts expected(agent.visit_counts());
  {
    grpc::ClientContext context;
    deadline(context);
    auto stream = stub->Insert(&context);
    for (int i = 1; i <= 6; ++i) {
      v1::InsertRequest request;
      *request.mutable_chunk() = MakeChunk("a", i, 8, 2 * (i % 2));
      expected.Add(request.chunk());
      ASSERT_TRUE(stream->Write(request));
    }
    v1::InsertRequest expert;
    *expert.mutable_chunk() = MakeChunk("d", 1, 8, 1000);
    expert.mutable_chunk()->set_table("demonstrations");
    ASSERT_TRUE(stream->Write(expert));
    stream->WritesDone();
    v1::InsertResponse ack;
    int acks = 0;
    while (stream->Read(&ack)) ++acks;
    ASSERT_TRUE(stream->Finish().ok());
    EXPECT_EQ(acks, 7);
  }
  v1::SampleRequest request;
  request.set_job_id("job");
  request.set_table("agent");
  request.set_batch_size(64);
  request.set_demonstrations_table("demonstrations");
  request.set_demonstration_fraction(0.25);
  v1::SampleResponse response;
  grpc::ClientContext context;
  deadline(context);
  ASSERT_TRUE(stub->Sample(&context, request, &response).ok());
  ASSERT_EQ(response.extra_columns_size(), 1);
  const v1::NamedTensor& column = response.extra_columns(0);
  EXPECT_EQ(column.name(), "visit_count");
  EXPECT_EQ(column.tensor().dtype(), v1::DTYPE_INT64);
  EXPECT_THAT(column.tensor().shape(), ElementsAre(64));
  const std::vector<int64_t> counts = TensorValues<int64_t>(column.tensor());
  const std::vector<uint8_t> sources = TensorValues<uint8_t>(response.sources());
  const std::vector<float> o = TensorValues<float>(response.observations());
  int demonstration_rows = 0;
  for (int i = 0; i < 64; ++i) {
    if (response.source_tables(sources[i]) == "demonstrations") {
      ++demonstration_rows;
      EXPECT_EQ(counts[i], 0);
    } else {
      EXPECT_EQ(counts[i], expected.CountOf(&o[i * 4]));
    }
  }
  EXPECT_EQ(demonstration_rows, 16);
  (*server)->Shutdown();
}

}  // namespace
}  // namespace entropic
