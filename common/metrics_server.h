#ifndef ENTROPIC_COMMON_METRICS_SERVER_H_
#define ENTROPIC_COMMON_METRICS_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "prometheus/registry.h"

namespace entropic {

// Serves one process's prometheus::Registry in the Prometheus text format at
// http://HOST:PORT/metrics (HTTP/1.0, GET only; other paths get 404).
//
// A small server of our own rather than prometheus-cpp's civetweb exposer:
// that one fails to start in processes that also load LibTorch here. One
// thread answers scrapes one at a time, which is all Prometheus needs.
class MetricsServer {
 public:
  // Binds `host`:`port`; port 0 picks a free one (see port()). Returns
  // Unavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Create(
      const std::string& host, int port,
      std::shared_ptr<prometheus::Registry> registry);

  // Stops serving and joins the thread.
  ~MetricsServer();

  // The port actually bound.
  int port() const { return port_; }

 private:
  MetricsServer(int listen_fd, int port,
                std::shared_ptr<prometheus::Registry> registry);

  void ServeLoop();
  void Answer(int connection);

  const int listen_fd_;
  const int port_;
  const std::shared_ptr<prometheus::Registry> registry_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace entropic

#endif  // ENTROPIC_COMMON_METRICS_SERVER_H_
