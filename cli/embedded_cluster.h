#ifndef ENTROPIC_CLI_EMBEDDED_CLUSTER_H_
#define ENTROPIC_CLI_EMBEDDED_CLUSTER_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "actor/actor.h"
#include "actor/actor_metrics.h"
#include "common/metrics_server.h"
#include "learner/learner_server.h"
#include "prometheus/registry.h"
#include "replay/replay_server.h"

namespace entropic {

// Replay, learner and actors in one process, as real gRPC servers and
// clients on loopback ports picked at start: what `entropic run` trains in.
// The same classes the entropic-* binaries run, so a job behaves as it would
// on a cluster.
class EmbeddedCluster {
 public:
  struct Options {
    int actors = 1;
    // Jobs write checkpoints and curves under this directory.
    std::string output_root = "runs";
    std::string device = "cpu";
    // Serve all components' metrics on this port; -1 serves none, 0 picks.
    int metrics_port = -1;
    // Replay's write-ahead log and snapshots, for jobs with durable tables;
    // empty: replay keeps everything in memory and refuses durable tables.
    std::string replay_checkpoint_dir;
  };

  static absl::StatusOr<std::unique_ptr<EmbeddedCluster>> Start(
      const Options& options);

  // Stop()s.
  ~EmbeddedCluster();

  std::string learner_address() const;
  int metrics_port() const { return metrics_ ? metrics_->port() : -1; }

  // Stops the actors, then the learner (running jobs are cancelled and
  // checkpointed), then replay. Idempotent.
  void Stop();

 private:
  EmbeddedCluster() = default;

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<MetricsServer> metrics_;
  std::unique_ptr<ReplayServer> replay_;
  std::unique_ptr<LearnerServer> learner_;
  std::unique_ptr<ActorMetrics> actor_metrics_;
  std::vector<std::unique_ptr<Actor>> actors_;
  std::vector<std::thread> actor_threads_;
  bool stopped_ = false;
};

}  // namespace entropic

#endif  // ENTROPIC_CLI_EMBEDDED_CLUSTER_H_
