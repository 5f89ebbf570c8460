// entropic-actor: asks a learner for work, steps environments with the job's
// policy and streams trajectory chunks to replay until SIGINT or SIGTERM.
#include <gflags/gflags.h>
#include <glog/logging.h>
#include <torch/utils.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "actor/actor.h"
#include "common/metrics_server.h"
#include "common/process.h"

DEFINE_string(learner, "localhost:7200", "host:port of the learner");
DEFINE_string(name, "", "Name in logs; default host-pid");
DEFINE_string(metrics_host, "0.0.0.0", "Address to serve metrics on");
DEFINE_int32(metrics_port, 9300, "Prometheus metrics port; 0 picks a free one");
DEFINE_int32(torch_threads, 1, "Intra-op threads for acting");

int main(int argc, char** argv) {
  entropic::InitProcess("entropic-actor --learner=HOST:PORT", &argc, &argv);
  torch::set_num_threads(FLAGS_torch_threads);

  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<entropic::MetricsServer>> metrics_server =
      entropic::MetricsServer::Create(FLAGS_metrics_host, FLAGS_metrics_port,
                                      registry);
  if (!metrics_server.ok()) {
    return entropic::StartupFailure("entropic-actor", metrics_server.status());
  }
  entropic::ActorMetrics metrics(*registry);

  entropic::Actor::Options options;
  options.learner_address = FLAGS_learner;
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  options.name =
      FLAGS_name.empty() ? absl::StrCat(host, "-", getpid()) : FLAGS_name;
  absl::StatusOr<std::unique_ptr<entropic::Actor>> actor =
      entropic::Actor::Create(options, &metrics);
  if (!actor.ok()) {
    return entropic::StartupFailure("entropic-actor", actor.status());
  }
  entropic::AnnounceReady("entropic-actor", 0, (*metrics_server)->port());
  std::thread signals([&] {
    const int signal = entropic::WaitForShutdownSignal();
    LOG(INFO) << "signal " << signal << ": stopping";
    (*actor)->Stop();
  });
  const absl::Status result = (*actor)->Run();
  // Run() only returns once stopped, which the signal thread caused.
  signals.join();
  return result.ok() ? EXIT_SUCCESS : EXIT_FAILURE;
}
