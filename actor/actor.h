#ifndef ENTROPIC_ACTOR_ACTOR_H_
#define ENTROPIC_ACTOR_ACTOR_H_

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "actor/actor_metrics.h"
#include "common/backoff.h"
#include "common/security.h"
#include "entropic/v1/work.grpc.pb.h"

namespace entropic {

// An actor: asks the learner for work, runs each assignment (see
// RunAssignment), and asks again, until stopped. Survives learner and replay
// restarts by retrying with backoff.
class Actor {
 public:
  struct Options {
    // host:port of the learner's gRPC server.
    std::string learner_address;
    // Name for logs, e.g. "host-1234".
    std::string name;
    // TLS, client certificate and token for the learner and replay.
    ClientSecurity security;
    absl::Duration report_interval = absl::Milliseconds(250);
    int max_unacknowledged_chunks = 64;
    Backoff::Options backoff;
  };

  // InvalidArgument for an empty learner address. `metrics` must outlive
  // the actor.
  static absl::StatusOr<std::unique_ptr<Actor>> Create(const Options& options,
                                                       ActorMetrics* metrics);

  // Works until Stop(); returns OK then. Call from one thread.
  absl::Status Run();

  // Ends Run() soon: the current assignment stops at its next step. Safe to
  // call from any thread, more than once.
  void Stop();

 private:
  Actor(const Options& options, ActorMetrics* metrics);

  // Waits `delay` unless stopped first.
  void Sleep(absl::Duration delay);

  const Options options_;
  ActorMetrics* const metrics_;
  const std::shared_ptr<grpc::Channel> learner_;
  const std::unique_ptr<v1::WorkService::Stub> work_;
  absl::Notification stop_;
};

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_ACTOR_H_
