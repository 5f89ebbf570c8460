// Kills entropic-replay with SIGKILL while actors stream into a durable
// table, restarts it on the same --checkpoint_dir, and checks that every
// chunk it had acknowledged is still there.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/security.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "gtest/gtest.h"
#include "replay/testing/chunks.h"
#include "tests/integration/child_process.h"
#include "tests/integration/start_ready.h"

namespace entropic {
namespace {

using ::entropic::testing::CartPoleTable;
using ::entropic::testing::ChildProcess;
using ::entropic::testing::StartReady;
using ::entropic::testing::MakeChunk;

struct Replay {
  std::unique_ptr<ChildProcess> process;
  std::unique_ptr<v1::ReplayService::Stub> stub;
};

Replay StartReplay(const std::string& directory) {
  Replay replay;
  const int port = StartReady(
      {ENTROPIC_REPLAY_BIN, "--host=127.0.0.1", "--port=0", "--metrics_port=0",
       "--checkpoint_dir=" + directory},
      "entropic-replay", replay.process);
  replay.stub = v1::ReplayService::NewStub(CreateEntropicChannel(
      absl::StrCat("127.0.0.1:", port), ClientSecurity()));
  return replay;
}

v1::TrajectoryChunk Chunk(const std::string& actor, uint64_t sequence) {
  v1::TrajectoryChunk chunk = MakeChunk(actor, sequence, 8, sequence);
  chunk.set_job_id("crash");
  return chunk;
}

TEST(ReplayCrashTest, AcknowledgedChunksSurviveSigkill) {
  const std::string directory =
      std::string(::testing::TempDir()) + "/replay_crash_test";
  std::filesystem::remove_all(directory);
  Replay replay = StartReplay(directory);
  {
    v1::CreateTablesRequest request;
    request.set_job_id("crash");
    v1::TableConfig config = CartPoleTable(1000000);
    config.set_durable(true);
    *request.add_tables() = config;
    grpc::ClientContext context;
    v1::CreateTablesResponse response;
    ASSERT_TRUE(replay.stub->CreateTables(&context, request, &response).ok());
  }

  // Four streams write until the process dies; acknowledgements are noted.
  absl::Mutex mu;
  std::map<std::string, std::set<uint64_t>> acknowledged;
  std::atomic<int64_t> total{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      const std::string actor = absl::StrCat("actor-", w);
      grpc::ClientContext context;
      auto stream = replay.stub->Insert(&context);
      std::thread reader([&] {
        v1::InsertResponse ack;
        while (stream->Read(&ack)) {
          absl::MutexLock lock(&mu);
          acknowledged[actor].insert(ack.sequence());
          ++total;
        }
      });
      for (uint64_t sequence = 1;; ++sequence) {
        v1::InsertRequest request;
        *request.mutable_chunk() = Chunk(actor, sequence);
        if (!stream->Write(request)) break;
      }
      reader.join();
      (void)stream->Finish();
    });
  }
  // Let a snapshot happen mid-stream, so recovery reads snapshot and log.
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (total.load() < 400 && absl::Now() < give_up) std::this_thread::yield();
  ASSERT_GE(total.load(), 400) << "replay stopped acknowledging";
  {
    grpc::ClientContext context;
    v1::CheckpointRequest request;
    v1::CheckpointResponse response;
    ASSERT_TRUE(replay.stub->Checkpoint(&context, request, &response).ok());
    EXPECT_GT(response.transitions(), 0);
  }
  while (total.load() < 3000 && absl::Now() < give_up) {
    std::this_thread::yield();
  }
  ASSERT_GE(total.load(), 3000) << "replay stopped acknowledging";
  replay.process->Signal(SIGKILL);
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(*replay.process->Wait(absl::Now() + absl::Seconds(30)),
            128 + SIGKILL);

  Replay restarted = StartReplay(directory);
  int64_t checked = 0;
  for (const auto& [actor, sequences] : acknowledged) {
    grpc::ClientContext context;
    auto stream = restarted.stub->Insert(&context);
    for (uint64_t sequence : sequences) {
      v1::InsertRequest request;
      *request.mutable_chunk() = Chunk(actor, sequence);
      ASSERT_TRUE(stream->Write(request));
    }
    stream->WritesDone();
    v1::InsertResponse ack;
    while (stream->Read(&ack)) {
      // Stored before the crash: the resend is recognised, not stored again.
      EXPECT_TRUE(ack.duplicate()) << actor << " sequence " << ack.sequence();
      ++checked;
    }
    ASSERT_TRUE(stream->Finish().ok());
  }
  EXPECT_GE(checked, 3000);
  restarted.process->Signal(SIGTERM);
  EXPECT_EQ(*restarted.process->Wait(absl::Now() + absl::Seconds(30)), 0);
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace entropic
