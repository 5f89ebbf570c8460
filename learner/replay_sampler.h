#ifndef ENTROPIC_LEARNER_REPLAY_SAMPLER_H_
#define ENTROPIC_LEARNER_REPLAY_SAMPLER_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/backoff.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "learner/transition_batch.h"

namespace entropic {

// Samples batches from a replay table on a prefetch thread, converts them to
// tensors on the learner's device, and keeps up to `depth` ready, so the
// update loop rarely waits on the network. Sampling waits on replay's rate
// limiter; transient failures (replay restarting) are retried with backoff.
//
// Thread-safe. Owns the prefetch thread.
class ReplaySampler {
 public:
  struct Options {
    std::string job_id;
    std::string table = "agent";
    int batch_size = 256;
    // n-step transitions with this discount (see SampleRequest).
    int n_step = 1;
    double gamma = 0.99;
    // A second table mixed into every batch (see SetMix); empty for none.
    std::string demonstrations_table;
    int depth = 2;
    torch::Device device = torch::kCPU;
  };

  // Parameters the learner may change as it trains (annealing).
  struct Mix {
    double demonstration_fraction = 0;
    double importance_exponent = 0;  // 0: the table's own
  };

  ReplaySampler(std::shared_ptr<grpc::Channel> replay, const Options& options);
  // Stop()s.
  ~ReplaySampler();

  // The next batch. DeadlineExceeded when none is ready within `timeout`
  // (replay is filling up or the rate limiter holds the learner back);
  // NotFound when replay no longer has the table (it restarted); the
  // conversion's error for a malformed batch.
  absl::StatusOr<TransitionBatch> Next(absl::Duration timeout);

  void Stop();

  // Applies to batches requested from now on (prefetched ones keep theirs).
  void SetMix(const Mix& mix);

 private:
  void PrefetchLoop();
  // BatchFromSample, with LibTorch's exceptions turned into Internal.
  absl::StatusOr<TransitionBatch> Convert(
      const v1::SampleResponse& response) const;
  // Samples over one SampleStream until it ends; returns how it ended.
  grpc::Status RunStream(Backoff& backoff);

  const std::unique_ptr<v1::ReplayService::Stub> stub_;
  const Options options_;

  absl::Mutex mu_;
  std::deque<absl::StatusOr<TransitionBatch>> ready_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  Mix mix_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_REPLAY_SAMPLER_H_
