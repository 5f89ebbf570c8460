#ifndef ENTROPIC_ACTOR_WEIGHTS_SUBSCRIBER_H_
#define ENTROPIC_ACTOR_WEIGHTS_SUBSCRIBER_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "actor/actor_metrics.h"
#include "common/backoff.h"
#include "entropic/v1/parameters.grpc.pb.h"

namespace entropic {

// Follows a job's weights over the learner's SubscribeWeights stream and
// keeps the newest version. Reconnects with backoff when the learner goes
// away, asking only for versions newer than the one it has. Learns that the
// job ended when the learner ends the stream with OK or NOT_FOUND.
//
// Thread-safe. Owns one reading thread.
class WeightsSubscriber {
 public:
  WeightsSubscriber(std::shared_ptr<grpc::Channel> learner, std::string job_id,
                    Backoff::Options backoff, ActorMetrics* metrics);
  // Stop()s.
  ~WeightsSubscriber();

  // The newest weights received, or null before the first.
  std::shared_ptr<const v1::Weights> Latest() const;

  // Waits until some weights arrived or the job ended; true if weights did.
  bool WaitForFirst(absl::Duration timeout) const;

  // The learner said the job is over.
  bool job_ended() const;

  // Ends the stream and joins the thread. Idempotent.
  void Stop();

 private:
  void ReadLoop();

  const std::unique_ptr<v1::ParametersService::Stub> stub_;
  const std::string job_id_;
  const Backoff::Options backoff_;
  ActorMetrics* const metrics_;

  mutable absl::Mutex mu_;
  std::shared_ptr<const v1::Weights> latest_ ABSL_GUARDED_BY(mu_);
  bool job_ended_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;

  std::thread reader_;
};

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_WEIGHTS_SUBSCRIBER_H_
