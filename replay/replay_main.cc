// entropic-replay: serves the replay tables of every job over gRPC and its
// metrics over HTTP until SIGINT or SIGTERM.
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/message_size.h"
#include "common/metrics_server.h"
#include "common/process.h"
#include "common/security.h"
#include "replay/replay_server.h"

DEFINE_string(host, "127.0.0.1",
              "Address to serve gRPC on; 0.0.0.0 for every interface");
DEFINE_int32(port, 7100, "gRPC port; 0 picks a free one");
DEFINE_string(metrics_host, "127.0.0.1",
              "Address to serve metrics on (plain HTTP); 0.0.0.0 for every "
              "interface");
DEFINE_int32(metrics_port, 9100, "Prometheus metrics port; 0 picks a free one");
DEFINE_int32(max_message_mb, entropic::kMaxMessageBytes >> 20,
             "Largest gRPC message accepted, in MiB; at most the default, "
             "which is what clients accept");
DEFINE_string(checkpoint_dir, "",
              "Directory for the write-ahead log and snapshots of durable "
              "tables, restored at start; empty: durable tables are refused");
DEFINE_string(flush, "write",
              "When a logged insert is acknowledged: 'write' (survives a "
              "crash of this process) or 'fsync' (survives a machine crash)");
DEFINE_int32(fsync_interval_ms, 2, "With --flush=fsync: group-commit window");
DEFINE_int32(snapshot_every_mb, 256,
             "Snapshot once the log grew this much: bounds recovery time");
// Security (docs/security.md); each flag defaults to its ENTROPIC_*
// environment variable.
DEFINE_string(tls_cert, entropic::EnvOrEmpty("ENTROPIC_TLS_CERT"),
              "PEM server certificate: serve gRPC over TLS (with --tls_key)");
DEFINE_string(tls_key, entropic::EnvOrEmpty("ENTROPIC_TLS_KEY"),
              "PEM private key of --tls_cert");
DEFINE_string(tls_client_ca, entropic::EnvOrEmpty("ENTROPIC_TLS_CLIENT_CA"),
              "PEM CA certificates: require client certificates signed by "
              "them (mutual TLS)");
DEFINE_string(auth_tokens, entropic::EnvOrEmpty("ENTROPIC_AUTH_TOKENS"),
              "File of 'ROLE TOKEN' lines (roles: actor, learner, user): "
              "every call needs a bearer token of a role allowed to make it");

int main(int argc, char** argv) {
  entropic::InitProcess("entropic-replay [--port=7100] [--metrics_port=9100]",
                        &argc, &argv);

  entropic::ServerSecurity::Options security_options;
  security_options.tls_cert = FLAGS_tls_cert;
  security_options.tls_key = FLAGS_tls_key;
  security_options.tls_client_ca = FLAGS_tls_client_ca;
  security_options.auth_tokens = FLAGS_auth_tokens;
  absl::StatusOr<entropic::ServerSecurity> security =
      entropic::ServerSecurity::Create(security_options);
  if (!security.ok()) {
    return entropic::StartupFailure("entropic-replay", security.status());
  }
  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<entropic::MetricsServer>> metrics =
      entropic::MetricsServer::Create(FLAGS_metrics_host, FLAGS_metrics_port,
                                      registry);
  if (!metrics.ok()) {
    return entropic::StartupFailure("entropic-replay", metrics.status());
  }
  entropic::ReplayServer::Options options;
  options.host = FLAGS_host;
  options.port = FLAGS_port;
  constexpr int kMaxMessageMb = entropic::kMaxMessageBytes >> 20;
  if (FLAGS_max_message_mb < 1 || FLAGS_max_message_mb > kMaxMessageMb) {
    return entropic::StartupFailure(
        "entropic-replay",
        absl::InvalidArgumentError(absl::StrCat(
            "--max_message_mb: must be in [1, ", kMaxMessageMb, "], got ",
            FLAGS_max_message_mb, " (clients accept messages of at most ",
            kMaxMessageMb, " MiB)")));
  }
  options.max_message_bytes = FLAGS_max_message_mb << 20;
  options.checkpoint_dir = FLAGS_checkpoint_dir;
  options.security = *security;
  if (FLAGS_flush == "fsync") {
    options.flush = entropic::FlushPolicy::kFsync;
  } else if (FLAGS_flush != "write") {
    return entropic::StartupFailure(
        "entropic-replay",
        absl::InvalidArgumentError(absl::StrCat(
            "--flush must be 'write' or 'fsync', got '", FLAGS_flush, "'")));
  }
  options.fsync_interval = absl::Milliseconds(FLAGS_fsync_interval_ms);
  options.snapshot_every_bytes = int64_t{FLAGS_snapshot_every_mb} << 20;
  absl::StatusOr<std::unique_ptr<entropic::ReplayServer>> server =
      entropic::ReplayServer::Create(options, *registry);
  if (!server.ok()) {
    return entropic::StartupFailure("entropic-replay", server.status());
  }
  if (!FLAGS_checkpoint_dir.empty()) {
    const entropic::RecoveryStats& recovery = (*server)->recovery();
    LOG(INFO) << "restored " << recovery.records << " records from "
              << recovery.files << " files in " << FLAGS_checkpoint_dir
              << " in " << absl::FormatDuration(recovery.duration);
  }
  LOG(INFO) << "entropic-replay serving gRPC on " << FLAGS_host << ":"
            << (*server)->port() << " (" << security->Describe() << ")"
            << ", metrics on port " << (*metrics)->port();
  entropic::AnnounceReady("entropic-replay", (*server)->port(),
                          (*metrics)->port());
  const int signal = entropic::WaitForShutdownSignal();
  LOG(INFO) << "signal " << signal << ": shutting down";
  (*server)->Shutdown();
  return EXIT_SUCCESS;
}
