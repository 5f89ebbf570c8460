// The learner served with TLS and tokens: the jobs API is for users, work
// and weights for actors, and a refused caller submits nothing.
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/job_file.h"
#include "common/security.h"
#include "common/testing/credentials.h"
#include "entropic/v1/jobs.grpc.pb.h"
#include "entropic/v1/work.grpc.pb.h"
#include "gtest/gtest.h"
#include "learner/learner_server.h"

namespace entropic {
namespace {

using ::entropic::testing::TestCredentials;

class LearnerSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TestCredentials>> made =
        TestCredentials::Make();
    ASSERT_TRUE(made.ok()) << made.status();
    creds_ = std::move(made).value();
    ServerSecurity::Options security;
    security.tls_cert = creds_->path("server.pem");
    security.tls_key = creds_->path("server.key");
    security.auth_tokens = creds_->path("tokens");
    absl::StatusOr<ServerSecurity> server_security =
        ServerSecurity::Create(security);
    ASSERT_TRUE(server_security.ok()) << server_security.status();
    LearnerServer::Options options;
    options.port = 0;
    // Never reached: no job gets to run here.
    options.replay_address = "127.0.0.1:1";
    options.output_root = creds_->path("runs");
    options.security = *server_security;
    absl::StatusOr<std::unique_ptr<LearnerServer>> server =
        LearnerServer::Create(options, registry_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();

    absl::StatusOr<v1::JobSpec> spec = LoadJobFile(
        absl::StrCat(ENTROPIC_SOURCE_DIR, "/examples/cartpole-softq.yaml"));
    ASSERT_TRUE(spec.ok()) << spec.status();
    spec_ = *spec;
  }

  std::shared_ptr<grpc::Channel> Channel(const std::string& token) {
    ClientSecurity::Options options;
    options.tls_ca = creds_->path("ca.pem");
    options.token = token;
    absl::StatusOr<ClientSecurity> security = ClientSecurity::Create(options);
    EXPECT_TRUE(security.ok()) << security.status();
    return CreateEntropicChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                 *security);
  }

  static void SetDeadline(grpc::ClientContext& context) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  }

  grpc::Status Submit(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = v1::JobsService::NewStub(channel);
    v1::SubmitJobRequest request;
    *request.mutable_spec() = spec_;
    v1::Job job;
    grpc::ClientContext context;
    SetDeadline(context);
    return stub->SubmitJob(&context, request, &job);
  }

  grpc::Status GetWork(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = v1::WorkService::NewStub(channel);
    v1::GetWorkRequest request;
    request.set_actor_name("test");
    v1::GetWorkResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    return stub->GetWork(&context, request, &response);
  }

  prometheus::Registry registry_;
  std::unique_ptr<TestCredentials> creds_;
  std::unique_ptr<LearnerServer> server_;
  v1::JobSpec spec_;
};

TEST_F(LearnerSecurityTest, RefusedSubmissionsSubmitNothing) {
  EXPECT_EQ(Submit(Channel("")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Submit(Channel("a-token-nobody-was-given")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Submit(Channel(creds_->token("actor"))).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Submit(Channel(creds_->token("learner"))).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      Submit(CreateEntropicChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   ClientSecurity()))
          .error_code(),
      grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(server_->jobs().List().empty());

  auto jobs = v1::JobsService::NewStub(Channel(creds_->token("user")));
  v1::ListJobsRequest request;
  v1::ListJobsResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  const grpc::Status listed = jobs->ListJobs(&context, request, &response);
  EXPECT_TRUE(listed.ok()) << listed.error_message();
  EXPECT_EQ(response.jobs_size(), 0);
}

TEST_F(LearnerSecurityTest, WorkIsForActors) {
  const grpc::Status actor = GetWork(Channel(creds_->token("actor")));
  EXPECT_TRUE(actor.ok()) << actor.error_message();
  EXPECT_EQ(GetWork(Channel(creds_->token("user"))).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetWork(Channel("")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace entropic
