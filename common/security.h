#ifndef ENTROPIC_COMMON_SECURITY_H_
#define ENTROPIC_COMMON_SECURITY_H_

#include <grpcpp/channel.h>
#include <grpcpp/security/auth_metadata_processor.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace entropic {

// Transport security and caller authentication for every gRPC service and
// channel of Entropic (docs/security.md):
// - TLS with server certificates, mutual TLS (client certificates) as an
//   option;
// - bearer tokens, each granting a role; every rpc is allowed to some roles
//   (the table in security.cc, RolesAllowed).
// Servers get their credentials from ServerSecurity, every client channel is
// made by CreateEntropicChannel; nothing else builds credentials.

// Who calls. A token grants one or more roles.
enum class Role : uint8_t {
  kActor = 1 << 0,    // entropic-actor: Insert, WorkService, ParametersService
  kLearner = 1 << 1,  // entropic-learner as replay's client
  kUser = 1 << 2,     // people and tools: JobsService, demonstrations upload
};
using RoleSet = uint8_t;  // bitwise or of Roles

// "actor", "learner", "user".
absl::string_view RoleName(Role role);
// InvalidArgument for anything but the three names above.
absl::StatusOr<Role> ParseRole(absl::string_view name);
// "actor,user"; "none" for the empty set.
std::string RoleSetName(RoleSet roles);

// The roles that may call `method`, a full gRPC method name as on the wire
// ("/entropic.v1.ReplayService/Insert"); 0 (nobody) for a method not in the
// table.
RoleSet RolesAllowed(absl::string_view method);

// Every method of the table, for tests and documentation.
std::vector<std::string> MethodsWithRoles();

// Equality of `given` with `secret` in a time that depends only on
// secret.size(), not on where they differ.
bool ConstantTimeEquals(absl::string_view given, absl::string_view secret);

// One token of a tokens file with the roles it grants.
struct RoleToken {
  std::string token;
  RoleSet roles = 0;
};

// Parses a tokens file: one "ROLE TOKEN" per line, '#' at the start of a
// line or after white space starts a comment, blank lines ignored; a token on
// several lines gets all their roles. Tokens are at least 16 printable
// non-space characters. InvalidArgument naming `source` and the line for
// anything else, or for a file without tokens.
absl::StatusOr<std::vector<RoleToken>> ParseTokens(absl::string_view text,
                                                   absl::string_view source);

// Checks each call's bearer token ("authorization: Bearer TOKEN") against the
// tokens and the method against the role table, before any handler runs:
// UNAUTHENTICATED for a missing or unknown token, PERMISSION_DENIED for a
// token whose roles may not call the method; a refused call never reaches
// the service, so it changes nothing. The token is removed from the metadata
// the service sees.
//
// Why an AuthMetadataProcessor rather than a check in each handler or an
// interceptor: it runs in gRPC's server auth filter for every call on secure
// credentials, whatever API (callback, sync, async) serves the method, and
// its status ends the call before the method's reactor is created; server
// interceptors in gRPC 1.51 cannot end a call. It needs TLS (gRPC only runs
// it with secure server credentials), which tokens require anyway.
// Thread-safe: immutable after construction; never blocks.
class TokenAuthenticator final : public grpc::AuthMetadataProcessor {
 public:
  explicit TokenAuthenticator(std::vector<RoleToken> tokens);

  bool IsBlocking() const override { return false; }
  grpc::Status Process(const InputMetadata& auth_metadata,
                       grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

  // The decision for one call, without gRPC: `authorization` is the header's
  // value ("" when absent).
  grpc::Status Check(absl::string_view method,
                     absl::string_view authorization) const;

 private:
  const std::vector<RoleToken> tokens_;
};

// A server's security settings, as files (the flags of the same names).
struct ServerSecurityOptions {
  // PEM server certificate (chain) and its private key; both or neither.
  // Neither: plaintext, for loopback only (entropic run, tests).
  std::string tls_cert;
  std::string tls_key;
  // PEM CA certificates that sign client certificates: set, clients must
  // present a certificate signed by one of them (mutual TLS). Needs TLS.
  std::string tls_client_ca;
  // Tokens file ("ROLE TOKEN" lines, see ParseTokens): set, every call needs
  // a bearer token whose role may call the method. Needs TLS.
  std::string auth_tokens;
};

// What a server listens with. Copyable; the default is plaintext without
// tokens.
class ServerSecurity {
 public:
  using Options = ServerSecurityOptions;

  ServerSecurity() = default;

  // Reads and checks the files. InvalidArgument (naming the option) for a
  // key without a certificate or the reverse, client CA or tokens without
  // TLS, a file that cannot be read or holds no PEM block, a malformed tokens
  // file.
  static absl::StatusOr<ServerSecurity> Create(const Options& options);

  // Fresh credentials for one listening port, with the token check
  // installed when there are tokens.
  std::shared_ptr<grpc::ServerCredentials> Credentials() const;

  bool tls() const { return !cert_pem_.empty(); }
  bool mutual_tls() const { return !client_ca_pem_.empty(); }
  bool tokens() const { return authenticator_ != nullptr; }
  // "plaintext", "TLS", "mutual TLS, tokens", ... for logs.
  std::string Describe() const;

 private:
  std::string cert_pem_;
  std::string key_pem_;
  std::string client_ca_pem_;
  std::shared_ptr<TokenAuthenticator> authenticator_;
};

// A client's security settings (the flags of the same names; the token may
// also come from the ENTROPIC_TOKEN environment variable, see main).
struct ClientSecurityOptions {
  // PEM CA certificates to trust for servers' certificates: set, channels
  // use TLS; empty, plaintext.
  std::string tls_ca;
  // PEM client certificate and key for mutual TLS; both or neither; need
  // tls_ca.
  std::string tls_client_cert;
  std::string tls_client_key;
  // The bearer token sent with every call, as a value or as a file holding
  // it (surrounding white space dropped); at most one of the two. Needs TLS.
  std::string token;
  std::string token_file;
};

// What a client connects with. Copyable; the default is plaintext without a
// token.
class ClientSecurity {
 public:
  using Options = ClientSecurityOptions;

  ClientSecurity() = default;

  // Reads and checks the files. InvalidArgument (naming the option) for a
  // token without TLS, both token and token_file, a certificate without its
  // key or the reverse, a client certificate without tls_ca, an unreadable
  // or empty file.
  static absl::StatusOr<ClientSecurity> Create(const Options& options);

  // TLS (with the client certificate, if any) or plaintext channel
  // credentials, with the token as call credentials when there is one.
  std::shared_ptr<grpc::ChannelCredentials> Credentials() const;

  bool tls() const { return !ca_pem_.empty(); }
  bool has_token() const { return !token_.empty(); }
  std::string Describe() const;

 private:
  std::string ca_pem_;
  std::string cert_pem_;
  std::string key_pem_;
  std::string token_;
};

// The one way Entropic opens a channel: `security`'s credentials, `args`
// (keepalive, reconnection) as given, and messages of up to kMaxMessageBytes
// each way (common/message_size.h), what servers may send, unless `args` set
// their own limits. gRPC's own default would refuse answers over 4 MiB.
std::shared_ptr<grpc::Channel> CreateEntropicChannel(
    const std::string& address, const ClientSecurity& security,
    const grpc::ChannelArguments& args = grpc::ChannelArguments());

// The value of environment variable `name`, or "" when unset: for flag
// defaults, so that every security flag can also be set by its ENTROPIC_*
// variable (the flag wins when both are given).
const char* EnvOrEmpty(const char* name);

}  // namespace entropic

#endif  // ENTROPIC_COMMON_SECURITY_H_
