// The shared visit count (TableConfig.visit_counts): several writers, each
// with its own ReplayWriter as actors have, insert into one durable table of
// an entropic-replay process. Replay's count of every hash, as samples
// return it, must equal the number of transitions with that hash the
// writers sent (computed here with the same SimHash), before and after a
// SIGKILL of replay and its restart on the same --checkpoint_dir, and
// resends after the restart must not be counted again.
#include <signal.h>

#include <filesystem>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "actor/adders/replay_writer.h"
#include "common/replay_columns.h"
#include "common/security.h"
#include "common/tensor.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "replay/visit_counts.h"
#include "tests/integration/child_process.h"
#include "tests/integration/start_ready.h"

namespace entropic {
namespace {

using ::entropic::testing::ChildProcess;
using ::entropic::testing::StartReady;

constexpr char kJob[] = "shared";
constexpr int kWriters = 4;
constexpr int kChunkLength = 16;
constexpr int kChunksPerPhase = 20;

struct Replay {
  std::unique_ptr<ChildProcess> process;
  std::string address;
  std::unique_ptr<v1::ReplayService::Stub> stub;
};

Replay StartReplay(const std::string& directory) {
  Replay replay;
  const int port = StartReady(
      {ENTROPIC_REPLAY_BIN, "--host=127.0.0.1", "--port=0", "--metrics_port=0",
       "--checkpoint_dir=" + directory},
      "entropic-replay", replay.process);
  replay.address = absl::StrCat("127.0.0.1:", port);
  replay.stub = v1::ReplayService::NewStub(
      CreateEntropicChannel(replay.address, ClientSecurity()));
  return replay;
}

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
}

// A durable table of 2-D observations that holds 256 transitions, far fewer
// than are inserted: most are counted and then evicted.
v1::TableConfig CountingTable() {
  v1::TableConfig config;
  config.set_name("agent");
  config.mutable_observation()->set_dtype(v1::DTYPE_FLOAT32);
  config.mutable_observation()->add_shape(2);
  config.mutable_action()->set_dtype(v1::DTYPE_INT64);
  config.set_capacity(256);
  config.set_max_chunk_length(kChunkLength);
  config.mutable_rate_limit()->set_min_size_to_sample(1);
  config.set_durable(true);
  v1::VisitCountConfig& counts = *config.mutable_visit_counts();
  counts.set_bits(6);
  counts.set_seed(11);
  for (int j = 0; j < 2; ++j) {
    counts.add_center(0);
    counts.add_half_width(4);
  }
  counts.set_column(kVisitCountColumn);
  return config;
}

// What the writers sent, counted by hash.
class SentCounts {
 public:
  explicit SentCounts(const v1::VisitCountConfig& config)
      : hash_(SimHash::FromSeed(
            config.bits(), config.seed(),
            {config.center().begin(), config.center().end()},
            {config.half_width().begin(), config.half_width().end()})) {}

  uint64_t CodeOf(const float* o) const {
    return hash_.Code(std::vector<double>{o[0], o[1]});
  }
  void Add(const v1::TrajectoryChunk& chunk) {
    const std::vector<float> o = TensorValues<float>(chunk.observations());
    absl::MutexLock lock(&mu_);
    for (int t = 0; t < chunk.rewards().shape(0); ++t) {
      ++counts_[CodeOf(&o[2 * t])];
      ++transitions_;
    }
  }
  std::map<uint64_t, int64_t> counts() const {
    absl::MutexLock lock(&mu_);
    return counts_;
  }
  int64_t transitions() const {
    absl::MutexLock lock(&mu_);
    return transitions_;
  }

