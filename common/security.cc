#include "common/security.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/message_size.h"
#include "common/status_macros.h"

namespace entropic {
namespace {

constexpr RoleSet kActor = static_cast<RoleSet>(Role::kActor);
constexpr RoleSet kLearner = static_cast<RoleSet>(Role::kLearner);
constexpr RoleSet kUser = static_cast<RoleSet>(Role::kUser);

// Who may call what: the one place it is written (docs/security.md shows the
// same table). A method missing here is refused to every token.
struct MethodRoles {
  const char* method;
  RoleSet roles;
};
constexpr MethodRoles kMethodRoles[] = {
    // Replay: the learner manages and samples its jobs' tables; actors
    // insert their trajectories, the learner a job's demonstrations, users
    // upload demonstrations (entropic demos upload). Sizes and snapshots are
    // also for operators.
    {"/entropic.v1.ReplayService/CreateTables", kLearner},
    {"/entropic.v1.ReplayService/DeleteTables", kLearner},
    {"/entropic.v1.ReplayService/Insert", kActor | kLearner | kUser},
    {"/entropic.v1.ReplayService/Sample", kLearner},
    {"/entropic.v1.ReplayService/SampleStream", kLearner},
    {"/entropic.v1.ReplayService/UpdatePriorities", kLearner},
    {"/entropic.v1.ReplayService/GetTableInfo", kLearner | kUser},
    {"/entropic.v1.ReplayService/Checkpoint", kLearner | kUser},
    // Learner: the jobs API is for users; work and weights for actors.
    {"/entropic.v1.JobsService/SubmitJob", kUser},
    {"/entropic.v1.JobsService/GetJob", kUser},
    {"/entropic.v1.JobsService/ListJobs", kUser},
    {"/entropic.v1.JobsService/CancelJob", kUser},
    {"/entropic.v1.JobsService/WatchJob", kUser},
    {"/entropic.v1.WorkService/GetWork", kActor},
    {"/entropic.v1.WorkService/ReportProgress", kActor},
    {"/entropic.v1.ParametersService/SubscribeWeights", kActor},
    {"/entropic.v1.ParametersService/GetWeights", kActor},
};

constexpr Role kRoles[] = {Role::kActor, Role::kLearner, Role::kUser};
constexpr size_t kMinTokenLength = 16;

absl::StatusOr<std::string> ReadFile(absl::string_view option,
                                     const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::InvalidArgumentError(absl::StrCat(
        option, ": cannot read '", path, "': ", std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat(option, ": cannot read '", path, "'"));
  }
  return contents.str();
}

// Reads a PEM file, refusing one without a PEM block (a DER file, a wrong
// path to some other file).
absl::StatusOr<std::string> ReadPem(absl::string_view option,
                                    const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadFile(option, path));
  if (!absl::StrContains(pem, "-----BEGIN ")) {
    return absl::InvalidArgumentError(
        absl::StrCat(option, ": '", path, "' holds no PEM block"));
  }
  return pem;
}

absl::Status BothOrNeither(absl::string_view a_name, const std::string& a,
                           absl::string_view b_name, const std::string& b) {
  if (a.empty() != b.empty()) {
    return absl::InvalidArgumentError(
        a.empty() ? absl::StrCat(b_name, ": set without ", a_name)
                  : absl::StrCat(a_name, ": set without ", b_name));
  }
  return absl::OkStatus();
}

absl::string_view FindMetadata(
    const grpc::AuthMetadataProcessor::InputMetadata& metadata,
    absl::string_view key) {
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return {};
  return absl::string_view(it->second.data(), it->second.size());
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kActor:
      return "actor";
    case Role::kLearner:
      return "learner";
    case Role::kUser:
      return "user";
  }
  return "unknown";
}

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  for (Role role : kRoles) {
    if (name == RoleName(role)) return role;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown role '", name, "' (roles: actor, learner, user)"));
}

std::string RoleSetName(RoleSet roles) {
  std::vector<absl::string_view> names;
  for (Role role : kRoles) {
    if (roles & static_cast<RoleSet>(role)) names.push_back(RoleName(role));
  }
  return names.empty() ? "none" : absl::StrJoin(names, ",");
}

RoleSet RolesAllowed(absl::string_view method) {
  for (const MethodRoles& entry : kMethodRoles) {
    if (method == entry.method) return entry.roles;
  }
  return 0;
}

std::vector<std::string> MethodsWithRoles() {
  std::vector<std::string> methods;
  for (const MethodRoles& entry : kMethodRoles) {
    methods.push_back(entry.method);
  }
  return methods;
}

