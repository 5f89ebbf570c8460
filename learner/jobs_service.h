#ifndef ENTROPIC_LEARNER_JOBS_SERVICE_H_
#define ENTROPIC_LEARNER_JOBS_SERVICE_H_

#include "entropic/v1/jobs.grpc.pb.h"
#include "learner/job_manager.h"

namespace entropic {

// The jobs API over gRPC: converts and calls the JobManager. WatchJob streams
// a job's event log. SubmitJob and CancelJob are answered when the manager
// answers, on its records thread when a record is written first: no handler
// waits for the disk. Thread-safe.
class JobsServiceImpl final : public v1::JobsService::CallbackService {
 public:
  // `jobs` must outlive the service.
  explicit JobsServiceImpl(JobManager* jobs) : jobs_(jobs) {}

  grpc::ServerUnaryReactor* SubmitJob(grpc::CallbackServerContext* context,
                                      const v1::SubmitJobRequest* request,
                                      v1::Job* response) override;
  grpc::ServerUnaryReactor* GetJob(grpc::CallbackServerContext* context,
                                   const v1::GetJobRequest* request,
                                   v1::Job* response) override;
  grpc::ServerUnaryReactor* ListJobs(grpc::CallbackServerContext* context,
                                     const v1::ListJobsRequest* request,
                                     v1::ListJobsResponse* response) override;
  grpc::ServerUnaryReactor* CancelJob(grpc::CallbackServerContext* context,
                                      const v1::CancelJobRequest* request,
                                      v1::Job* response) override;
  grpc::ServerWriteReactor<v1::JobEvent>* WatchJob(
      grpc::CallbackServerContext* context,
      const v1::WatchJobRequest* request) override;

 private:
  JobManager* const jobs_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_JOBS_SERVICE_H_
