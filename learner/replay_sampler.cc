#include "learner/replay_sampler.h"

#include <glog/logging.h>
#include <torch/torch.h>

#include "common/backoff.h"
#include "common/grpc_status.h"

namespace entropic {

ReplaySampler::ReplaySampler(std::shared_ptr<grpc::Channel> replay,
                             const Options& options)
    : stub_(v1::ReplayService::NewStub(std::move(replay))), options_(options) {
  thread_ = std::thread([this] { PrefetchLoop(); });
}

ReplaySampler::~ReplaySampler() { Stop(); }

void ReplaySampler::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void ReplaySampler::SetMix(const Mix& mix) {
  absl::MutexLock lock(&mu_);
  mix_ = mix;
}

absl::StatusOr<TransitionBatch> ReplaySampler::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !ready_.empty();
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&ready), timeout)) {
    return absl::DeadlineExceededError("no batch from replay yet");
  }
  absl::StatusOr<TransitionBatch> batch = std::move(ready_.front());
  ready_.pop_front();
  return batch;
}

void ReplaySampler::PrefetchLoop() {
  // Not InferenceMode: its tensors could not take part in the update.
  torch::NoGradGuard no_grad;
  Backoff backoff(Backoff::Options{});
  v1::SampleRequest request;
  request.set_job_id(options_.job_id);
  request.set_table(options_.table);
  request.set_batch_size(options_.batch_size);
  request.set_n_step(options_.n_step);
  request.set_gamma(options_.gamma);
  request.set_demonstrations_table(options_.demonstrations_table);
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopped_ || static_cast<int>(ready_.size()) < options_.depth;
      };
      mu_.Await(absl::Condition(&room));
      if (stopped_) return;
      if (!options_.demonstrations_table.empty()) {
        request.set_demonstration_fraction(mix_.demonstration_fraction);
      }
      request.set_importance_exponent(mix_.importance_exponent);
    }
    // Short deadlines keep Stop() prompt while replay holds the sample back.
    grpc::ClientContext context;
    context.set_deadline(
        absl::ToChronoTime(absl::Now() + absl::Milliseconds(500)));
    v1::SampleResponse response;
    const grpc::Status status = stub_->Sample(&context, request, &response);
    absl::StatusOr<TransitionBatch> batch;
    if (status.ok()) {
      backoff.Reset();
      batch = BatchFromSample(response, options_.device);
    } else if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      continue;
    } else if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
               status.error_code() == grpc::StatusCode::CANCELLED) {
      LOG_EVERY_N(WARNING, 20)
          << "sampling from replay failed: " << status.error_message()
          << "; retrying";
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopped_), backoff.NextDelay());
      continue;
    } else {
      batch = FromGrpcStatus(status);
    }
    absl::MutexLock lock(&mu_);
    ready_.push_back(std::move(batch));
  }
}

}  // namespace entropic
