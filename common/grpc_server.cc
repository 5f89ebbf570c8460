#include "common/grpc_server.h"

#include <grpcpp/security/server_credentials.h>
#include <grpc/grpc.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"

namespace entropic {

absl::StatusOr<StartedServer> StartGrpcServer(
    const std::string& host, int port,
    const std::vector<grpc::Service*>& services, int max_message_bytes) {
  const std::string address = absl::StrCat(host, ":", port);
  StartedServer started;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(),
                           &started.port);
  for (grpc::Service* service : services) builder.RegisterService(service);
  // gRPC sets SO_REUSEPORT by default, which lets a second server bind a
  // port that is in use and share its calls: a busy port must fail instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(max_message_bytes);
  builder.SetMaxSendMessageSize(max_message_bytes);
  started.server = builder.BuildAndStart();
  if (started.server == nullptr || started.port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address,
                     ": the port is in use, or the host is not an address of "
                     "this machine"));
  }
  return started;
}

}  // namespace entropic
