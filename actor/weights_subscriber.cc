#include "actor/weights_subscriber.h"

#include <glog/logging.h>

namespace entropic {

WeightsSubscriber::WeightsSubscriber(std::shared_ptr<grpc::Channel> learner,
                                     std::string job_id,
                                     Backoff::Options backoff,
                                     ActorMetrics* metrics)
    : stub_(v1::ParametersService::NewStub(std::move(learner))),
      job_id_(std::move(job_id)),
      backoff_(backoff),
      metrics_(metrics) {
  reader_ = std::thread([this] { ReadLoop(); });
}

WeightsSubscriber::~WeightsSubscriber() { Stop(); }

std::shared_ptr<const v1::Weights> WeightsSubscriber::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

bool WeightsSubscriber::WaitForFirst(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto arrived = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return latest_ != nullptr || job_ended_ || stopped_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&arrived), timeout);
  return latest_ != nullptr;
}

bool WeightsSubscriber::job_ended() const {
  absl::MutexLock lock(&mu_);
  return job_ended_;
}

void WeightsSubscriber::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  if (reader_.joinable()) reader_.join();
}

void WeightsSubscriber::ReadLoop() {
  Backoff backoff(backoff_);
  while (true) {
    grpc::ClientContext context;
    v1::SubscribeWeightsRequest request;
    request.set_job_id(job_id_);
    {
      absl::MutexLock lock(&mu_);
      if (stopped_) return;
      context_ = &context;
      request.set_newer_than(latest_ ? latest_->version() : -1);
    }
    auto stream = stub_->SubscribeWeights(&context, request);
    auto weights = std::make_shared<v1::Weights>();
    while (stream->Read(weights.get())) {
      backoff.Reset();
      metrics_->weight_updates.Increment();
      absl::MutexLock lock(&mu_);
      latest_ = std::move(weights);
      weights = std::make_shared<v1::Weights>();
    }
    const grpc::Status status = stream->Finish();
    absl::MutexLock lock(&mu_);
    context_ = nullptr;
    if (stopped_) return;
    if (status.ok() || status.error_code() == grpc::StatusCode::NOT_FOUND) {
      job_ended_ = true;
      return;
    }
    LOG(WARNING) << "weights stream for job " << job_id_
                 << " broke: " << status.error_message() << "; reconnecting";
    metrics_->writer.reconnects.Increment();
    mu_.AwaitWithTimeout(absl::Condition(&stopped_), backoff.NextDelay());
  }
}

}  // namespace entropic
