#include "common/security.h"

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_server.h"
#include "common/testing/credentials.h"
#include "entropic/v1/jobs.grpc.pb.h"
#include "entropic/v1/parameters.grpc.pb.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "entropic/v1/work.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

using ::entropic::testing::TestCredentials;
using ::testing::HasSubstr;

constexpr RoleSet kActor = static_cast<RoleSet>(Role::kActor);
constexpr RoleSet kLearner = static_cast<RoleSet>(Role::kLearner);
constexpr RoleSet kUser = static_cast<RoleSet>(Role::kUser);

TEST(RoleTableTest, EveryMethodOfEveryServiceHasRoles) {
  // Linked in by the generated code included above.
  v1::SubmitJobRequest jobs;
  v1::GetWorkRequest work;
  v1::GetWeightsRequest weights;
  v1::SampleRequest replay;
  for (const char* name :
       {"entropic.v1.ReplayService", "entropic.v1.JobsService",
        "entropic.v1.WorkService", "entropic.v1.ParametersService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string method = absl::StrCat("/", service->full_name(), "/",
                                              service->method(i)->name());
      EXPECT_NE(RolesAllowed(method), 0) << method;
    }
  }
  for (const std::string& method : MethodsWithRoles()) {
    EXPECT_NE(RolesAllowed(method), 0) << method;
  }
}

TEST(RoleTableTest, RolesPerMethod) {
  EXPECT_EQ(RolesAllowed("/entropic.v1.ReplayService/Insert"),
            kActor | kLearner | kUser);
  EXPECT_EQ(RolesAllowed("/entropic.v1.ReplayService/CreateTables"), kLearner);
  EXPECT_EQ(RolesAllowed("/entropic.v1.ReplayService/SampleStream"), kLearner);
  EXPECT_EQ(RolesAllowed("/entropic.v1.JobsService/SubmitJob"), kUser);
  EXPECT_EQ(RolesAllowed("/entropic.v1.WorkService/GetWork"), kActor);
  EXPECT_EQ(RolesAllowed("/entropic.v1.ParametersService/SubscribeWeights"),
            kActor);
  EXPECT_EQ(RolesAllowed("/entropic.v1.ReplayService/Nope"), 0);
  EXPECT_EQ(RolesAllowed(""), 0);
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kActor, Role::kLearner, Role::kUser}) {
    absl::StatusOr<Role> parsed = ParseRole(RoleName(role));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, role);
  }
  EXPECT_FALSE(ParseRole("admin").ok());
  EXPECT_EQ(RoleSetName(kActor | kUser), "actor,user");
  EXPECT_EQ(RoleSetName(0), "none");
}