bool ConstantTimeEquals(absl::string_view given, absl::string_view secret) {
  // Loops over the secret only; reading `given` out of its bounds is avoided
  // by comparing with 0 there, and the length difference is folded in.
  unsigned char difference = given.size() == secret.size() ? 0 : 1;
  for (size_t i = 0; i < secret.size(); ++i) {
    const unsigned char g =
        i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    difference |= g ^ static_cast<unsigned char>(secret[i]);
  }
  return difference == 0;
}

absl::StatusOr<std::vector<RoleToken>> ParseTokens(absl::string_view text,
                                                   absl::string_view source) {
  std::vector<RoleToken> tokens;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    // '#' starts a comment at the start of a line or after white space; a
    // '#' inside a token is part of it.
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '#' &&
          (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        line = line.substr(0, i);
        break;
      }
    }
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    const std::string where = absl::StrCat(source, ":", line_number, ": ");
    if (fields.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "expected 'ROLE TOKEN', got ", fields.size(), " fields"));
    }
    absl::StatusOr<Role> role = ParseRole(fields[0]);
    if (!role.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, role.status().message()));
    }
    const absl::string_view token = fields[1];
    if (token.size() < kMinTokenLength) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "token shorter than ", kMinTokenLength, " characters"));
    }
    for (char c : token) {
      if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, "token has a non-printable character"));
      }
    }
    bool merged = false;
    for (RoleToken& known : tokens) {
      if (known.token == token) {
        known.roles |= static_cast<RoleSet>(*role);
        merged = true;
      }
    }
    if (!merged) {
      tokens.push_back({std::string(token), static_cast<RoleSet>(*role)});
    }
  }
  if (tokens.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": no tokens (lines of 'ROLE TOKEN')"));
  }
  return tokens;
}

TokenAuthenticator::TokenAuthenticator(std::vector<RoleToken> tokens)
    : tokens_(std::move(tokens)) {}

grpc::Status TokenAuthenticator::Check(absl::string_view method,
                                       absl::string_view authorization) const {
  constexpr absl::string_view kBearer = "Bearer ";
  if (authorization.empty()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "a bearer token is required");
  }
  if (!absl::StartsWithIgnoreCase(authorization, kBearer)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "authorization is not a bearer token");
  }
  const absl::string_view token = authorization.substr(kBearer.size());
  // Every token is compared, so the time taken does not tell which matched.
  RoleSet roles = 0;
  bool known = false;
  for (const RoleToken& candidate : tokens_) {
    if (ConstantTimeEquals(token, candidate.token)) {
      roles |= candidate.roles;
      known = true;
    }
  }
  if (!known) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token");
  }
  const RoleSet allowed = RolesAllowed(method);
  if ((roles & allowed) == 0) {
    return grpc::Status(
        grpc::StatusCode::PERMISSION_DENIED,
        absl::StrCat("a token of role ", RoleSetName(roles), " may not call ",
                     method, " (allowed: ", RoleSetName(allowed), ")"));
  }
  return grpc::Status::OK;
}

grpc::Status TokenAuthenticator::Process(const InputMetadata& auth_metadata,
                                         grpc::AuthContext* context,
                                         OutputMetadata* consumed_auth_metadata,
                                         OutputMetadata* response_metadata) {
  const absl::string_view authorization =
      FindMetadata(auth_metadata, "authorization");
  grpc::Status status =
      Check(FindMetadata(auth_metadata, ":path"), authorization);
  if (status.ok()) {
    // The service never sees the token.
    consumed_auth_metadata->emplace("authorization",
                                    std::string(authorization));
  }
  return status;
}

absl::StatusOr<ServerSecurity> ServerSecurity::Create(const Options& options) {
  RETURN_IF_ERROR(
      BothOrNeither("tls_cert", options.tls_cert, "tls_key", options.tls_key));
  const bool tls = !options.tls_cert.empty();
  if (!tls && !options.tls_client_ca.empty()) {
    return absl::InvalidArgumentError(
        "tls_client_ca: mutual TLS needs tls_cert and tls_key");
  }
  if (!tls && !options.auth_tokens.empty()) {
    return absl::InvalidArgumentError(
        "auth_tokens: tokens need TLS (tls_cert and tls_key), or they would "
        "cross the network in clear");
  }
  ServerSecurity security;
  if (tls) {
    ASSIGN_OR_RETURN(security.cert_pem_, ReadPem("tls_cert", options.tls_cert));
    ASSIGN_OR_RETURN(security.key_pem_, ReadPem("tls_key", options.tls_key));
  }
  if (!options.tls_client_ca.empty()) {
    ASSIGN_OR_RETURN(security.client_ca_pem_,
                     ReadPem("tls_client_ca", options.tls_client_ca));
  }
  if (!options.auth_tokens.empty()) {
    ASSIGN_OR_RETURN(std::string text,
                     ReadFile("auth_tokens", options.auth_tokens));
    ASSIGN_OR_RETURN(std::vector<RoleToken> tokens,
                     ParseTokens(text, options.auth_tokens));
    security.authenticator_ =
        std::make_shared<TokenAuthenticator>(std::move(tokens));
  }
  return security;
}

