// Durable tables through the TableStore: logged, snapshotted, restored.
#include <cstring>
#include <filesystem>

#include "gtest/gtest.h"
#include "replay/durability/durability.h"
#include "replay/table_store.h"
#include "replay/testing/chunks.h"
#include "replay/testing/durable_replay.h"

namespace entropic {
namespace {

namespace fs = std::filesystem;
using ::entropic::testing::CartPoleTable;
using ::entropic::testing::MakeChunk;

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

using Replay = ::entropic::testing::DurableReplay;

v1::TableConfig Durable(const std::string& name,
                        v1::TableConfig::Sampler sampler) {
  v1::TableConfig config = CartPoleTable(1000);
  config.set_name(name);
  config.set_sampler(sampler);
  config.set_durable(true);
  return config;
}

float FirstObservation(const SampledBatch& batch, int row) {
  float value;
  std::memcpy(&value, batch.observations.Row(row).data(), 4);
  return value;
}

TEST(DurableTableTest, TablesComeBackAfterARestart) {
  const std::string directory =
      std::string(::testing::TempDir()) + "/durable_table_test";
  fs::remove_all(directory);
  {
    Replay replay(directory);
    ASSERT_TRUE(
        replay.store
            .CreateTables("job", {Durable("agent", v1::TableConfig::UNIFORM),
                                  Durable("queue", v1::TableConfig::FIFO)})
            .ok());
    for (int i = 1; i <= 6; ++i) {
      ASSERT_TRUE(replay.Find("agent")
                      ->Insert(MakeChunk("a", i, 4, 10 * i), Soon())
                      .ok());
      v1::TrajectoryChunk queued = MakeChunk("a", i, 4, 10 * i);
      queued.set_table("queue");
      ASSERT_TRUE(replay.Find("queue")->Insert(queued, Soon()).ok());
      if (i == 3) {
        ASSERT_TRUE(replay.store.Checkpoint().ok());
      }
    }
    // The queue hands out its first 6 items: chunk 1 and half of chunk 2.
    ASSERT_TRUE(replay.Find("queue")->Sample(6, Soon()).ok());
  }  // the "process" ends without a final snapshot

  Replay restarted(directory);
  EXPECT_GT(restarted.recovery.records, 0);
  EXPECT_EQ(restarted.Find("agent")->Info().size(), 24);
  // Every chunk inserted before is still there: resending them stores nothing.
  for (int i = 1; i <= 6; ++i) {
    absl::StatusOr<InsertResult> again =
        restarted.Find("agent")->Insert(MakeChunk("a", i, 4, 10 * i), Soon());
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->duplicate) << "chunk " << i;
  }
  // The queue carries on where it stopped: the third item of chunk 2.
  EXPECT_EQ(restarted.Find("queue")->Info().size(), 18);
  absl::StatusOr<SampledBatch> next =
      restarted.Find("queue")->Sample(1, Soon());
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(FirstObservation(*next, 0), 22.0f);
  fs::remove_all(directory);
}

TEST(DurableTableTest, DurableTablesNeedACheckpointDirectory) {
  prometheus::Registry registry;
  ReplayMetrics metrics(registry);
  TableStore store(&metrics);
  EXPECT_EQ(
      store.CreateTables("job", {Durable("agent", v1::TableConfig::UNIFORM)})
          .code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.Checkpoint().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace entropic
