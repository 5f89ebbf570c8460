#ifndef ENTROPIC_ACTOR_ADDERS_REPLAY_WRITER_H_
#define ENTROPIC_ACTOR_ADDERS_REPLAY_WRITER_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "actor/adders/replay_writer_metrics.h"
#include "common/backoff.h"
#include "common/security.h"
#include "entropic/v1/replay.grpc.pb.h"

namespace entropic {

// Streams one actor's chunks to replay over a long-lived Insert stream and
// keeps every chunk until replay acknowledges it. When the stream breaks
// (replay restarted, network), it reconnects with backoff and resends the
// unacknowledged chunks in order; replay drops the ones it had already
// stored, so nothing is lost and nothing is stored twice.
//
// Write() blocks while `max_unacknowledged` chunks wait for acknowledgement,
// which is how replay's rate limiter slows the actor down.
//
// Thread-safe. Owns a sending thread and, per stream, a reading thread.
class ReplayWriter {
 public:
  struct Options {
    std::string address;
    // TLS and token for replay.
    ClientSecurity security;
    int max_unacknowledged = 64;
    // Between reconnects; capped at 1 s, so a writer is back within about a
    // second of replay's return.
    Backoff::Options backoff;
  };

  // Starts connecting to `options.address`. `metrics` must outlive it.
  ReplayWriter(const Options& options, ReplayWriterMetrics* metrics);

  // Close()s.
  ~ReplayWriter();

  // Assigns the next sequence number to `chunk` and queues it. Blocks while
  // the queue is full, until `deadline` (DeadlineExceeded, nothing queued).
  // Returns the writer's error once it has failed for good (replay refused a
  // chunk: INVALID_ARGUMENT naming it), or Cancelled after Close.
  absl::Status Write(v1::TrajectoryChunk chunk, absl::Time deadline);

  // Waits until every written chunk is acknowledged. DeadlineExceeded if
  // `deadline` comes first; the writer's error if it failed.
  absl::Status Flush(absl::Time deadline);

  // Stops sending; chunks not yet acknowledged are dropped. Idempotent.
  void Close();

  int64_t unacknowledged() const;

 private:
  void SendLoop();
  // Runs one stream until it breaks; returns how it ended.
  grpc::Status RunStream();

  const Options options_;
  ReplayWriterMetrics* const metrics_;
  const std::unique_ptr<v1::ReplayService::Stub> stub_;

  mutable absl::Mutex mu_;
  // Chunks written and not yet acknowledged, oldest first; the first
  // `sent_on_stream_` of them were sent on the current stream.
  std::deque<v1::TrajectoryChunk> unacknowledged_ ABSL_GUARDED_BY(mu_);
  size_t sent_on_stream_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 1;
  bool stream_broken_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;

  std::thread sender_;
};

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_ADDERS_REPLAY_WRITER_H_
