#include "learner/work_service.h"

#include "common/grpc_status.h"

namespace entropic {

grpc::ServerUnaryReactor* WorkServiceImpl::GetWork(
    grpc::CallbackServerContext* context, const v1::GetWorkRequest* request,
    v1::GetWorkResponse* response) {
  *response = jobs_->GetWork(*request);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* WorkServiceImpl::ReportProgress(
    grpc::CallbackServerContext* context,
    const v1::ReportProgressRequest* request,
    v1::ReportProgressResponse* response) {
  absl::StatusOr<v1::ReportProgressResponse> result =
      jobs_->ReportProgress(*request);
  if (result.ok()) *response = std::move(result).value();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

}  // namespace entropic