std::shared_ptr<grpc::ServerCredentials> ServerSecurity::Credentials() const {
  if (!tls()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl(
      mutual_tls() ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                   : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  ssl.pem_root_certs = client_ca_pem_;
  ssl.pem_key_cert_pairs.push_back({key_pem_, cert_pem_});
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::SslServerCredentials(ssl);
  if (authenticator_ != nullptr) {
    credentials->SetAuthMetadataProcessor(authenticator_);
  }
  return credentials;
}

std::string ServerSecurity::Describe() const {
  if (!tls()) return "plaintext";
  return absl::StrCat(mutual_tls() ? "mutual TLS" : "TLS",
                      tokens() ? ", tokens" : ", no tokens");
}

absl::StatusOr<ClientSecurity> ClientSecurity::Create(const Options& options) {
  RETURN_IF_ERROR(BothOrNeither("tls_client_cert", options.tls_client_cert,
                                "tls_client_key", options.tls_client_key));
  const bool tls = !options.tls_ca.empty();
  if (!tls && !options.tls_client_cert.empty()) {
    return absl::InvalidArgumentError(
        "tls_client_cert: mutual TLS needs tls_ca (the CA to trust)");
  }
  if (!options.token.empty() && !options.token_file.empty()) {
    return absl::InvalidArgumentError(
        "token_file: set as well as a token (ENTROPIC_TOKEN); give one");
  }
  if (!tls && (!options.token.empty() || !options.token_file.empty())) {
    return absl::InvalidArgumentError(
        "token: a token needs TLS (tls_ca), or it would cross the network in "
        "clear");
  }
  ClientSecurity security;
  if (tls) {
    ASSIGN_OR_RETURN(security.ca_pem_, ReadPem("tls_ca", options.tls_ca));
  }
  if (!options.tls_client_cert.empty()) {
    ASSIGN_OR_RETURN(security.cert_pem_,
                     ReadPem("tls_client_cert", options.tls_client_cert));
    ASSIGN_OR_RETURN(security.key_pem_,
                     ReadPem("tls_client_key", options.tls_client_key));
  }
  std::string token = options.token;
  if (!options.token_file.empty()) {
    ASSIGN_OR_RETURN(token, ReadFile("token_file", options.token_file));
  }
  token = std::string(absl::StripAsciiWhitespace(token));
  if ((!options.token.empty() || !options.token_file.empty()) &&
      token.empty()) {
    return absl::InvalidArgumentError(
        options.token_file.empty()
            ? std::string("token: empty")
            : absl::StrCat("token_file: '", options.token_file, "' is empty"));
  }
  for (char c : token) {
    if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          "token: has a space or non-printable character");
    }
  }
  security.token_ = std::move(token);
  return security;
}

std::shared_ptr<grpc::ChannelCredentials> ClientSecurity::Credentials() const {
  if (!tls()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ca_pem_;
  ssl.pem_private_key = key_pem_;
  ssl.pem_cert_chain = cert_pem_;
  std::shared_ptr<grpc::ChannelCredentials> channel = grpc::SslCredentials(ssl);
  if (token_.empty()) return channel;
  // Sent as "authorization: Bearer <token>" on every call.
  return grpc::CompositeChannelCredentials(
      channel, grpc::AccessTokenCredentials(token_));
}

std::string ClientSecurity::Describe() const {
  if (!tls()) return "plaintext";
  return absl::StrCat(cert_pem_.empty() ? "TLS" : "mutual TLS",
                      token_.empty() ? ", no token" : ", token");
}

std::shared_ptr<grpc::Channel> CreateEntropicChannel(
    const std::string& address, const ClientSecurity& security,
    const grpc::ChannelArguments& args) {
  grpc::ChannelArguments sized = args;
  const grpc_channel_args given = sized.c_channel_args();
  auto has = [&given](absl::string_view key) {
    for (size_t i = 0; i < given.num_args; ++i) {
      if (key == given.args[i].key) return true;
    }
    return false;
  };
  const bool has_receive_limit = has(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH);
  const bool has_send_limit = has(GRPC_ARG_MAX_SEND_MESSAGE_LENGTH);
  if (!has_receive_limit) sized.SetMaxReceiveMessageSize(kMaxMessageBytes);
  if (!has_send_limit) sized.SetMaxSendMessageSize(kMaxMessageBytes);
  return grpc::CreateCustomChannel(address, security.Credentials(), sized);
}

const char* EnvOrEmpty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace entropic
