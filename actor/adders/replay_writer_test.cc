#include "actor/adders/replay_writer.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "replay/replay_server.h"
#include "replay/testing/chunks.h"

namespace entropic {
namespace {

using ::entropic::testing::CartPoleTable;
using ::entropic::testing::MakeChunk;

std::unique_ptr<ReplayServer> StartReplay(prometheus::Registry& registry,
                                          int port) {
  ReplayServer::Options options;
  options.host = "127.0.0.1";
  options.port = port;
  absl::StatusOr<std::unique_ptr<ReplayServer>> server =
      ReplayServer::Create(options, registry);
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return nullptr;
  EXPECT_TRUE(
      (*server)->store().CreateTables("job", {CartPoleTable(100000)}).ok());
  return std::move(server).value();
}

absl::Time Soon() { return absl::Now() + absl::Seconds(20); }

class ReplayWriterTest : public ::testing::Test {
 protected:
  ReplayWriter::Options WriterOptions(int port) {
    ReplayWriter::Options options;
    options.address = absl::StrCat("127.0.0.1:", port);
    options.max_unacknowledged = 8;
    options.backoff.initial = absl::Milliseconds(20);
    options.backoff.max = absl::Milliseconds(200);
    return options;
  }

  prometheus::Registry registry_;
  ReplayWriterMetrics metrics_{registry_};
};

TEST_F(ReplayWriterTest, EveryChunkIsAcknowledged) {
  std::unique_ptr<ReplayServer> replay = StartReplay(registry_, 0);
  ReplayWriter writer(WriterOptions(replay->port()), &metrics_);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(writer.Write(MakeChunk("a", 0, 4, i), Soon()).ok());
  }
  ASSERT_TRUE(writer.Flush(Soon()).ok());
  EXPECT_EQ(writer.unacknowledged(), 0);
  EXPECT_EQ((*replay->store().Find("job", "agent"))->Info().size(), 400);
  EXPECT_EQ(metrics_.chunks_acknowledged.Value(), 100);
}

TEST_F(ReplayWriterTest, ResendsWhatReplayDidNotAcknowledgeAfterARestart) {
  // Registries outlive the servers that register in them.
  prometheus::Registry replay_registry;
  prometheus::Registry restarted_registry;
  std::unique_ptr<ReplayServer> replay = StartReplay(replay_registry, 0);
  const int port = replay->port();
  ReplayWriter writer(WriterOptions(port), &metrics_);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(writer.Write(MakeChunk("a", 0, 4, i), Soon()).ok());
  }
  ASSERT_TRUE(writer.Flush(Soon()).ok());
  replay->Shutdown();
  replay.reset();

  // Replay is down: writes queue up to the limit, then wait.
  for (int i = 20; i < 28; ++i) {
    ASSERT_TRUE(writer.Write(MakeChunk("a", 0, 4, i), Soon()).ok());
  }
  EXPECT_EQ(writer
                .Write(MakeChunk("a", 0, 4, 99),
                       absl::Now() + absl::Milliseconds(100))
                .code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(writer.unacknowledged(), 8);

  replay = StartReplay(restarted_registry, port);
  ASSERT_NE(replay, nullptr);
  ASSERT_TRUE(writer.Flush(Soon()).ok());
  // Exactly the 8 chunks written while replay was down reach the new one.
  EXPECT_EQ((*replay->store().Find("job", "agent"))->Info().chunks(), 8);
  EXPECT_EQ(metrics_.chunks_acknowledged.Value(), 28);
  EXPECT_GE(metrics_.reconnects.Value(), 1);
}

TEST_F(ReplayWriterTest, RefusedChunkFailsTheWriterForGood) {
  std::unique_ptr<ReplayServer> replay = StartReplay(registry_, 0);
  ReplayWriter writer(WriterOptions(replay->port()), &metrics_);
  v1::TrajectoryChunk chunk = MakeChunk("a", 0, 4, 0);
  chunk.set_job_id("unknown");
  ASSERT_TRUE(writer.Write(chunk, Soon()).ok());
  const absl::Status flushed = writer.Flush(Soon());
  EXPECT_EQ(flushed.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(writer.Write(MakeChunk("a", 0, 4, 1), Soon()).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace entropic
