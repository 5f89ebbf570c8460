#include "learner/replay_sampler.h"

#include <torch/cuda.h>
#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "common/security.h"
#include "gtest/gtest.h"
#include "replay/replay_server.h"
#include "replay/testing/chunks.h"

namespace entropic {
namespace {

using ::entropic::testing::CartPoleTable;
using ::entropic::testing::MakeChunk;

// Replay is not there when sampling starts (as right after a kill -9): the
// first stream breaks before any request is in flight. Sampling must start
// once replay serves, not spin on the broken stream.
TEST(ReplaySamplerTest, SamplesOnceReplayComesUpAfterABrokenStream) {
  // A port that was free a moment ago: a server's, shut down.
  int port = 0;
  {
    prometheus::Registry registry;
    absl::StatusOr<std::unique_ptr<ReplayServer>> probe =
        ReplayServer::Create(ReplayServer::Options(), registry);
    ASSERT_TRUE(probe.ok()) << probe.status();
    port = (*probe)->port();
  }
  auto channel = CreateEntropicChannel(absl::StrCat("127.0.0.1:", port),
                                       ClientSecurity());
  ReplaySampler::Options options;
  options.job_id = "job";
  options.batch_size = 4;
  ReplaySampler sampler(channel, options);
  EXPECT_EQ(sampler.Next(absl::Milliseconds(300)).status().code(),
            absl::StatusCode::kDeadlineExceeded);

  prometheus::Registry registry;
  ReplayServer::Options server_options;
  server_options.port = port;
  absl::StatusOr<std::unique_ptr<ReplayServer>> replay =
      ReplayServer::Create(server_options, registry);
  ASSERT_TRUE(replay.ok()) << replay.status();
  ASSERT_TRUE((*replay)->store().CreateTables("job", {CartPoleTable(1000)}).ok());
  ASSERT_TRUE((*(*replay)->store().Find("job", "agent"))
                  ->Insert(MakeChunk("a", 1, 8, 0), absl::Now() + absl::Seconds(5))
                  .ok());
  // gRPC's own reconnect backoff starts at a second; well within this.
  absl::StatusOr<TransitionBatch> batch = sampler.Next(absl::Seconds(15));
  EXPECT_TRUE(batch.ok()) << batch.status();
  sampler.Stop();
}

// A LibTorch error while converting a batch (here: moving it to a CUDA
// device this build or machine does not have) reaches the trainer as the
// batch's status; it used to escape the prefetch thread and end the
// process.
TEST(ReplaySamplerTest, ALibTorchErrorOnThePrefetchThreadIsAStatus) {
  if (torch::cuda::is_available()) {
    GTEST_SKIP() << "CUDA is available: moving a batch to it does not fail";
  }
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<ReplayServer>> replay =
      ReplayServer::Create(ReplayServer::Options(), registry);
  ASSERT_TRUE(replay.ok()) << replay.status();
  ASSERT_TRUE((*replay)->store().CreateTables("job", {CartPoleTable(1000)}).ok());
  ASSERT_TRUE((*(*replay)->store().Find("job", "agent"))
                  ->Insert(MakeChunk("a", 1, 8, 0), absl::Now() + absl::Seconds(5))
                  .ok());
  ReplaySampler::Options options;
  options.job_id = "job";
  options.batch_size = 4;
  options.device = torch::Device(torch::kCUDA, 0);
  ReplaySampler sampler(
      CreateEntropicChannel(absl::StrCat("127.0.0.1:", (*replay)->port()),
                            ClientSecurity()),
      options);
  absl::StatusOr<TransitionBatch> batch = sampler.Next(absl::Seconds(15));
  EXPECT_EQ(batch.status().code(), absl::StatusCode::kInternal)
      << batch.status();
  EXPECT_NE(batch.status().message().find("converting a sampled batch"),
            std::string::npos);
  sampler.Stop();
}

}  // namespace
}  // namespace entropic
