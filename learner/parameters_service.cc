#include "learner/parameters_service.h"

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc_status.h"
#include "learner/notified_write_reactor.h"

namespace entropic {
namespace {

// Pushes the newest weights of a job whenever a newer version exists,
// skipping versions published while a write was in flight. Ends OK when the
// job closes.
class WeightsStreamReactor final : public NotifiedWriteReactor<v1::Weights> {
 public:
  WeightsStreamReactor(ParameterStore* store, const std::string& job_id,
                       int64_t newer_than)
      : store_(store), job_id_(job_id), sent_version_(newer_than) {
    absl::StatusOr<std::shared_ptr<Notifier::Subscription>> subscription =
        store_->Subscribe(job_id_, [this] { Pump(); });
    if (!subscription.ok()) {
      FinishNow(ToGrpcStatus(subscription.status()));
      return;
    }
    Start(std::move(subscription).value());
  }

 private:
  const v1::Weights* NextLocked(std::optional<grpc::Status>& finish) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::StatusOr<ParameterStore::View> view = store_->Get(job_id_);
    if (!view.ok()) {
      finish = ToGrpcStatus(view.status());
      return nullptr;
    }
    if (view->latest && view->latest->version() > sent_version_) {
      current_ = view->latest;
      sent_version_ = current_->version();
      return current_.get();
    }
    if (view->closed) finish = grpc::Status::OK;
    return nullptr;
  }

  ParameterStore* const store_;
  const std::string job_id_;
  int64_t sent_version_ ABSL_GUARDED_BY(mu_);
  // Shared with the store: the bytes are written without a copy.
  std::shared_ptr<const v1::Weights> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

grpc::ServerWriteReactor<v1::Weights>* ParametersServiceImpl::SubscribeWeights(
    grpc::CallbackServerContext* context,
    const v1::SubscribeWeightsRequest* request) {
  return new WeightsStreamReactor(store_, request->job_id(),
                                  request->newer_than());
}

grpc::ServerUnaryReactor* ParametersServiceImpl::GetWeights(
    grpc::CallbackServerContext* context, const v1::GetWeightsRequest* request,
    v1::Weights* response) {
  absl::StatusOr<ParameterStore::View> view = store_->Get(request->job_id());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!view.ok()) {
    reactor->Finish(ToGrpcStatus(view.status()));
    return reactor;
  }
  response->set_job_id(request->job_id());
  if (view->latest && view->latest->version() > request->newer_than()) {
    *response = *view->latest;
  } else if (view->latest) {
    response->set_version(view->latest->version());
    response->set_temperature(view->latest->temperature());
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace entropic
