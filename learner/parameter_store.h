#ifndef ENTROPIC_LEARNER_PARAMETER_STORE_H_
#define ENTROPIC_LEARNER_PARAMETER_STORE_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/notifier.h"
#include "entropic/v1/parameters.pb.h"

namespace entropic {

// The newest published weights of every running job, shared read-only with
// the streams that push them to actors. Publishing replaces the previous
// version; versions only grow. Thread-safe.
class ParameterStore {
 public:
  // Starts serving a job's weights (versions start with `initial`).
  void Open(const std::string& job_id,
            std::shared_ptr<const v1::Weights> initial);

  // Replaces the job's weights. FailedPrecondition if the job is not open or
  // the version does not grow.
  absl::Status Publish(std::shared_ptr<const v1::Weights> weights);

  // Ends the job's subscriptions (they finish OK) and forgets its weights.
  void Close(const std::string& job_id);

  struct View {
    std::shared_ptr<const v1::Weights> latest;
    bool closed = false;
  };
  // The job's newest weights; closed once the job ended. NotFound for a job
  // never opened.
  absl::StatusOr<View> Get(const std::string& job_id) const;

  // Calls `callback` (see Notifier) after every Publish or Close of the job.
  // NotFound for a job never opened.
  absl::StatusOr<std::shared_ptr<Notifier::Subscription>> Subscribe(
      const std::string& job_id, std::function<void()> callback);

 private:
  struct Entry {
    std::shared_ptr<const v1::Weights> latest;
    bool closed = false;
    std::unique_ptr<Notifier> notifier = std::make_unique<Notifier>();
  };

  mutable absl::Mutex mu_;
  // Closed jobs stay (without weights) so late subscribers learn they ended.
  std::map<std::string, Entry> jobs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_PARAMETER_STORE_H_
