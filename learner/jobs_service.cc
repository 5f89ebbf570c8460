#include "learner/jobs_service.h"

#include <deque>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc_status.h"
#include "learner/notified_write_reactor.h"

namespace entropic {
namespace {

grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context,
                                absl::StatusOr<v1::Job> job,
                                v1::Job* response) {
  if (job.ok()) *response = std::move(job).value();
  return FinishNow(context, job.status());
}

// Finishes `reactor` with the manager's answer, on whichever thread gives it:
// the RPC's own for a refusal, the manager's records thread once a record is
// written. `response` lives until the reactor finishes.
JobManager::JobDone FinishWhenAnswered(grpc::ServerUnaryReactor* reactor,
                                       v1::Job* response) {
  return [reactor, response](absl::StatusOr<v1::Job> job) {
    if (job.ok()) *response = std::move(job).value();
    reactor->Finish(ToGrpcStatus(job.status()));
  };
}

bool IsFinal(v1::JobState state) {
  return state == v1::SUCCEEDED || state == v1::FAILED ||
         state == v1::CANCELLED;
}

// Streams one job's events: a SNAPSHOT, then the log as it grows, ending
// after the event that puts the job in a final state.
class WatchReactor final : public NotifiedWriteReactor<v1::JobEvent> {
 public:
  explicit WatchReactor(std::shared_ptr<LiveJob> job) : job_(std::move(job)) {
    auto [snapshot, cursor] = job_->SnapshotAndCursor();
    v1::JobEvent first;
    first.set_kind(v1::JobEvent::SNAPSHOT);
    *first.mutable_job() = std::move(snapshot);
    {
      absl::MutexLock lock(&mu_);
      pending_.push_back(std::move(first));
      cursor_ = cursor;
    }
    Start(job_->Subscribe([this] { Pump(); }));
  }

 private:
  const v1::JobEvent* NextLocked(std::optional<grpc::Status>& finish) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (wrote_final_) {
      finish = grpc::Status::OK;
      return nullptr;
    }
    if (pending_.empty()) {
      for (v1::JobEvent& event : job_->EventsAfter(cursor_)) {
        pending_.push_back(std::move(event));
      }
    }
    if (pending_.empty()) return nullptr;
    current_ = std::move(pending_.front());
    pending_.pop_front();
    wrote_final_ = IsFinal(current_.job().state());
    return &current_;
  }

  const std::shared_ptr<LiveJob> job_;
  std::deque<v1::JobEvent> pending_ ABSL_GUARDED_BY(mu_);
  uint64_t cursor_ ABSL_GUARDED_BY(mu_) = 0;
  v1::JobEvent current_ ABSL_GUARDED_BY(mu_);
  bool wrote_final_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::ServerUnaryReactor* JobsServiceImpl::SubmitJob(
    grpc::CallbackServerContext* context, const v1::SubmitJobRequest* request,
    v1::Job* response) {
  // The job's record is written on the manager's records thread, not here:
  // reactions never block.
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  jobs_->SubmitAsync(request->spec(), FinishWhenAnswered(reactor, response));
  return reactor;
}

grpc::ServerUnaryReactor* JobsServiceImpl::GetJob(
    grpc::CallbackServerContext* context, const v1::GetJobRequest* request,
    v1::Job* response) {
  return Reply(context, jobs_->Get(request->job_id()), response);
}

grpc::ServerUnaryReactor* JobsServiceImpl::ListJobs(
    grpc::CallbackServerContext* context, const v1::ListJobsRequest* request,
    v1::ListJobsResponse* response) {
  for (v1::Job& job : jobs_->List()) *response->add_jobs() = std::move(job);
  return FinishNow(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* JobsServiceImpl::CancelJob(
    grpc::CallbackServerContext* context, const v1::CancelJobRequest* request,
    v1::Job* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  jobs_->CancelAsync(request->job_id(), FinishWhenAnswered(reactor, response));
  return reactor;
}

grpc::ServerWriteReactor<v1::JobEvent>* JobsServiceImpl::WatchJob(
    grpc::CallbackServerContext* context, const v1::WatchJobRequest* request) {
  absl::StatusOr<std::shared_ptr<LiveJob>> job = jobs_->Find(request->job_id());
  if (!job.ok()) {
    // A reactor that only reports the error.
    class Refusal final : public grpc::ServerWriteReactor<v1::JobEvent> {
     public:
      explicit Refusal(const absl::Status& status) {
        Finish(ToGrpcStatus(status));
      }
      void OnDone() override { delete this; }
    };
    return new Refusal(job.status());
  }
  return new WatchReactor(std::move(job).value());
}

}  // namespace entropic
