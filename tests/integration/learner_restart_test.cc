// Kills entropic-learner with SIGKILL while it trains a job, starts it again
// on the same port and --output_dir, and checks that the job goes on from its
// last checkpoint to its end, publishing weights versions above those it
// published before.
#include <signal.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/job_client.h"
#include "common/security.h"
#include "entropic/v1/parameters.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/child_process.h"
#include "tests/integration/start_ready.h"

namespace entropic {
namespace {

using ::entropic::testing::ChildProcess;
using ::entropic::testing::StartReady;


std::vector<std::string> LearnerArgs(int port, int replay_port,
                                     const std::string& output_dir) {
  return {ENTROPIC_LEARNER_BIN,
          "--host=127.0.0.1",
          absl::StrCat("--port=", port),
          "--metrics_port=0",
          "--torch_threads=1",
          absl::StrCat("--replay=127.0.0.1:", replay_port),
          "--output_dir=" + output_dir};
}

TEST(LearnerRestartTest, AJobGoesOnFromItsCheckpointAfterSigkill) {
  const std::string output_dir = ::testing::TempDir() + "/learner_restart";
  std::filesystem::remove_all(output_dir);
  std::unique_ptr<ChildProcess> replay, learner, actor;
  const int replay_port = StartReady(
      {ENTROPIC_REPLAY_BIN, "--host=127.0.0.1", "--port=0", "--metrics_port=0"},
      "entropic-replay", replay);
  ASSERT_NE(replay_port, 0);
  const int learner_port = StartReady(LearnerArgs(0, replay_port, output_dir),
                                      "entropic-learner", learner);
  ASSERT_NE(learner_port, 0);
  const std::string address = absl::StrCat("127.0.0.1:", learner_port);
  StartReady(
      {ENTROPIC_ACTOR_BIN, "--metrics_host=127.0.0.1", "--metrics_port=0",
       "--name=restart-actor", "--learner=" + address},
      "entropic-actor", actor);

  v1::JobSpec spec;
  spec.set_name("restart");
  spec.mutable_env()->set_id("CartPole-v1");
  spec.mutable_env()->set_num_envs(4);
  v1::SoftQSpec& q = *spec.mutable_algorithm()->mutable_soft_q();
  q.set_batch_size(32);
  q.add_hidden(32);
  spec.mutable_replay()->set_chunk_length(16);
  spec.mutable_replay()->mutable_agent()->set_min_size(200);
  spec.mutable_replay()->mutable_agent()->set_samples_per_insert(2);
  spec.mutable_stop()->set_updates(800);
  spec.mutable_eval()->set_every_updates(100);
  spec.mutable_eval()->set_episodes(2);
  absl::StatusOr<v1::Job> job = JobClient(address).Submit(spec);
  ASSERT_TRUE(job.ok()) << job.status();

  // Kill the learner once the job has checkpointed past 200 updates.
  const absl::Time give_up = absl::Now() + absl::Seconds(120);
  int64_t checkpointed = 0;
  int64_t version_before = -1;
  while (absl::Now() < give_up) {
    absl::StatusOr<v1::Job> now = JobClient(address).Get(job->id());
    ASSERT_TRUE(now.ok()) << now.status();
    ASSERT_EQ(now->state(), v1::RUNNING) << now->message();
    version_before = now->progress().policy_version();
    if (now->evaluations_size() > 0 &&
        now->evaluations(now->evaluations_size() - 1).updates() >= 200) {
      checkpointed = now->evaluations(now->evaluations_size() - 1).updates();
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_GE(checkpointed, 200);
  learner->Signal(SIGKILL);
  ASSERT_TRUE(learner->Wait(absl::Now() + absl::Seconds(30)).ok());

  // Same port, same output directory: the actor finds it again.
  ASSERT_EQ(StartReady(LearnerArgs(learner_port, replay_port, output_dir),
                       "entropic-learner", learner),
            learner_port);
  // Its weights versions go on above every version published before the
  // kill: actors holding one of those still take the new weights.
  int64_t version_after = -1;
  {
    auto parameters = v1::ParametersService::NewStub(
        CreateEntropicChannel(address, ClientSecurity()));
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (version_after < 0 && absl::Now() < deadline) {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
      v1::GetWeightsRequest request;
      request.set_job_id(job->id());
      request.set_newer_than(-1);
      v1::Weights weights;
      if (parameters->GetWeights(&context, request, &weights).ok()) {
        version_after = weights.version();
      } else {
        absl::SleepFor(absl::Milliseconds(20));
      }
    }
  }
  ASSERT_GE(version_after, 0) << "no weights after the restart";
  EXPECT_GT(version_after, version_before);
  int64_t first_new_evaluation = -1;
  absl::StatusOr<v1::Job> done =
      JobClient(address).Watch(job->id(), [&](const v1::JobEvent& event) {
        if (event.kind() == v1::JobEvent::EVALUATION &&
            first_new_evaluation < 0) {
          const v1::Job& job = event.job();
          first_new_evaluation =
              job.evaluations(job.evaluations_size() - 1).updates();
        }
      });
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::SUCCEEDED) << done->message();
  EXPECT_EQ(done->restarts(), 1);
  EXPECT_GE(done->progress().updates(), 800);
  // Training went on from the checkpoint: the restarted run's first
  // evaluation comes after it, not at 100 updates as from scratch.
  EXPECT_GT(first_new_evaluation, checkpointed);
  EXPECT_TRUE(
      std::filesystem::exists(done->output_dir() + "/checkpoint/q_network.pt"));
}

}  // namespace
}  // namespace entropic
