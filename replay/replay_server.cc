#include "replay/replay_server.h"

#include "absl/time/clock.h"
#include "common/grpc_server.h"
#include "common/status_macros.h"

namespace entropic {

absl::StatusOr<std::unique_ptr<ReplayServer>> ReplayServer::Create(
    const Options& options, prometheus::Registry& registry) {
  std::unique_ptr<ReplayServer> server(new ReplayServer());
  server->metrics_ = std::make_unique<ReplayMetrics>(registry);
  server->store_ = std::make_unique<TableStore>(server->metrics_.get());
  server->service_ = std::make_unique<ReplayServiceImpl>(
      server->store_.get(), server->metrics_.get());

  ASSIGN_OR_RETURN(
      StartedServer started,
      StartGrpcServer(options.host, options.port, {server->service_.get()},
                      options.max_message_bytes));
  server->server_ = std::move(started.server);
  server->port_ = started.port;
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
