#ifndef ENTROPIC_COMMON_GRPC_SERVER_H_
#define ENTROPIC_COMMON_GRPC_SERVER_H_

#include <grpcpp/server.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/security.h"

namespace entropic {

struct StartedServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;  // the port bound (useful when 0 was asked for)
};

// Serves `services` (which must outlive the server) on host:port with
// `security`'s credentials (TLS, client certificates, the token check of
// every call), with messages up to `max_message_bytes` each way. Unavailable
// naming the address if it cannot be bound, also when another process
// serves it already (no SO_REUSEPORT), or if the certificate and key do not
// make a TLS server.
absl::StatusOr<StartedServer> StartGrpcServer(
    const std::string& host, int port,
    const std::vector<grpc::Service*>& services, int max_message_bytes,
    const ServerSecurity& security);

}  // namespace entropic

#endif  // ENTROPIC_COMMON_GRPC_SERVER_H_
