// Replay served with TLS and tokens: each role gets what the role table
// allows, and a refused caller changes nothing.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/security.h"
#include "common/testing/credentials.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "gtest/gtest.h"
#include "replay/replay_server.h"
#include "replay/testing/chunks.h"

namespace entropic {
namespace {

using ::entropic::testing::CartPoleTable;
using ::entropic::testing::MakeChunk;
using ::entropic::testing::TestCredentials;

class ReplaySecurityTest : public ::testing::Test {
 protected:
  void Start(bool mutual) {
    absl::StatusOr<std::unique_ptr<TestCredentials>> made =
        TestCredentials::Make();
    ASSERT_TRUE(made.ok()) << made.status();
    creds_ = std::move(made).value();
    ServerSecurity::Options security;
    security.tls_cert = creds_->path("server.pem");
    security.tls_key = creds_->path("server.key");
    if (mutual) security.tls_client_ca = creds_->path("ca.pem");
    security.auth_tokens = creds_->path("tokens");
    absl::StatusOr<ServerSecurity> server_security =
        ServerSecurity::Create(security);
    ASSERT_TRUE(server_security.ok()) << server_security.status();
    ReplayServer::Options options;
    options.port = 0;
    options.security = *server_security;
    absl::StatusOr<std::unique_ptr<ReplayServer>> server =
        ReplayServer::Create(options, registry_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
  }

  // A stub with the CA, `role`'s token (none for ""), and `role`'s client
  // certificate when `certificate`.
  std::unique_ptr<v1::ReplayService::Stub> Stub(const std::string& role,
                                                bool certificate = true) {
    ClientSecurity::Options options;
    options.tls_ca = creds_->path("ca.pem");
    if (!role.empty()) options.token = creds_->token(role);
    if (certificate) {
      options.tls_client_cert = creds_->path("user.pem");
      options.tls_client_key = creds_->path("user.key");
    }
    absl::StatusOr<ClientSecurity> security = ClientSecurity::Create(options);
    EXPECT_TRUE(security.ok()) << security.status();
    return Stub(*security);
  }
  std::unique_ptr<v1::ReplayService::Stub> Stub(
      const ClientSecurity& security) {
    return v1::ReplayService::NewStub(CreateEntropicChannel(
        absl::StrCat("127.0.0.1:", server_->port()), security));
  }

  static void SetDeadline(grpc::ClientContext& context) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  }

  grpc::Status CreateTables(v1::ReplayService::Stub& stub) {
    v1::CreateTablesRequest request;
    request.set_job_id("job");
    *request.add_tables() = CartPoleTable(1000);
    v1::CreateTablesResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    return stub.CreateTables(&context, request, &response);
  }

  grpc::Status Insert(v1::ReplayService::Stub& stub, uint64_t sequence) {
    grpc::ClientContext context;
    SetDeadline(context);
    auto stream = stub.Insert(&context);
    v1::InsertRequest request;
    *request.mutable_chunk() = MakeChunk("a", sequence, 4, 0);
    v1::InsertResponse response;
    if (stream->Write(request)) stream->Read(&response);
    stream->WritesDone();
    return stream->Finish();
  }

  // The job's tables' sizes, asked with the learner's token; NOT_FOUND when
  // the job has none.
  absl::StatusOr<int64_t> AgentSize() {
    absl::StatusOr<std::vector<v1::TableInfo>> info =
        server_->store().Info("job");
    if (!info.ok()) return info.status();
    for (const v1::TableInfo& table : *info) {
      if (table.name() == "agent") return table.size();
    }
    return absl::NotFoundError("agent");
  }

  prometheus::Registry registry_;
  std::unique_ptr<TestCredentials> creds_;
  std::unique_ptr<ReplayServer> server_;
};

TEST_F(ReplaySecurityTest, RolesGetWhatTheTableAllows) {
  Start(/*mutual=*/false);
  auto learner = Stub("learner", false);
  auto actor = Stub("actor", false);
  auto user = Stub("user", false);

  EXPECT_EQ(CreateTables(*actor).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CreateTables(*user).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(AgentSize().status().code(), absl::StatusCode::kNotFound);

  ASSERT_TRUE(CreateTables(*learner).ok());
  EXPECT_TRUE(Insert(*actor, 1).ok());
  EXPECT_TRUE(Insert(*user, 2).ok());
  EXPECT_EQ(*AgentSize(), 8);

  // Only the learner samples.
  v1::SampleRequest sample;
  sample.set_job_id("job");
  sample.set_table("agent");
  sample.set_batch_size(1);
  for (auto* stub : {actor.get(), user.get()}) {
    v1::SampleResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    EXPECT_EQ(stub->Sample(&context, sample, &response).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  v1::SampleResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  EXPECT_TRUE(learner->Sample(&context, sample, &response).ok());

  // Dropping a job's tables is the learner's.
  v1::DeleteTablesRequest drop;
  drop.set_job_id("job");
  v1::DeleteTablesResponse dropped;
  grpc::ClientContext drop_context;
  SetDeadline(drop_context);
  EXPECT_EQ(actor->DeleteTables(&drop_context, drop, &dropped).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(*AgentSize(), 8);
}

TEST_F(ReplaySecurityTest, CallersWithoutCredentialsChangeNothing) {
  Start(/*mutual=*/false);
  ClientSecurity::Options no_token;
  no_token.tls_ca = creds_->path("ca.pem");
  ClientSecurity::Options wrong_token = no_token;
  wrong_token.token = "not-a-token-of-this-cluster";
  for (const ClientSecurity::Options& options : {no_token, wrong_token}) {
    absl::StatusOr<ClientSecurity> security = ClientSecurity::Create(options);
    ASSERT_TRUE(security.ok());
    auto stub = Stub(*security);
    EXPECT_EQ(CreateTables(*stub).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(CreateTables(*Stub(ClientSecurity())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(AgentSize().status().code(), absl::StatusCode::kNotFound);

  ASSERT_TRUE(CreateTables(*Stub("learner", false)).ok());
  absl::StatusOr<ClientSecurity> security = ClientSecurity::Create(no_token);
  ASSERT_TRUE(security.ok());
  EXPECT_EQ(Insert(*Stub(*security), 1).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(*AgentSize(), 0);
}

TEST_F(ReplaySecurityTest, MutualTlsRefusesClientsWithoutCertificates) {
  Start(/*mutual=*/true);
  EXPECT_EQ(CreateTables(*Stub("learner", /*certificate=*/false)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(AgentSize().status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(CreateTables(*Stub("learner", /*certificate=*/true)).ok());
}

}  // namespace
}  // namespace entropic
