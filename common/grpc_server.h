#ifndef ENTROPIC_COMMON_GRPC_SERVER_H_
#define ENTROPIC_COMMON_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>

#include "absl/status/statusor.h"

namespace entropic {

struct StartedServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;  // the port bound (useful when 0 was asked for)
};

// Serves `services` (which must outlive the server) on host:port, with
// messages up to `max_message_bytes` each way. Unavailable naming the
// address if it cannot be bound.
absl::StatusOr<StartedServer> StartGrpcServer(
    const std::string& host, int port,
    const std::vector<grpc::Service*>& services, int max_message_bytes);

}  // namespace entropic

#endif  // ENTROPIC_COMMON_GRPC_SERVER_H_
