#include "learner/parameter_store.h"

#include "absl/strings/str_cat.h"

namespace entropic {

void ParameterStore::Open(const std::string& job_id,
                          std::shared_ptr<const v1::Weights> initial) {
  Notifier* notifier;
  {
    absl::MutexLock lock(&mu_);
    Entry& entry = jobs_[job_id];
    entry.latest = std::move(initial);
    entry.closed = false;
    notifier = entry.notifier.get();
  }
  notifier->Notify();
}

absl::Status ParameterStore::Publish(
    std::shared_ptr<const v1::Weights> weights) {
  Notifier* notifier;
  {
    absl::MutexLock lock(&mu_);
    auto entry = jobs_.find(weights->job_id());
    if (entry == jobs_.end() || entry->second.closed) {
      return absl::FailedPreconditionError(
          absl::StrCat("job ", weights->job_id(), " is not serving weights"));
    }
    if (entry->second.latest &&
        weights->version() <= entry->second.latest->version()) {
      return absl::FailedPreconditionError(
          absl::StrCat("weights version ", weights->version(),
                       " does not follow ", entry->second.latest->version()));
    }
    entry->second.latest = std::move(weights);
    notifier = entry->second.notifier.get();
  }
  // Entries are never erased, so the notifier outlives this call.
  notifier->Notify();
  return absl::OkStatus();
}

void ParameterStore::Close(const std::string& job_id) {
  Notifier* notifier;
  {
    absl::MutexLock lock(&mu_);
    auto entry = jobs_.find(job_id);
    if (entry == jobs_.end()) return;
    entry->second.closed = true;
    entry->second.latest.reset();
    notifier = entry->second.notifier.get();
  }
  notifier->Notify();
}

absl::StatusOr<ParameterStore::View> ParameterStore::Get(
    const std::string& job_id) const {
  absl::MutexLock lock(&mu_);
  auto entry = jobs_.find(job_id);
  if (entry == jobs_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown job ", job_id));
  }
  return View{entry->second.latest, entry->second.closed};
}

absl::StatusOr<std::shared_ptr<Notifier::Subscription>>
ParameterStore::Subscribe(const std::string& job_id,
                          std::function<void()> callback) {
  absl::MutexLock lock(&mu_);
  auto entry = jobs_.find(job_id);
  if (entry == jobs_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown job ", job_id));
  }
  return entry->second.notifier->Subscribe(std::move(callback));
}

}  // namespace entropic
