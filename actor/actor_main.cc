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
#include "common/security.h"

DEFINE_string(learner, "localhost:7200", "host:port of the learner");
DEFINE_string(name, "", "Name in logs; default host-pid");
DEFINE_string(metrics_host, "127.0.0.1",
              "Address to serve metrics on (plain HTTP); 0.0.0.0 for every "
              "interface");
DEFINE_int32(metrics_port, 9300, "Prometheus metrics port; 0 picks a free one");
DEFINE_int32(torch_threads, 1, "Intra-op threads for acting");
// Security for the learner and replay (docs/security.md); each flag defaults
// to its ENTROPIC_* environment variable.
DEFINE_string(tls_ca, entropic::EnvOrEmpty("ENTROPIC_TLS_CA"),
              "PEM CA certificates to trust: connect over TLS");
DEFINE_string(tls_client_cert, entropic::EnvOrEmpty("ENTROPIC_TLS_CLIENT_CERT"),
              "PEM client certificate for mutual TLS (with --tls_client_key)");
DEFINE_string(tls_client_key, entropic::EnvOrEmpty("ENTROPIC_TLS_CLIENT_KEY"),
              "PEM private key of --tls_client_cert");
DEFINE_string(token_file, entropic::EnvOrEmpty("ENTROPIC_TOKEN_FILE"),
              "File holding the bearer token sent with every call (or set "
              "the token itself in ENTROPIC_TOKEN)");

int main(int argc, char** argv) {
  entropic::InitProcess("entropic-actor --learner=HOST:PORT", &argc, &argv);
  torch::set_num_threads(FLAGS_torch_threads);

  entropic::ClientSecurity::Options client_options;
  client_options.tls_ca = FLAGS_tls_ca;
  client_options.tls_client_cert = FLAGS_tls_client_cert;
  client_options.tls_client_key = FLAGS_tls_client_key;
  client_options.token = entropic::EnvOrEmpty("ENTROPIC_TOKEN");
  client_options.token_file = FLAGS_token_file;
  absl::StatusOr<entropic::ClientSecurity> client_security =
      entropic::ClientSecurity::Create(client_options);
  if (!client_security.ok()) {
    return entropic::StartupFailure("entropic-actor", client_security.status());
  }
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
  options.security = *client_security;
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
