#include "learner/learner_server.h"

#include "absl/strings/str_cat.h"
#include "common/grpc_server.h"
#include "common/status_macros.h"
#include "learner/device.h"
#include "learner/trainer.h"

namespace entropic {

absl::StatusOr<std::unique_ptr<LearnerServer>> LearnerServer::Create(
    const Options& options, prometheus::Registry& registry) {
  if (options.replay_address.empty()) {
    return absl::InvalidArgumentError("replay_address: is required");
  }
  // Refused here, at start, rather than by every job.
  RETURN_IF_ERROR(UsableDevice(options.device).status());
  std::unique_ptr<LearnerServer> server(new LearnerServer());
  server->metrics_ = std::make_unique<LearnerMetrics>(registry);
  server->parameters_ = std::make_unique<ParameterStore>();

  TrainerOptions trainer;
  trainer.replay_address = options.replay_address;
  trainer.replay_security = options.replay_security;
  trainer.device = options.device;
  trainer.parameters = server->parameters_.get();
  trainer.metrics = server->metrics_.get();
  JobManager::Options job_options;
  job_options.replay_address = options.replay_address;
  job_options.output_root = options.output_root;
  job_options.keep_records = options.keep_job_records;
  job_options.max_running_jobs = options.max_running_jobs;
  server->jobs_ = std::make_unique<JobManager>(
      job_options,
      [trainer](LiveJob& job) { return RunTraining(job, trainer); },
      server->metrics_.get());

  server->jobs_service_ =
      std::make_unique<JobsServiceImpl>(server->jobs_.get());
  server->work_service_ =
      std::make_unique<WorkServiceImpl>(server->jobs_.get());
  server->parameters_service_ =
      std::make_unique<ParametersServiceImpl>(server->parameters_.get());

  ASSIGN_OR_RETURN(
      StartedServer started,
      StartGrpcServer(options.host, options.port,
                      {server->jobs_service_.get(), server->work_service_.get(),
                       server->parameters_service_.get()},
                      options.max_message_bytes, options.security));
  server->server_ = std::move(started.server);
  server->port_ = started.port;
  return server;
}

LearnerServer::~LearnerServer() { Shutdown(); }

void LearnerServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  // Trainers end first, so weights streams and watches finish cleanly.
  // Parts are missing when Create failed half-way.
  if (jobs_) jobs_->Shutdown();
  if (server_) server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
}

}  // namespace entropic
