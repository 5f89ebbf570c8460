// entropic-learner: serves the jobs, work and parameters APIs over gRPC and
// trains the submitted jobs until SIGINT or SIGTERM.
#include <gflags/gflags.h>
#include <glog/logging.h>
#include <torch/utils.h>

#include <cstdlib>
#include <memory>

#include "common/metrics_server.h"
#include "common/process.h"
#include "learner/learner_server.h"

DEFINE_string(host, "0.0.0.0", "Address to serve gRPC on");
DEFINE_int32(port, 7200, "gRPC port; 0 picks a free one");
DEFINE_int32(metrics_port, 9200, "Prometheus metrics port; 0 picks a free one");
DEFINE_string(replay, "localhost:7100",
              "host:port of the replay service, as "
              "actors can reach it too");
DEFINE_string(output_dir, "runs", "Jobs write checkpoints and curves here");
DEFINE_string(device, "cpu", "LibTorch device for training: cpu or cuda[:N]");
DEFINE_int32(max_running_jobs, 1, "Jobs trained at once");
DEFINE_bool(keep_jobs, true,
            "Keep a record of every job under --output_dir and, at start, "
            "resume the unfinished ones from their last checkpoint");
DEFINE_int32(torch_threads, 0,
             "Intra-op threads for training; 0 keeps "
             "LibTorch's default");

int main(int argc, char** argv) {
  entropic::InitProcess("entropic-learner --replay=HOST:PORT", &argc, &argv);
  if (FLAGS_torch_threads > 0) torch::set_num_threads(FLAGS_torch_threads);

  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<entropic::MetricsServer>> metrics =
      entropic::MetricsServer::Create(FLAGS_host, FLAGS_metrics_port, registry);
  if (!metrics.ok()) {
    return entropic::StartupFailure("entropic-learner", metrics.status());
  }
  entropic::LearnerServer::Options options;
  options.host = FLAGS_host;
  options.port = FLAGS_port;
  options.replay_address = FLAGS_replay;
  options.output_root = FLAGS_output_dir;
  options.keep_job_records = FLAGS_keep_jobs;
  options.device = FLAGS_device;
  options.max_running_jobs = FLAGS_max_running_jobs;
  absl::StatusOr<std::unique_ptr<entropic::LearnerServer>> server =
      entropic::LearnerServer::Create(options, *registry);
  if (!server.ok()) {
    return entropic::StartupFailure("entropic-learner", server.status());
  }
  LOG(INFO) << "entropic-learner serving gRPC on port " << (*server)->port()
            << ", metrics on port " << (*metrics)->port() << ", training on "
            << FLAGS_device;
  entropic::AnnounceReady("entropic-learner", (*server)->port(),
                          (*metrics)->port());
  const int signal = entropic::WaitForShutdownSignal();
  LOG(INFO) << "signal " << signal << ": shutting down";
  (*server)->Shutdown();
  return EXIT_SUCCESS;
}
