#ifndef ENTROPIC_ACTOR_ASSIGNMENT_H_
#define ENTROPIC_ACTOR_ASSIGNMENT_H_

#include <grpcpp/channel.h>

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "actor/actor_metrics.h"
#include "actor/policy/policy.h"
#include "common/backoff.h"
#include "common/security.h"
#include "entropic/v1/work.pb.h"

namespace entropic {

struct AssignmentOptions {
  v1::WorkAssignment assignment;
  // Channel to the learner (weights, progress reports).
  std::shared_ptr<grpc::Channel> learner;
  // TLS and token for the assignment's replay address.
  ClientSecurity replay_security;
  ActorMetrics* metrics = nullptr;
  // How often environment steps and episodes are reported to the learner.
  absl::Duration report_interval = absl::Milliseconds(250);
  Backoff::Options backoff;
  // Chunks written to replay and not yet acknowledged before acting waits.
  int max_unacknowledged_chunks = 64;
  // Set to end the assignment early (process shutdown).
  const absl::Notification* stop = nullptr;
  // Builds the policy from the assignment's PolicySpec; MakePolicy when
  // unset (tests substitute their own).
  std::function<absl::StatusOr<std::unique_ptr<Policy>>(const v1::PolicySpec&)>
      make_policy;
};

// Runs one assignment on the calling thread: steps the job's environments
// with the assignment's policy (policy.proto) and the job's newest weights, streams trajectory chunks
// to replay, and reports progress to the learner, until the learner says the
// job ended (returns OK) or `stop` is notified (OK). Returns an error when the
// assignment cannot run: a policy that does not fit the environment or
// weights that do not fit the policy (InvalidArgument), a LibTorch error
// while acting (Internal), no weights
// within a minute (Unavailable), or replay refusing chunks.
absl::Status RunAssignment(const AssignmentOptions& options);

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_ASSIGNMENT_H_
