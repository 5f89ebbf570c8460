#ifndef ENTROPIC_COMMON_METRICS_SERVER_H_
#define ENTROPIC_COMMON_METRICS_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "prometheus/registry.h"

struct MHD_Daemon;

namespace entropic {

// Serves one process's prometheus::Registry in the Prometheus text format at
// http://HOST:PORT/metrics (GET; other paths get 404, other methods 405),
// with libmicrohttpd: one polling thread for every connection, so an idle
// or slow client never delays a scrape.
//
// Not prometheus-cpp's own exposer: its civetweb (Debian's build) starts
// worker threads with 100 KiB stacks, and in a process that loads LibTorch
// the static TLS of its libraries (OpenBLAS, glog, ...) needs about 108 KiB,
// so pthread_create fails and the exposer throws.
class MetricsServer {
 public:
  // Binds `host`:`port`; port 0 picks a free one (see port()). Returns
  // Unavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Create(
      const std::string& host, int port,
      std::shared_ptr<prometheus::Registry> registry);

  // Stops serving: joins the polling thread and closes every connection.
  ~MetricsServer();

  // The port actually bound.
  int port() const { return port_; }

 private:
  MetricsServer(int port, std::shared_ptr<prometheus::Registry> registry);

  const int port_;
  const std::shared_ptr<prometheus::Registry> registry_;
  MHD_Daemon* daemon_ = nullptr;
};

}  // namespace entropic

#endif  // ENTROPIC_COMMON_METRICS_SERVER_H_
