#ifndef ENTROPIC_REPLAY_REPLAY_SERVER_H_
#define ENTROPIC_REPLAY_REPLAY_SERVER_H_

#include <grpcpp/server.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/message_size.h"
#include "common/security.h"
#include "prometheus/registry.h"
#include "replay/checkpointer.h"
#include "replay/durability/durability.h"
#include "replay/replay_metrics.h"
#include "replay/replay_service.h"
#include "replay/table_store.h"

namespace entropic {

// The replay process's gRPC server: tables, service and server, with an
// ordered shutdown. Used by `entropic-replay` and by `entropic run`.
class ReplayServer {
 public:
  struct Options {
    // Address to listen on (loopback unless told otherwise); port 0 picks a
    // free port (see port()).
    std::string host = "127.0.0.1";
    int port = 0;
    // Largest request or response accepted; clients accept
    // kMaxMessageBytes, so larger values would not reach them.
    int max_message_bytes = kMaxMessageBytes;
    // Where durable tables are logged and snapshotted; empty: no durable
    // tables. Whatever it holds is restored before serving.
    std::string checkpoint_dir;
    FlushPolicy flush = FlushPolicy::kWrite;
    absl::Duration fsync_interval = absl::Milliseconds(2);
    // A snapshot is taken once the log has grown this much since the last,
    // which bounds recovery time.
    int64_t snapshot_every_bytes = int64_t{256} << 20;
    // TLS, client certificates and tokens (docs/security.md); default
    // plaintext.
    ServerSecurity security;
  };

  // Restores the checkpoint directory, if any, then starts serving.
  // Unavailable if the address cannot be bound; recovery's errors (e.g.
  // FailedPrecondition for files of a newer format version).
  static absl::StatusOr<std::unique_ptr<ReplayServer>> Create(
      const Options& options, prometheus::Registry& registry);

  // Shuts down (see Shutdown) if still serving.
  ~ReplayServer();

  int port() const { return port_; }
  TableStore& store() { return *store_; }
  // What the start-up recovery did (zero without a checkpoint_dir).
  const RecoveryStats& recovery() const { return recovery_; }

  // Stops accepting calls, closes the tables (waiters get CANCELLED), and
  // shuts the server down, waiting at most `grace` for calls in flight.
  // Streams stay open as long as their clients like, so the rest are
  // cancelled then: a stop takes about `grace`, whatever clients do.
  void Shutdown(absl::Duration grace = absl::Milliseconds(500));

 private:
  ReplayServer() = default;

  std::unique_ptr<ReplayMetrics> metrics_;
  std::unique_ptr<TableStore> store_;
  std::unique_ptr<Durability> durability_;
  std::unique_ptr<Checkpointer> checkpointer_;
  RecoveryStats recovery_;
  std::unique_ptr<ReplayServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_REPLAY_SERVER_H_
