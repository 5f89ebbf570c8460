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
  if (!options.checkpoint_dir.empty()) {
    Durability::Options durability;
    durability.directory = options.checkpoint_dir;
    durability.flush = options.flush;
    durability.fsync_interval = options.fsync_interval;
    durability.snapshot_every_bytes = options.snapshot_every_bytes;
    TableStore* store = server->store_.get();
    ASSIGN_OR_RETURN(server->durability_,
                     Durability::Open(
                         durability,
                         [store](v1::LogRecord& record) {
                           return store->ApplyRecord(record);
                         },
                         &server->recovery_));
    server->store_->AttachDurability(server->durability_.get());
    server->metrics_->recovery_seconds().Set(
        absl::ToDoubleSeconds(server->recovery_.duration));
    server->metrics_->recovered_records().Set(server->recovery_.records);
    server->metrics_->corrupt_log_tails().Increment(
        server->recovery_.corrupt_tails);
    server->checkpointer_ = std::make_unique<Checkpointer>(
        server->store_.get(), server->metrics_.get());
  }
  server->service_ = std::make_unique<ReplayServiceImpl>(
      server->store_.get(), server->metrics_.get(),
      server->checkpointer_.get(), options.max_message_bytes);

  ASSIGN_OR_RETURN(
      StartedServer started,
      StartGrpcServer(options.host, options.port, {server->service_.get()},
                      options.max_message_bytes, options.security));
  server->server_ = std::move(started.server);
  server->port_ = started.port;
  return server;
}

ReplayServer::~ReplayServer() { Shutdown(); }

void ReplayServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  // Parts are missing when Create failed half-way.
  if (store_) store_->CloseAll();
  if (server_) server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  // Stop snapshotting before the tables and the log go.
  checkpointer_.reset();
}

}  // namespace entropic
