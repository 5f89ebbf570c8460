#ifndef ENTROPIC_CLI_JOB_CLIENT_H_
#define ENTROPIC_CLI_JOB_CLIENT_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/security.h"
#include "entropic/v1/jobs.grpc.pb.h"

namespace entropic {

// A client of the learner's jobs API with deadlines on every unary call and
// errors as absl::Status. Thread-safe.
class JobClient {
 public:
  // Connects to `learner_address` with `security` (TLS, the user's token).
  explicit JobClient(const std::string& learner_address,
                     const ClientSecurity& security = ClientSecurity(),
                     absl::Duration timeout = absl::Seconds(10));

  absl::StatusOr<v1::Job> Submit(const v1::JobSpec& spec);
  absl::StatusOr<v1::Job> Get(const std::string& job_id);
  absl::StatusOr<std::vector<v1::Job>> List();
  absl::StatusOr<v1::Job> Cancel(const std::string& job_id);

  // Streams the job's events to `on_event` until the job reaches a final
  // state; returns that last job. Survives nothing: a broken stream returns
  // its status. CancelWatch() from another thread ends it with Cancelled.
  absl::StatusOr<v1::Job> Watch(
      const std::string& job_id,
      const std::function<void(const v1::JobEvent&)>& on_event);
  void CancelWatch();

 private:
  // One unary call with the client's deadline.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(
      grpc::Status (v1::JobsService::Stub::*method)(grpc::ClientContext*,
                                                    const Request&, Response*),
      const Request& request);

  // Says which learner could not be reached, for UNAVAILABLE and
  // DEADLINE_EXCEEDED; other errors pass unchanged.
  absl::Status Explain(const absl::Status& status) const;

  const std::string learner_address_;
  const absl::Duration timeout_;
  const std::unique_ptr<v1::JobsService::Stub> stub_;
  absl::Mutex mu_;
  grpc::ClientContext* watch_context_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool watch_cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace entropic

#endif  // ENTROPIC_CLI_JOB_CLIENT_H_
