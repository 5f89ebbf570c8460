#include "actor/assignment.h"

#include <torch/torch.h>

#include <cstring>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "actor/policy/q_network.h"
#include "actor/policy/weights.h"
#include "common/grpc_server.h"
#include "common/grpc_status.h"
#include "common/message_size.h"
#include "entropic/v1/parameters.grpc.pb.h"
#include "entropic/v1/work.grpc.pb.h"
#include "gtest/gtest.h"
#include "replay/replay_server.h"
#include "replay/table.h"
#include "replay/testing/chunks.h"

namespace entropic {
namespace {

// A learner's side of one assignment: one version of the job's weights,
// whose stream stays open until the actor leaves, and progress reports that
// end the job once `steps` environment steps were reported.
class FakeLearner {
 public:
  FakeLearner(v1::Weights weights, int64_t steps)
      : parameters_(std::move(weights)), work_(steps) {
    absl::StatusOr<StartedServer> started =
        StartGrpcServer("127.0.0.1", 0, {&parameters_, &work_},
                        kMaxMessageBytes, ServerSecurity());
    EXPECT_TRUE(started.ok()) << started.status();
    if (!started.ok()) return;
    server_ = std::move(started->server);
    port_ = started->port;
  }
  ~FakeLearner() {
    if (server_) server_->Shutdown(absl::ToChronoTime(absl::Now()));
  }

  int port() const { return port_; }

 private:
  class WeightsStream final : public grpc::ServerWriteReactor<v1::Weights> {
   public:
    explicit WeightsStream(const v1::Weights* weights) { StartWrite(weights); }
    void OnWriteDone(bool ok) override {}
    // The actor cancels when it leaves; the server, when it stops.
    void OnCancel() override { Finish(grpc::Status::CANCELLED); }
    void OnDone() override { delete this; }
  };

  class Parameters final : public v1::ParametersService::CallbackService {
   public:
    explicit Parameters(v1::Weights weights) : weights_(std::move(weights)) {}
    grpc::ServerWriteReactor<v1::Weights>* SubscribeWeights(
        grpc::CallbackServerContext* context,
        const v1::SubscribeWeightsRequest* request) override {
      return new WeightsStream(&weights_);
    }

   private:
    const v1::Weights weights_;
  };

  class Work final : public v1::WorkService::CallbackService {
   public:
    explicit Work(int64_t steps) : steps_(steps) {}
    grpc::ServerUnaryReactor* ReportProgress(
        grpc::CallbackServerContext* context,
        const v1::ReportProgressRequest* request,
        v1::ReportProgressResponse* response) override {
      absl::MutexLock lock(&mu_);
      reported_ += request->env_steps();
      response->set_keep_working(reported_ < steps_);
      return FinishNow(context, absl::OkStatus());
    }

   private:
    const int64_t steps_;
    absl::Mutex mu_;
    int64_t reported_ ABSL_GUARDED_BY(mu_) = 0;
  };

  Parameters parameters_;
  Work work_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

template <typename T>
T At(const std::string& bytes, int64_t index) {
  T value;
  std::memcpy(&value, bytes.data() + index * sizeof(T), sizeof(T));
  return value;
}

// An actor acting in several environments writes each one's chunks as a
// stream of its own, so replay's n-step transitions run on from one chunk
// into the next of the same episode: chunk ends are no episode ends.
TEST(AssignmentTest, NStepTransitionsRunAcrossEachEnvironmentsChunks) {
  constexpr int kNumEnvs = 4;
  constexpr int kChunkLength = 4;
  prometheus::Registry replay_registry;
  ReplayServer::Options replay_options;
  absl::StatusOr<std::unique_ptr<ReplayServer>> replay =
      ReplayServer::Create(replay_options, replay_registry);
  ASSERT_TRUE(replay.ok()) << replay.status();
  // CartPole-v1's signature: float32[4] observations, int64 actions.
  ASSERT_TRUE((*replay)
                  ->store()
                  .CreateTables("job", {testing::CartPoleTable(1000000)})
                  .ok());

  torch::manual_seed(7);
  QNetwork network(4, 2, std::vector<int64_t>{16});
  FakeLearner learner(WeightsFromModule(*network, "job", 0, /*temperature=*/1),
                      /*steps=*/4000);
  ASSERT_NE(learner.port(), 0);

  prometheus::Registry actor_registry;
  ActorMetrics metrics(actor_registry);
  AssignmentOptions options;
  v1::WorkAssignment& work = options.assignment;
  work.set_job_id("job");
  work.set_actor_id("job/actor-0");
  work.set_replay_address(absl::StrCat("127.0.0.1:", (*replay)->port()));
  work.mutable_env()->set_id("CartPole-v1");
  work.mutable_env()->set_num_envs(kNumEnvs);
  v1::BoltzmannPolicySpec& policy = *work.mutable_policy()->mutable_boltzmann();
  policy.set_observation_size(4);
  policy.set_num_actions(2);
  policy.add_hidden(16);
  work.set_chunk_length(kChunkLength);
  work.set_table("agent");
  work.set_seed(11);
  options.learner = CreateEntropicChannel(
      absl::StrCat("127.0.0.1:", learner.port()), ClientSecurity());
  options.metrics = &metrics;
  options.report_interval = absl::Milliseconds(5);
  absl::Notification stop;
  options.stop = &stop;

  // Runs until the learner says the job ended (4000 steps reported).
  absl::Status result;
  absl::Notification finished;
  std::thread acting([&] {
    result = RunAssignment(options);
    finished.Notify();
  });
  const bool ended = finished.WaitForNotificationWithTimeout(absl::Seconds(60));
  if (!ended) stop.Notify();
  acting.join();
  ASSERT_TRUE(ended) << "the assignment did not end";
  ASSERT_TRUE(result.ok()) << result;

  Table& table = **(*replay)->store().Find("job", "agent");
  const int64_t size = table.Info().size();
  ASSERT_GT(size, 1000);
  // The last stored chunk of each environment has no successor, so its
  // last steps cannot sum 3 rewards. Environments step in lockstep and
  // finish a chunk at least every kChunkLength steps, so each one's last
  // stored chunk begins among the last (2 * kChunkLength + 1) * kNumEnvs
  // keys; those are left out.
  const int64_t checked_below = size - 3 * kChunkLength * kNumEnvs;

  SampleOptions sample;
  sample.batch_size = static_cast<int>(4 * size);
  sample.shape.n_step = 3;
  sample.shape.gamma = 0.5;
  absl::StatusOr<SampledBatch> batch =
      table.Sample(sample, absl::Now() + absl::Seconds(20));
  ASSERT_TRUE(batch.ok()) << batch.status();
  int checked = 0;
  int cut_short = 0;
  for (int row = 0; row < batch->batch_size; ++row) {
    if (At<int64_t>(batch->keys, row) >= checked_below) continue;
    // An episode that ended within 3 steps is summed up to its end.
    if (batch->terminated[row]) continue;
    // CartPole's reward is 1 a step; episodes of this policy end long before
    // the 500-step time limit, so every other transition sums 3 steps.
    ++checked;
    if (At<float>(batch->discounts, row) != 0.125f ||
        At<float>(batch->rewards, row) != 1.75f) {
      ++cut_short;
    }
  }
  EXPECT_GT(checked, 1000);
  EXPECT_EQ(cut_short, 0) << "of " << checked
                          << " transitions that do not end their episode";
}

}  // namespace
}  // namespace entropic
