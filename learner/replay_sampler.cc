#include "learner/replay_sampler.h"

#include <glog/logging.h>
#include <torch/torch.h>

#include "common/backoff.h"
#include "common/exception_status.h"
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
    if (context_ != nullptr) context_->TryCancel();
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
  // At least once a second, as the channel reconnects (trainer.cc): the
  // learner samples again within about a second of replay's return.
  Backoff::Options retry;
  retry.max = absl::Seconds(1);
  Backoff backoff(retry);
  while (true) {
    const grpc::Status status = RunStream(backoff);
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
        status.error_code() == grpc::StatusCode::CANCELLED || status.ok()) {
      LOG_EVERY_N(WARNING, 20)
          << "sampling from replay failed: " << status.error_message()
          << "; retrying";
      mu_.AwaitWithTimeout(absl::Condition(&stopped_), backoff.NextDelay());
      continue;
    }
    // NotFound (replay lost the tables), InvalidArgument, ...: the trainer
    // decides. The next stream starts once it has taken the error.
    ready_.push_back(FromGrpcStatus(status));
  }
}

absl::StatusOr<TransitionBatch> ReplaySampler::Convert(
    const v1::SampleResponse& response) const {
  // No exception leaves the prefetch thread: a LibTorch error (out of
  // device memory, ...) reaches the trainer as the batch's status.
  try {
    return BatchFromSample(response, options_.demonstrations_table,
                           options_.device);
  } catch (const std::exception& e) {
    return InternalFromException("converting a sampled batch", e);
  }
}

grpc::Status ReplaySampler::RunStream(Backoff& backoff) {
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return grpc::Status::CANCELLED;
    context_ = &context;
  }
  auto stream = stub_->SampleStream(&context);
  v1::SampleRequest request;
  request.set_job_id(options_.job_id);
  request.set_table(options_.table);
  request.set_batch_size(options_.batch_size);
  request.set_n_step(options_.n_step);
  request.set_gamma(options_.gamma);
  request.set_demonstrations_table(options_.demonstrations_table);
  int outstanding = 0;
  while (true) {
    // Keep up to `depth` batches requested or ready, so the update loop
    // rarely waits on the network.
    bool writes_ok = true;
    while (writes_ok) {
      {
        absl::MutexLock lock(&mu_);
        if (stopped_ ||
            static_cast<int>(ready_.size()) + outstanding >= options_.depth) {
          break;
        }
        if (!options_.demonstrations_table.empty()) {
          request.set_demonstration_fraction(mix_.demonstration_fraction);
        }
        request.set_importance_exponent(mix_.importance_exponent);
      }
      writes_ok = stream->Write(request);
      if (writes_ok) ++outstanding;
    }
    if (outstanding == 0) {
      // A stream that broke with nothing in flight has no answer to read:
      // end it, so the loop starts a new one (writing to it again would
      // fail at once, forever).
      if (!writes_ok) break;
      // Everything is ready and unconsumed: wait for room (or Stop).
      absl::MutexLock lock(&mu_);
      auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopped_ || static_cast<int>(ready_.size()) < options_.depth;
      };
      mu_.Await(absl::Condition(&room));
      if (stopped_) break;
      continue;
    }
    v1::SampleResponse response;
    if (!stream->Read(&response)) break;
    --outstanding;
    backoff.Reset();
    absl::StatusOr<TransitionBatch> batch = Convert(response);
    absl::MutexLock lock(&mu_);
    ready_.push_back(std::move(batch));
  }
  stream->WritesDone();
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) context.TryCancel();
  }
  const grpc::Status status = stream->Finish();
  absl::MutexLock lock(&mu_);
  context_ = nullptr;
  return status;
}

}  // namespace entropic
