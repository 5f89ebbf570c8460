#ifndef ENTROPIC_LEARNER_LEARNER_SERVER_H_
#define ENTROPIC_LEARNER_LEARNER_SERVER_H_

#include <grpcpp/server.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/message_size.h"
#include "common/security.h"
#include "learner/job_manager.h"
#include "learner/jobs_service.h"
#include "learner/learner_metrics.h"
#include "learner/parameter_store.h"
#include "learner/parameters_service.h"
#include "learner/work_service.h"
#include "prometheus/registry.h"

namespace entropic {

// The learner process's gRPC server: the jobs, work and parameters services
// over one JobManager and ParameterStore, with trainers that run on
// `device`. Used by `entropic-learner` and by `entropic run`.
class LearnerServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";  // loopback unless told otherwise
    int port = 0;                    // 0 picks a free port (see port())
    // host:port of replay, for trainers and for actors' assignments.
    std::string replay_address;
    // Jobs write checkpoints and curves to output_root/<job id>.
    std::string output_root = "runs";
    // Keep job records under output_root and resume unfinished jobs after a
    // restart (JobManager::Options::keep_records).
    bool keep_job_records = false;
    std::string device = "cpu";
    int max_running_jobs = 1;
    // Largest request or response accepted; clients accept
    // kMaxMessageBytes, so larger values would not reach them.
    int max_message_bytes = kMaxMessageBytes;
    // The learner's own server: TLS, client certificates, tokens.
    ServerSecurity security;
    // How trainers connect to replay (TLS, the learner's token).
    ClientSecurity replay_security;
  };

  // InvalidArgument for missing options or a device LibTorch cannot use;
  // Unavailable if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<LearnerServer>> Create(
      const Options& options, prometheus::Registry& registry);

  ~LearnerServer();

  int port() const { return port_; }
  JobManager& jobs() { return *jobs_; }

  // Cancels running jobs and waits for their checkpoints, then stops the
  // server, waiting at most `grace` for calls in flight.
  // Streams stay open as long as their clients like, so the rest are
  // cancelled then: a stop takes about `grace`, whatever clients do.
  void Shutdown(absl::Duration grace = absl::Milliseconds(500));

 private:
  LearnerServer() = default;

  std::unique_ptr<LearnerMetrics> metrics_;
  std::unique_ptr<ParameterStore> parameters_;
  std::unique_ptr<JobManager> jobs_;
  std::unique_ptr<JobsServiceImpl> jobs_service_;
  std::unique_ptr<WorkServiceImpl> work_service_;
  std::unique_ptr<ParametersServiceImpl> parameters_service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_LEARNER_SERVER_H_