 private:
  const SimHash hash_;
  mutable absl::Mutex mu_;
  std::map<uint64_t, int64_t> counts_ ABSL_GUARDED_BY(mu_);
  int64_t transitions_ ABSL_GUARDED_BY(mu_) = 0;
};

// Chunk `index` of `actor`: observations on the integer grid of [-4, 4]^2,
// drawn from the pair, so hashes repeat within and across writers and the
// same (actor, index) always gives the same chunk.
v1::TrajectoryChunk GridChunk(const std::string& actor, int index) {
  std::mt19937_64 rng(std::hash<std::string>()(actor) * 1000 + index);
  std::uniform_int_distribution<int> cell(-4, 4);
  std::vector<float> observations;
  for (int t = 0; t <= kChunkLength; ++t) {
    observations.push_back(static_cast<float>(cell(rng)));
    observations.push_back(static_cast<float>(cell(rng)));
  }
  v1::TrajectoryChunk chunk;
  chunk.set_job_id(kJob);
  chunk.set_table("agent");
  chunk.set_actor_id(actor);
  chunk.set_episode_id(index);
  *chunk.mutable_observations() =
      MakeTensor<float>(observations, {kChunkLength + 1, 2});
  *chunk.mutable_actions() = MakeTensor<int64_t>(
      std::vector<int64_t>(kChunkLength, index % 3), {kChunkLength});
  *chunk.mutable_rewards() = MakeTensor<float>(
      std::vector<float>(kChunkLength, -1.0f), {kChunkLength});
  chunk.set_truncated(true);
  return chunk;
}

// Each writer (its own ReplayWriter and thread) sends chunks [first, last)
// of its actor and waits until all are acknowledged; `sent` counts them.
void WriteConcurrently(const std::string& address,
                       const std::vector<std::string>& actors, int first,
                       int last, SentCounts* sent) {
  prometheus::Registry registry;
  ReplayWriterMetrics metrics(registry);
  std::vector<std::thread> threads;
  for (const std::string& actor : actors) {
    threads.emplace_back([&, actor] {
      ReplayWriter::Options options;
      options.address = address;
      ReplayWriter writer(options, &metrics);
      // A fresh writer numbers its chunks from 1: chunks below `first` are
      // resent as they were so the sequences line up.
      for (int index = 0; index < last; ++index) {
        v1::TrajectoryChunk chunk = GridChunk(actor, index);
        if (index >= first && sent != nullptr) sent->Add(chunk);
        EXPECT_TRUE(
            writer.Write(std::move(chunk), absl::Now() + absl::Seconds(30))
                .ok());
      }
      const absl::Status flushed = writer.Flush(absl::Now() + absl::Seconds(60));
      EXPECT_TRUE(flushed.ok()) << flushed;
      writer.Close();
    });
  }
  for (std::thread& thread : threads) thread.join();
}

v1::TableInfo Info(v1::ReplayService::Stub& stub) {
  v1::GetTableInfoRequest request;
  request.set_job_id(kJob);
  v1::GetTableInfoResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  const grpc::Status status = stub.GetTableInfo(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.tables_size() > 0 ? response.tables(0) : v1::TableInfo();
}

// Samples every transition many times over and checks each one's count
// against what was sent; returns the number of distinct hashes checked.
int CheckSampledCounts(v1::ReplayService::Stub& stub, const SentCounts& sent) {
  const std::map<uint64_t, int64_t> expected = sent.counts();
  std::map<uint64_t, int64_t> seen;
  for (int round = 0; round < 8; ++round) {
    v1::SampleRequest request;
    request.set_job_id(kJob);
    request.set_table("agent");
    request.set_batch_size(256);
    v1::SampleResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    const grpc::Status status = stub.Sample(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) return 0;
    EXPECT_EQ(response.extra_columns_size(), 1);
    if (response.extra_columns_size() != 1) return 0;
    EXPECT_EQ(response.extra_columns(0).name(), kVisitCountColumn);
    const std::vector<float> o = TensorValues<float>(response.observations());
    const std::vector<int64_t> counts =
        TensorValues<int64_t>(response.extra_columns(0).tensor());
    for (int i = 0; i < 256; ++i) {
      const uint64_t code = sent.CodeOf(&o[2 * i]);
      const auto found = expected.find(code);
      EXPECT_NE(found, expected.end()) << "hash " << code << " never sent";
      if (found == expected.end()) continue;
      EXPECT_EQ(counts[i], found->second) << "hash " << code;
      seen[code] = counts[i];
    }
  }
  return static_cast<int>(seen.size());
}

TEST(SharedCountTest, ReplayCountsEveryWritersTransitionsExactlyAcrossSigkill) {
  const std::string directory =
      std::string(::testing::TempDir()) + "/shared_count_test";
  std::filesystem::remove_all(directory);
  Replay replay = StartReplay(directory);
  const v1::TableConfig config = CountingTable();
  {
    v1::CreateTablesRequest request;
    request.set_job_id(kJob);
    *request.add_tables() = config;
    grpc::ClientContext context;
    SetDeadline(context);
    v1::CreateTablesResponse response;
    ASSERT_TRUE(replay.stub->CreateTables(&context, request, &response).ok());
  }
  std::vector<std::string> actors;
  for (int w = 0; w < kWriters; ++w) actors.push_back(absl::StrCat("actor-", w));
  SentCounts sent(config.visit_counts());

  // Half the chunks, a snapshot (which keeps only the chunks still held,
  // so the counts of the evicted ones must be in it), the other half only
  // in the log.
  WriteConcurrently(replay.address, actors, 0, kChunksPerPhase, &sent);
  {
    grpc::ClientContext context;
    SetDeadline(context);
    v1::CheckpointResponse response;
    ASSERT_TRUE(
        replay.stub->Checkpoint(&context, v1::CheckpointRequest(), &response)
            .ok());
    EXPECT_LE(response.transitions(), 256 + kChunkLength);
  }
  WriteConcurrently(replay.address, actors, kChunksPerPhase,
                    2 * kChunksPerPhase, &sent);
  const int64_t transitions = kWriters * 2 * kChunksPerPhase * kChunkLength;
  ASSERT_EQ(sent.transitions(), transitions);
  const int64_t codes = static_cast<int64_t>(sent.counts().size());
  ASSERT_GT(codes, 5);  // hashes repeat, so counts are more than 1

  v1::TableInfo info = Info(*replay.stub);
  EXPECT_EQ(info.inserted_transitions(), transitions);
  EXPECT_LE(info.size(), 256 + kChunkLength);  // most were evicted
  EXPECT_EQ(info.visit_codes(), codes);
  const int checked_before = CheckSampledCounts(*replay.stub, sent);
  EXPECT_GT(checked_before, 5);

  replay.process->Signal(SIGKILL);
  EXPECT_EQ(*replay.process->Wait(absl::Now() + absl::Seconds(30)),
            128 + SIGKILL);

  Replay restarted = StartReplay(directory);
  EXPECT_EQ(Info(*restarted.stub).visit_codes(), codes);
  EXPECT_GT(CheckSampledCounts(*restarted.stub, sent), 5);

  // Every writer comes back and resends its last chunks (a new writer
  // numbers them as before): recognised as stored, not counted again.
  WriteConcurrently(restarted.address, actors, 2 * kChunksPerPhase,
                    2 * kChunksPerPhase, nullptr);
  EXPECT_EQ(Info(*restarted.stub).visit_codes(), codes);
  CheckSampledCounts(*restarted.stub, sent);

  // A new writer's transitions add to the recovered counts.
  WriteConcurrently(restarted.address, {"actor-late"}, 0, 10, &sent);
  EXPECT_EQ(Info(*restarted.stub).visit_codes(),
            static_cast<int64_t>(sent.counts().size()));
  EXPECT_GT(CheckSampledCounts(*restarted.stub, sent), 5);

  restarted.process->Signal(SIGTERM);
  EXPECT_EQ(*restarted.process->Wait(absl::Now() + absl::Seconds(30)), 0);
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace entropic
