#include "replay/replay_server.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace entropic {

absl::StatusOr<std::unique_ptr<ReplayServer>> ReplayServer::Create(
    const Options& options, prometheus::Registry& registry) {
  std::unique_ptr<ReplayServer> server(new ReplayServer());
  server->metrics_ = std::make_unique<ReplayMetrics>(registry);
  server->store_ = std::make_unique<TableStore>(server->metrics_.get());
  server->service_ = std::make_unique<ReplayServiceImpl>(
      server->store_.get(), server->metrics_.get());

  const std::string address = absl::StrCat(options.host, ":", options.port);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.RegisterService(server->service_.get());
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("replay: cannot listen on ", address));
  }
  return server;
}

ReplayServer::~ReplayServer() { Shutdown(); }

void ReplayServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  store_->CloseAll();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
}

}  // namespace entropic
