#include "cli/job_client.h"

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace entropic {
namespace {

bool IsFinal(v1::JobState state) {
  return state == v1::SUCCEEDED || state == v1::FAILED ||
         state == v1::CANCELLED;
}

}  // namespace

JobClient::JobClient(const std::string& learner_address,
                     const ClientSecurity& security, absl::Duration timeout)
    : learner_address_(learner_address),
      timeout_(timeout),
      stub_(v1::JobsService::NewStub(
          CreateEntropicChannel(learner_address, security))) {}

absl::Status JobClient::Explain(const absl::Status& status) const {
  if (status.code() == absl::StatusCode::kUnavailable ||
      status.code() == absl::StatusCode::kDeadlineExceeded) {
    return absl::Status(
        status.code(),
        absl::StrCat("cannot reach the learner at ", learner_address_, " (",
                     status.message(), ")"));
  }
  if (status.message().empty()) {
    // What gRPC says when the other end is not an Entropic learner (a
    // metrics port, another service): a bare code.
    return absl::Status(
        status.code(),
        absl::StrCat(learner_address_, " answered ",
                     absl::StatusCodeToString(status.code()),
                     " with no message: is it the learner's gRPC port?"));
  }
  return status;
}

template <typename Request, typename Response>
absl::StatusOr<Response> JobClient::Call(
    grpc::Status (v1::JobsService::Stub::*method)(grpc::ClientContext*,
                                                  const Request&, Response*),
    const Request& request) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  Response response;
  const grpc::Status status =
      (stub_.get()->*method)(&context, request, &response);
  if (!status.ok()) return Explain(FromGrpcStatus(status));
  return response;
}

absl::StatusOr<v1::Job> JobClient::Submit(const v1::JobSpec& spec) {
  v1::SubmitJobRequest request;
  *request.mutable_spec() = spec;
  return Call(&v1::JobsService::Stub::SubmitJob, request);
}

absl::StatusOr<v1::Job> JobClient::Get(const std::string& job_id) {
  v1::GetJobRequest request;
  request.set_job_id(job_id);
  return Call(&v1::JobsService::Stub::GetJob, request);
}

absl::StatusOr<std::vector<v1::Job>> JobClient::List() {
  absl::StatusOr<v1::ListJobsResponse> response =
      Call(&v1::JobsService::Stub::ListJobs, v1::ListJobsRequest());
  if (!response.ok()) return response.status();
  return std::vector<v1::Job>(response->jobs().begin(), response->jobs().end());
}

absl::StatusOr<v1::Job> JobClient::Cancel(const std::string& job_id) {
  v1::CancelJobRequest request;
  request.set_job_id(job_id);
  return Call(&v1::JobsService::Stub::CancelJob, request);
}

absl::StatusOr<v1::Job> JobClient::Watch(
    const std::string& job_id,
    const std::function<void(const v1::JobEvent&)>& on_event) {
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (watch_cancelled_) return absl::CancelledError("watch cancelled");
    watch_context_ = &context;
  }
  v1::WatchJobRequest request;
  request.set_job_id(job_id);
  auto stream = stub_->WatchJob(&context, request);
  v1::JobEvent event;
  v1::Job last;
  while (stream->Read(&event)) {
    last = event.job();
    on_event(event);
  }
  const grpc::Status status = stream->Finish();
  {
    absl::MutexLock lock(&mu_);
    watch_context_ = nullptr;
  }
  if (!status.ok()) return Explain(FromGrpcStatus(status));
  if (!IsFinal(last.state())) {
    return absl::UnavailableError(
        absl::StrCat("the watch of job ", job_id, " ended before the job"));
  }
  return last;
}

void JobClient::CancelWatch() {
  absl::MutexLock lock(&mu_);
  watch_cancelled_ = true;
  if (watch_context_ != nullptr) watch_context_->TryCancel();
}

}  // namespace entropic
