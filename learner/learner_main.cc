// entropic-learner: serves the jobs, work and parameters APIs over gRPC and
// trains the submitted jobs until SIGINT or SIGTERM.
#include <gflags/gflags.h>
#include <glog/logging.h>
#include <torch/utils.h>

#include <cstdlib>
#include <memory>

#include "common/metrics_server.h"
#include "common/process.h"
#include "common/security.h"
#include "learner/learner_server.h"

DEFINE_string(host, "127.0.0.1",
              "Address to serve gRPC on; 0.0.0.0 for every interface");
DEFINE_int32(port, 7200, "gRPC port; 0 picks a free one");
DEFINE_string(metrics_host, "127.0.0.1",
              "Address to serve metrics on (plain HTTP); 0.0.0.0 for every "
              "interface");
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
// As replay's client (role learner); replay's certificate must be valid for
// the host of --replay, which actors are handed too.
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
  entropic::InitProcess("entropic-learner --replay=HOST:PORT", &argc, &argv);
  if (FLAGS_torch_threads > 0) torch::set_num_threads(FLAGS_torch_threads);

  entropic::ServerSecurity::Options security_options;
  security_options.tls_cert = FLAGS_tls_cert;
  security_options.tls_key = FLAGS_tls_key;
  security_options.tls_client_ca = FLAGS_tls_client_ca;
  security_options.auth_tokens = FLAGS_auth_tokens;
  absl::StatusOr<entropic::ServerSecurity> security =
      entropic::ServerSecurity::Create(security_options);
  if (!security.ok()) {
    return entropic::StartupFailure("entropic-learner", security.status());
  }
  entropic::ClientSecurity::Options client_options;
  client_options.tls_ca = FLAGS_tls_ca;
  client_options.tls_client_cert = FLAGS_tls_client_cert;
  client_options.tls_client_key = FLAGS_tls_client_key;
  client_options.token = entropic::EnvOrEmpty("ENTROPIC_TOKEN");
  client_options.token_file = FLAGS_token_file;
  absl::StatusOr<entropic::ClientSecurity> client_security =
      entropic::ClientSecurity::Create(client_options);
  if (!client_security.ok()) {
    return entropic::StartupFailure("entropic-learner", client_security.status());
  }
  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<entropic::MetricsServer>> metrics =
      entropic::MetricsServer::Create(FLAGS_metrics_host, FLAGS_metrics_port,
                                      registry);
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
  options.security = *security;
  options.replay_security = *client_security;
  absl::StatusOr<std::unique_ptr<entropic::LearnerServer>> server =
      entropic::LearnerServer::Create(options, *registry);
  if (!server.ok()) {
    return entropic::StartupFailure("entropic-learner", server.status());
  }
  LOG(INFO) << "entropic-learner serving gRPC on " << FLAGS_host << ":"
            << (*server)->port() << " (" << security->Describe()
            << "; to replay: " << client_security->Describe() << ")"
            << ", metrics on port " << (*metrics)->port() << ", training on "
            << FLAGS_device;
  entropic::AnnounceReady("entropic-learner", (*server)->port(),
                          (*metrics)->port());
  const int signal = entropic::WaitForShutdownSignal();
  LOG(INFO) << "signal " << signal << ": shutting down";
  (*server)->Shutdown();
  return EXIT_SUCCESS;
}
