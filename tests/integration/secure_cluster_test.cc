// A secured cluster: entropic-replay, entropic-learner and entropic-actor as
// processes with mutual TLS and bearer tokens (credentials made by
// deploy/make-credentials.sh), a CartPole job trained to completion, and the
// CLI refused without the right credentials.
#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/job_client.h"
#include "common/security.h"
#include "common/testing/credentials.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/child_process.h"

namespace entropic {
namespace {

using ::entropic::testing::ChildProcess;
using ::entropic::testing::TestCredentials;

// The grpc_port of "<name> ready grpc_port=N metrics_port=M".
int GrpcPort(const std::string& line) {
  int port = 0;
  for (absl::string_view field : absl::StrSplit(line, ' ')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(field, '=');
    if (kv.first == "grpc_port") {
      EXPECT_TRUE(absl::SimpleAtoi(kv.second, &port));
    }
  }
  return port;
}

std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& argv) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(argv);
  if (!child.ok()) {
    ADD_FAILURE() << child.status();
    std::abort();  // fork failed: nothing sensible can follow
  }
  return std::move(child).value();
}

// Runs a command to its end; its exit code.
int RunToEnd(const std::vector<std::string>& argv) {
  std::unique_ptr<ChildProcess> child = Start(argv);
  absl::StatusOr<int> code = child->Wait(absl::Now() + absl::Seconds(60));
  EXPECT_TRUE(code.ok()) << code.status();
  return code.ok() ? *code : -1;
}

v1::JobSpec ShortCartPoleJob() {
  v1::JobSpec spec;
  spec.set_name("secure");
  spec.mutable_env()->set_id("CartPole-v1");
  spec.mutable_env()->set_num_envs(4);
  spec.set_actors(1);
  v1::SoftQSpec& q = *spec.mutable_algorithm()->mutable_soft_q();
  q.set_batch_size(32);
  q.add_hidden(32);
  q.set_publish_every_updates(20);
  spec.mutable_replay()->set_chunk_length(16);
  spec.mutable_replay()->mutable_agent()->set_min_size(200);
  spec.mutable_replay()->mutable_agent()->set_samples_per_insert(2);
  spec.mutable_stop()->set_env_steps(3000);
  spec.mutable_eval()->set_every_updates(100);
  spec.mutable_eval()->set_episodes(2);
  return spec;
}

TEST(SecureClusterTest, ServersRefuseInsecureFlagsAtStartUp) {
  absl::StatusOr<std::unique_ptr<TestCredentials>> creds =
      TestCredentials::Make();
  ASSERT_TRUE(creds.ok()) << creds.status();
  // Tokens without TLS; a key without its certificate; an unreadable file.
  EXPECT_EQ(RunToEnd({ENTROPIC_REPLAY_BIN, "--port=0", "--metrics_port=0",
                      "--auth_tokens=" + (*creds)->path("tokens")}),
            1);
  EXPECT_EQ(RunToEnd({ENTROPIC_REPLAY_BIN, "--port=0", "--metrics_port=0",
                      "--tls_key=" + (*creds)->path("server.key")}),
            1);
  EXPECT_EQ(RunToEnd({ENTROPIC_ACTOR_BIN, "--metrics_port=0",
                      "--tls_ca=" + (*creds)->path("ca.pem"),
                      "--token_file=" + (*creds)->path("no-such.token")}),
            1);
  // The CLI: a token file without TLS is a usage error.
  EXPECT_EQ(RunToEnd({ENTROPIC_CLI_BIN, "jobs", "--learner=127.0.0.1:1",
                      "--token_file=" + (*creds)->path("user.token")}),
            2);
}

