#ifndef ENTROPIC_COMMON_NOTIFIER_H_
#define ENTROPIC_COMMON_NOTIFIER_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace entropic {

// Tells subscribers that something they follow changed, e.g. a server
// stream reactor that writes a job's newest weights. Subscribers come and go
// with their RPCs; the subscription makes that safe:
//
//   * A callback runs on the notifying thread, under its subscription's own
//     lock, so callbacks of one subscription never overlap.
//   * After Subscription::Cancel() returns, its callback is not running and
//     never runs again, so the subscriber can be deleted.
//
// Callbacks must not block and must not call Subscribe or Notify. They may
// finish the RPC: gRPC runs OnDone on another thread, which then waits in
// Cancel() until the callback has returned.
class Notifier {
 public:
  class Subscription {
   public:
    explicit Subscription(std::function<void()> callback)
        : callback_(std::move(callback)) {}
    void Cancel() {
      absl::MutexLock lock(&mu_);
      active_ = false;
    }

   private:
    friend class Notifier;
    void Call() {
      absl::MutexLock lock(&mu_);
      if (active_) callback_();
    }

    absl::Mutex mu_;
    bool active_ ABSL_GUARDED_BY(mu_) = true;
    std::function<void()> callback_;
  };

  std::shared_ptr<Subscription> Subscribe(std::function<void()> callback) {
    auto subscription = std::make_shared<Subscription>(std::move(callback));
    absl::MutexLock lock(&mu_);
    subscriptions_.push_back(subscription);
    return subscription;
  }

  // Calls every live subscription's callback once.
  void Notify() {
    std::vector<std::shared_ptr<Subscription>> live;
    {
      absl::MutexLock lock(&mu_);
      std::vector<std::weak_ptr<Subscription>> kept;
      for (auto& weak : subscriptions_) {
        if (auto subscription = weak.lock()) {
          live.push_back(subscription);
          kept.push_back(weak);
        }
      }
      subscriptions_ = std::move(kept);
    }
    for (auto& subscription : live) subscription->Call();
  }

 private:
  absl::Mutex mu_;
  std::vector<std::weak_ptr<Subscription>> subscriptions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace entropic

#endif  // ENTROPIC_COMMON_NOTIFIER_H_
