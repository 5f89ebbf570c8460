#ifndef ENTROPIC_LEARNER_NOTIFIED_WRITE_REACTOR_H_
#define ENTROPIC_LEARNER_NOTIFIED_WRITE_REACTOR_H_

#include <grpcpp/support/server_callback.h>

#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/notifier.h"

namespace entropic {

// A server stream that writes what its source has next, whenever the source
// announces a change (through a Notifier subscription) or the previous write
// completes. One write in flight; the stream finishes when NextLocked says
// so, or CANCELLED when the client goes away.
//
// Pump() runs from gRPC reactions and from the notifier; mu_ serialises it.
// Finish() may be called under mu_: OnDone runs on another thread and first
// cancels the subscription, which waits for a running notification.
template <typename Message>
class NotifiedWriteReactor : public grpc::ServerWriteReactor<Message> {
 public:
  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) {
        FinishLocked(grpc::Status::CANCELLED);
        return;
      }
    }
    Pump();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    if (!writing_) FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    if (subscription_) subscription_->Cancel();
    delete this;
  }

 protected:
  // Call last in the subclass's constructor: starts following the source.
  void Start(std::shared_ptr<Notifier::Subscription> subscription) {
    subscription_ = std::move(subscription);
    Pump();
  }

  // Ends the stream at once (e.g. the source does not exist).
  void FinishNow(const grpc::Status& status) {
    absl::MutexLock lock(&mu_);
    FinishLocked(status);
  }

  // The next message to write, kept alive by the subclass until the next
  // call; or null with `finish` set to end the stream, or null to wait for
  // the next notification.
  virtual const Message* NextLocked(std::optional<grpc::Status>& finish)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;

  void Pump() {
    absl::MutexLock lock(&mu_);
    if (finished_ || writing_) return;
    std::optional<grpc::Status> finish;
    const Message* next = NextLocked(finish);
    if (next != nullptr) {
      writing_ = true;
      this->StartWrite(next);
    } else if (finish.has_value()) {
      FinishLocked(*finish);
    }
  }

  absl::Mutex mu_;

 private:
  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    this->Finish(status);
  }

  std::shared_ptr<Notifier::Subscription> subscription_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_NOTIFIED_WRITE_REACTOR_H_
