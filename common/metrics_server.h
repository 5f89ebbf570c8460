#ifndef ENTROPIC_COMMON_METRICS_SERVER_H_
#define ENTROPIC_COMMON_METRICS_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace entropic {

// Serves one process's prometheus::Registry at http://HOST:PORT/metrics.
// Thread-safe (prometheus-cpp serves scrapes on its own threads).
class MetricsServer {
 public:
  // Binds `host`:`port`; port 0 picks a free one (see port()). Returns
  // Unavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Create(
      const std::string& host, int port,
      std::shared_ptr<prometheus::Registry> registry);

  // The port actually bound.
  int port() const { return port_; }

 private:
  MetricsServer(std::unique_ptr<prometheus::Exposer> exposer,
                std::shared_ptr<prometheus::Registry> registry, int port)
      : exposer_(std::move(exposer)),
        registry_(std::move(registry)),
        port_(port) {}

  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<prometheus::Registry> registry_;
  int port_;
};

}  // namespace entropic

#endif  // ENTROPIC_COMMON_METRICS_SERVER_H_