TEST(SecureClusterTest, TrainsCartPoleWithMutualTlsAndTokens) {
  absl::StatusOr<std::unique_ptr<TestCredentials>> made =
      TestCredentials::Make();
  ASSERT_TRUE(made.ok()) << made.status();
  const TestCredentials& creds = **made;
  const std::vector<std::string> server_flags = {
      "--tls_cert=" + creds.path("server.pem"),
      "--tls_key=" + creds.path("server.key"),
      "--tls_client_ca=" + creds.path("ca.pem"),
      "--auth_tokens=" + creds.path("tokens")};
  auto client_flags = [&](const std::string& role) {
    return std::vector<std::string>{
        "--tls_ca=" + creds.path("ca.pem"),
        "--tls_client_cert=" + creds.path(role + ".pem"),
        "--tls_client_key=" + creds.path(role + ".key"),
        "--token_file=" + creds.path(role + ".token")};
  };
  auto with = [](std::vector<std::string> argv,
                 const std::vector<std::string>& more) {
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
  };
  const absl::Time deadline = absl::Now() + absl::Seconds(60);

  // Loopback is the default bind address: no --host.
  std::unique_ptr<ChildProcess> replay = Start(with(
      {ENTROPIC_REPLAY_BIN, "--port=0", "--metrics_port=0"}, server_flags));
  absl::StatusOr<std::string> ready =
      replay->WaitForLine("entropic-replay ready", deadline);
  ASSERT_TRUE(ready.ok()) << ready.status();
  const int replay_port = GrpcPort(*ready);

  std::unique_ptr<ChildProcess> learner =
      Start(with(with({ENTROPIC_LEARNER_BIN, "--port=0", "--metrics_port=0",
                       "--torch_threads=1",
                       // The certificate is valid for 127.0.0.1 (an IP
                       // subject name: no resolver needed, and a machine
                       // may not resolve localhost); actors get this
                       // address in their assignments.
                       absl::StrCat("--replay=127.0.0.1:", replay_port),
                       "--output_dir=" + creds.path("runs")},
                      server_flags),
                 client_flags("learner")));
  ready = learner->WaitForLine("entropic-learner ready", deadline);
  ASSERT_TRUE(ready.ok()) << ready.status();
  const std::string learner_address =
      absl::StrCat("127.0.0.1:", GrpcPort(*ready));

  std::unique_ptr<ChildProcess> actor =
      Start(with({ENTROPIC_ACTOR_BIN, "--metrics_port=0", "--name=secure-actor",
                  "--learner=" + learner_address},
                 client_flags("actor")));
  ready = actor->WaitForLine("entropic-actor ready", deadline);
  ASSERT_TRUE(ready.ok()) << ready.status();

  // Refused before anything changes: no token, a wrong-role token (exit 5:
  // refused), no client certificate or no TLS at all (exit 3: unreachable).
  const std::string job_file =
      std::string(ENTROPIC_SOURCE_DIR) + "/examples/cartpole-softq.yaml";
  const std::string tls_ca = "--tls_ca=" + creds.path("ca.pem");
  const std::string user_cert = "--tls_client_cert=" + creds.path("user.pem");
  const std::string user_key = "--tls_client_key=" + creds.path("user.key");
  EXPECT_EQ(RunToEnd({ENTROPIC_CLI_BIN, "jobs", "--learner=" + learner_address,
                      tls_ca, user_cert, user_key}),
            5);
  EXPECT_EQ(
      RunToEnd({ENTROPIC_CLI_BIN, "submit", job_file,
                "--learner=" + learner_address, tls_ca, user_cert, user_key}),
      5);
  EXPECT_EQ(RunToEnd({ENTROPIC_CLI_BIN, "submit", job_file,
                      "--learner=" + learner_address, tls_ca,
                      "--tls_client_cert=" + creds.path("actor.pem"),
                      "--tls_client_key=" + creds.path("actor.key"),
                      "--token_file=" + creds.path("actor.token")}),
            5);
  EXPECT_EQ(RunToEnd({ENTROPIC_CLI_BIN, "submit", job_file,
                      "--learner=" + learner_address, tls_ca,
                      "--token_file=" + creds.path("user.token")}),
            3);
  EXPECT_EQ(RunToEnd({ENTROPIC_CLI_BIN, "submit", job_file,
                      "--learner=" + learner_address}),
            3);

  // The user's client: the token from ENTROPIC_TOKEN, as operators pass it.
  ASSERT_EQ(setenv("ENTROPIC_TOKEN", creds.token("user").c_str(), 1), 0);
  EXPECT_EQ(RunToEnd({ENTROPIC_CLI_BIN, "jobs", "--learner=" + learner_address,
                      tls_ca, user_cert, user_key}),
            0);
  unsetenv("ENTROPIC_TOKEN");

  ClientSecurity::Options user;
  user.tls_ca = creds.path("ca.pem");
  user.tls_client_cert = creds.path("user.pem");
  user.tls_client_key = creds.path("user.key");
  user.token_file = creds.path("user.token");
  absl::StatusOr<ClientSecurity> security = ClientSecurity::Create(user);
  ASSERT_TRUE(security.ok()) << security.status();
  JobClient client(learner_address, *security);
  absl::StatusOr<std::vector<v1::Job>> before = client.List();
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_TRUE(before->empty()) << "a refused submission was stored";

  absl::StatusOr<v1::Job> job = client.Submit(ShortCartPoleJob());
  ASSERT_TRUE(job.ok()) << job.status();
  absl::StatusOr<v1::Job> done = client.Watch(job->id(), [](const auto&) {});
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::SUCCEEDED) << done->message();
  EXPECT_GE(done->progress().env_steps(), 3000);
  EXPECT_GT(done->progress().updates(), 0);
  EXPECT_GE(done->evaluations_size(), 1);
  EXPECT_EQ(client.List()->size(), 1u);
}

}  // namespace
}  // namespace entropic
