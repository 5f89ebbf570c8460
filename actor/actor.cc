#include "actor/actor.h"

#include <glog/logging.h>

#include "actor/assignment.h"
#include "common/grpc_status.h"

namespace entropic {

absl::StatusOr<std::unique_ptr<Actor>> Actor::Create(const Options& options,
                                                     ActorMetrics* metrics) {
  if (options.learner_address.empty()) {
    return absl::InvalidArgumentError("learner_address: is required");
  }
  return std::unique_ptr<Actor>(new Actor(options, metrics));
}

Actor::Actor(const Options& options, ActorMetrics* metrics)
    : options_(options),
      metrics_(metrics),
      learner_(
          CreateEntropicChannel(options.learner_address, options.security)),
      work_(v1::WorkService::NewStub(learner_)) {}

void Actor::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
}

void Actor::Sleep(absl::Duration delay) {
  stop_.WaitForNotificationWithTimeout(delay);
}

absl::Status Actor::Run() {
  Backoff backoff(options_.backoff);
  bool warned = false;
  while (!stop_.HasBeenNotified()) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    v1::GetWorkRequest request;
    request.set_actor_name(options_.name);
    v1::GetWorkResponse response;
    const grpc::Status status = work_->GetWork(&context, request, &response);
    if (!status.ok()) {
      const bool refused =
          status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
          status.error_code() == grpc::StatusCode::PERMISSION_DENIED;
      if (!warned) {
        LOG(WARNING) << options_.name << ": learner at "
                     << options_.learner_address
                     << (refused ? " refused this actor's credentials ("
                                   "--token_file, ENTROPIC_TOKEN): "
                                 : " not reachable: ")
                     << status.error_message() << "; retrying with backoff";
        warned = true;
      }
      Sleep(backoff.NextDelay());
      continue;
    }
    warned = false;
    backoff.Reset();
    if (!response.has_assignment()) {
      const absl::Duration wait =
          absl::Seconds(response.retry_after().seconds()) +
          absl::Nanoseconds(response.retry_after().nanos());
      Sleep(std::max(wait, absl::Milliseconds(50)));
      continue;
    }
    AssignmentOptions assignment;
    assignment.assignment = response.assignment();
    assignment.learner = learner_;
    assignment.replay_security = options_.security;
    assignment.metrics = metrics_;
    assignment.report_interval = options_.report_interval;
    assignment.backoff = options_.backoff;
    assignment.max_unacknowledged_chunks = options_.max_unacknowledged_chunks;
    assignment.stop = &stop_;
    metrics_->assignments.Increment();
    const absl::Status result = RunAssignment(assignment);
    metrics_->assignments.Decrement();
    if (!result.ok()) {
      LOG(ERROR) << options_.name << ": assignment "
                 << response.assignment().actor_id() << " of job "
                 << response.assignment().job_id() << " failed: " << result;
      Sleep(backoff.NextDelay());
    }
  }
  return absl::OkStatus();
}

}  // namespace entropic
