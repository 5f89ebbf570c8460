// entropic-replay: serves the replay tables of every job over gRPC and its
// metrics over HTTP until SIGINT or SIGTERM.
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <cstdlib>
#include <memory>

#include "common/metrics_server.h"
#include "common/process.h"
#include "replay/replay_server.h"

DEFINE_string(host, "0.0.0.0", "Address to serve gRPC on");
DEFINE_int32(port, 7100, "gRPC port; 0 picks a free one");
DEFINE_int32(metrics_port, 9100, "Prometheus metrics port; 0 picks a free one");
DEFINE_int32(max_message_mb, 64, "Largest gRPC message accepted, in MiB");

int main(int argc, char** argv) {
  entropic::InitProcess("entropic-replay [--port=7100] [--metrics_port=9100]",
                        &argc, &argv);

  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<entropic::MetricsServer>> metrics =
      entropic::MetricsServer::Create(FLAGS_host, FLAGS_metrics_port, registry);
  if (!metrics.ok()) {
    LOG(ERROR) << metrics.status();
    return EXIT_FAILURE;
  }
  entropic::ReplayServer::Options options;
  options.host = FLAGS_host;
  options.port = FLAGS_port;
  options.max_message_bytes = FLAGS_max_message_mb << 20;
  absl::StatusOr<std::unique_ptr<entropic::ReplayServer>> server =
      entropic::ReplayServer::Create(options, *registry);
  if (!server.ok()) {
    LOG(ERROR) << server.status();
    return EXIT_FAILURE;
  }
  LOG(INFO) << "entropic-replay serving gRPC on port " << (*server)->port()
            << ", metrics on port " << (*metrics)->port();
  entropic::AnnounceReady("entropic-replay", (*server)->port(),
                          (*metrics)->port());
  const int signal = entropic::WaitForShutdownSignal();
  LOG(INFO) << "signal " << signal << ": shutting down";
  (*server)->Shutdown();
  return EXIT_SUCCESS;
}
