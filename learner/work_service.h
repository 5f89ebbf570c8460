#ifndef ENTROPIC_LEARNER_WORK_SERVICE_H_
#define ENTROPIC_LEARNER_WORK_SERVICE_H_

#include "entropic/v1/work.grpc.pb.h"
#include "learner/job_manager.h"

namespace entropic {

// Checks an actor's progress report before anything counts it:
// InvalidArgument naming the field (negative or absurd step counts,
// non-finite returns, empty ids).
absl::Status ValidateProgressReport(const v1::ReportProgressRequest& report);

// How actors get work, over gRPC: converts and calls the JobManager.
// Thread-safe.
class WorkServiceImpl final : public v1::WorkService::CallbackService {
 public:
  // `jobs` must outlive the service.
  explicit WorkServiceImpl(JobManager* jobs) : jobs_(jobs) {}

  grpc::ServerUnaryReactor* GetWork(grpc::CallbackServerContext* context,
                                    const v1::GetWorkRequest* request,
                                    v1::GetWorkResponse* response) override;
  grpc::ServerUnaryReactor* ReportProgress(
      grpc::CallbackServerContext* context,
      const v1::ReportProgressRequest* request,
      v1::ReportProgressResponse* response) override;

 private:
  JobManager* const jobs_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_WORK_SERVICE_H_