TEST(ConstantTimeEqualsTest, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abcdef", "abcdef"));
  EXPECT_FALSE(ConstantTimeEquals("abcdeg", "abcdef"));
  EXPECT_FALSE(ConstantTimeEquals("abcde", "abcdef"));
  EXPECT_FALSE(ConstantTimeEquals("abcdefg", "abcdef"));
  EXPECT_FALSE(ConstantTimeEquals("", "abcdef"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("abcdef\0", 7), "abcdef"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(ParseTokensTest, LinesCommentsAndRoles) {
  absl::StatusOr<std::vector<RoleToken>> tokens = ParseTokens(
      "# comment\n"
      "actor  aaaaaaaaaaaaaaaa\n"
      "\n"
      "user\tbbbbbbbbbbbbbbbb   # trailing comment\r\n"
      "learner aaaaaaaaaaaaaaaa\n"
      "  # indented comment\n"
      "user cccccccc#ccccccc\n",
      "tokens");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), 3);
  EXPECT_EQ((*tokens)[2].token, "cccccccc#ccccccc");
  EXPECT_EQ((*tokens)[0].token, "aaaaaaaaaaaaaaaa");
  EXPECT_EQ((*tokens)[0].roles, kActor | kLearner);
  EXPECT_EQ((*tokens)[1].token, "bbbbbbbbbbbbbbbb");
  EXPECT_EQ((*tokens)[1].roles, kUser);
}

TEST(ParseTokensTest, RefusesMalformedLinesNamingThem) {
  EXPECT_THAT(ParseTokens("admin aaaaaaaaaaaaaaaa\n", "f").status().message(),
              HasSubstr("f:1: unknown role 'admin'"));
  EXPECT_THAT(ParseTokens("# x\nactor short\n", "f").status().message(),
              HasSubstr("f:2: token shorter than 16"));
  EXPECT_THAT(
      ParseTokens("actor aaaaaaaaaaaaaaaa extra\n", "f").status().message(),
      HasSubstr("f:1: expected 'ROLE TOKEN'"));
  EXPECT_THAT(ParseTokens("aaaaaaaaaaaaaaaa\n", "f").status().message(),
              HasSubstr("expected 'ROLE TOKEN'"));
  EXPECT_THAT(ParseTokens("# nothing\n\n", "f").status().message(),
              HasSubstr("f: no tokens"));
}

TEST(TokenAuthenticatorTest, Decisions) {
  TokenAuthenticator authenticator(
      {{"actor-token-0123456789", kActor}, {"user-token-0123456789", kUser}});
  const std::string submit = "/entropic.v1.JobsService/SubmitJob";
  EXPECT_TRUE(authenticator.Check(submit, "Bearer user-token-0123456789").ok());
  EXPECT_EQ(authenticator.Check(submit, "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(authenticator.Check(submit, "Basic dXNlcjpwYXNz").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(
      authenticator.Check(submit, "Bearer user-token-012345678").error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(
      authenticator.Check(submit, "Bearer actor-token-0123456789").error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      authenticator
          .Check("/entropic.v1.Unknown/Method", "Bearer user-token-0123456789")
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream(path) << contents;
}

class SecurityOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TestCredentials>> made =
        TestCredentials::Make();
    ASSERT_TRUE(made.ok()) << made.status();
    creds_ = std::move(made).value();
  }
  std::unique_ptr<TestCredentials> creds_;
};

TEST_F(SecurityOptionsTest, ServerRefusesInsecureOrBrokenCombinations) {
  auto message = [](const ServerSecurity::Options& options) {
    return std::string(ServerSecurity::Create(options).status().message());
  };
  ServerSecurity::Options options;
  options.tls_key = creds_->path("server.key");
  EXPECT_THAT(message(options), HasSubstr("tls_key: set without tls_cert"));
  options = {};
  options.tls_cert = creds_->path("server.pem");
  EXPECT_THAT(message(options), HasSubstr("tls_cert: set without tls_key"));
  options = {};
  options.auth_tokens = creds_->path("tokens");
  EXPECT_THAT(message(options), HasSubstr("auth_tokens: tokens need TLS"));
  options = {};
  options.tls_client_ca = creds_->path("ca.pem");
  EXPECT_THAT(message(options), HasSubstr("tls_client_ca: mutual TLS needs"));
  options.tls_cert = creds_->path("server.pem");
  options.tls_key = creds_->path("missing.key");
  EXPECT_THAT(message(options), HasSubstr("tls_key: cannot read"));
  options.tls_key = creds_->path("tokens");
  EXPECT_THAT(message(options), HasSubstr("holds no PEM block"));

  options.tls_key = creds_->path("server.key");
  options.auth_tokens = creds_->path("bad-tokens");
  WriteFile(options.auth_tokens, "root 0123456789abcdef\n");
  EXPECT_THAT(message(options), HasSubstr("bad-tokens:1: unknown role"));
  options.auth_tokens = creds_->path("tokens");
  absl::StatusOr<ServerSecurity> security = ServerSecurity::Create(options);
  ASSERT_TRUE(security.ok()) << security.status();
  EXPECT_EQ(security->Describe(), "mutual TLS, tokens");
  EXPECT_EQ(ServerSecurity().Describe(), "plaintext");
}

TEST_F(SecurityOptionsTest, ClientRefusesInsecureOrBrokenCombinations) {
  auto message = [](const ClientSecurity::Options& options) {
    return std::string(ClientSecurity::Create(options).status().message());
  };
  ClientSecurity::Options options;
  options.token = "0123456789abcdef";
  EXPECT_THAT(message(options), HasSubstr("a token needs TLS"));
  options.token_file = creds_->path("user.token");
  options.tls_ca = creds_->path("ca.pem");
  EXPECT_THAT(message(options), HasSubstr("token_file: set as well"));
  options.token.clear();
  options.tls_client_cert = creds_->path("user.pem");
  EXPECT_THAT(message(options),
              HasSubstr("tls_client_cert: set without tls_client_key"));
  options.tls_client_key = creds_->path("user.key");
  options.tls_ca.clear();
  EXPECT_THAT(message(options), HasSubstr("needs tls_ca"));
  options.tls_ca = creds_->path("ca.pem");
  options.token_file = creds_->path("empty.token");
  WriteFile(options.token_file, "\n");
  EXPECT_THAT(message(options), HasSubstr("is empty"));
  options.token_file = creds_->path("user.token");
  absl::StatusOr<ClientSecurity> security = ClientSecurity::Create(options);
  ASSERT_TRUE(security.ok()) << security.status();
  EXPECT_EQ(security->Describe(), "mutual TLS, token");
}

// A JobsService that counts the calls that reached it.
class CountingJobs final : public v1::JobsService::CallbackService {
 public:
  grpc::ServerUnaryReactor* SubmitJob(grpc::CallbackServerContext* context,
                                      const v1::SubmitJobRequest* request,
                                      v1::Job* response) override {
    ++calls;
    // The token is consumed by the check: the service never sees it.
    saw_token = saw_token || context->client_metadata().count("authorization");
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  std::atomic<int> calls{0};
  std::atomic<bool> saw_token{false};
};

// A server with the test credentials, and clients with any of them.
class SecuredServerTest : public SecurityOptionsTest {
 protected:
  void Start(bool mutual) {
    ServerSecurity::Options options;
    options.tls_cert = creds_->path("server.pem");
    options.tls_key = creds_->path("server.key");
    if (mutual) options.tls_client_ca = creds_->path("ca.pem");
    options.auth_tokens = creds_->path("tokens");
    absl::StatusOr<ServerSecurity> security = ServerSecurity::Create(options);
    ASSERT_TRUE(security.ok()) << security.status();
    absl::StatusOr<StartedServer> started =
        StartGrpcServer("127.0.0.1", 0, {&jobs_}, 1 << 20, *security);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::move(started->server);
    port_ = started->port;
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  grpc::Status Submit(const ClientSecurity& security) {
    auto stub = v1::JobsService::NewStub(
        CreateEntropicChannel(absl::StrCat("127.0.0.1:", port_), security));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::SubmitJobRequest request;
    v1::Job job;
    return stub->SubmitJob(&context, request, &job);
  }
  ClientSecurity Client(const std::string& role, bool certificate,
                        const std::string& token) {
    ClientSecurity::Options options;
    options.tls_ca = creds_->path("ca.pem");
    if (certificate) {
      options.tls_client_cert = creds_->path(role + ".pem");
      options.tls_client_key = creds_->path(role + ".key");
    }
    options.token = token;
    absl::StatusOr<ClientSecurity> security = ClientSecurity::Create(options);
    EXPECT_TRUE(security.ok()) << security.status();
    return *security;
  }

  CountingJobs jobs_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(SecuredServerTest, TokenOfTheRightRoleIsServed) {
  Start(/*mutual=*/false);
  const grpc::Status status =
      Submit(Client("user", false, creds_->token("user")));
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(jobs_.calls, 1);
  EXPECT_FALSE(jobs_.saw_token);
}

TEST_F(SecuredServerTest, CallersWithoutTheRightCredentialsAreRefused) {
  Start(/*mutual=*/false);
  EXPECT_EQ(Submit(Client("user", false, "")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(
      Submit(Client("user", false, "wrong-token-0123456789")).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  const grpc::Status wrong_role =
      Submit(Client("actor", false, creds_->token("actor")));
  EXPECT_EQ(wrong_role.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(wrong_role.error_message(), HasSubstr("role actor may not"));
  // Plaintext to a TLS server: no handshake, no call.
  EXPECT_EQ(Submit(ClientSecurity()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(jobs_.calls, 0);
}

TEST_F(SecuredServerTest, ServerOfAnotherCaIsNotTrusted) {
  Start(/*mutual=*/false);
  absl::StatusOr<std::unique_ptr<TestCredentials>> other =
      TestCredentials::Make();
  ASSERT_TRUE(other.ok()) << other.status();
  ClientSecurity::Options options;
  options.tls_ca = (*other)->path("ca.pem");
  options.token = creds_->token("user");
  absl::StatusOr<ClientSecurity> security = ClientSecurity::Create(options);
  ASSERT_TRUE(security.ok());
  EXPECT_EQ(Submit(*security).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(jobs_.calls, 0);
}

TEST_F(SecuredServerTest, MutualTlsNeedsAClientCertificate) {
  Start(/*mutual=*/true);
  EXPECT_EQ(Submit(Client("user", false, creds_->token("user"))).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(jobs_.calls, 0);
  const grpc::Status status =
      Submit(Client("user", true, creds_->token("user")));
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(jobs_.calls, 1);
}

TEST(StartGrpcServerTest, APortAlreadyServedIsUnavailable) {
  CountingJobs first_jobs, second_jobs;
  absl::StatusOr<StartedServer> first =
      StartGrpcServer("127.0.0.1", 0, {&first_jobs}, 1 << 20, ServerSecurity());
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<StartedServer> second = StartGrpcServer(
      "127.0.0.1", first->port, {&second_jobs}, 1 << 20, ServerSecurity());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  first->server->Shutdown();
}

}  // namespace
}  // namespace entropic
