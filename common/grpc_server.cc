#include "common/grpc_server.h"

#include <grpc/grpc.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"

namespace entropic {

absl::StatusOr<StartedServer> StartGrpcServer(
    const std::string& host, int port,
    const std::vector<grpc::Service*>& services, int max_message_bytes,
    const ServerSecurity& security) {
  const std::string address = absl::StrCat(host, ":", port);
  StartedServer started;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, security.Credentials(), &started.port);
  for (grpc::Service* service : services) builder.RegisterService(service);
  builder.SetMaxReceiveMessageSize(max_message_bytes);
  builder.SetMaxSendMessageSize(max_message_bytes);
  // gRPC sets SO_REUSEPORT by default, which lets a second process of the
  // same user bind a port already served and take a share of its
  // connections; a taken port is an error instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  started.server = builder.BuildAndStart();
  if (started.server == nullptr || started.port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", address,
        security.tls() ? ": the port is in use, the host is not an address of "
                         "this machine, or tls_cert and tls_key do not match"
                       : ": the port is in use, or the host is not an address "
                         "of this machine"));
  }
  return started;
}

}  // namespace entropic
