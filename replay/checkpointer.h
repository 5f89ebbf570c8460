#ifndef ENTROPIC_REPLAY_CHECKPOINTER_H_
#define ENTROPIC_REPLAY_CHECKPOINTER_H_

#include <deque>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "replay/replay_metrics.h"
#include "replay/table_store.h"

namespace entropic {

// Takes snapshots of the durable tables on a thread of its own: whenever
// the log has grown past the snapshot size (checked every second), and when
// asked (the Checkpoint RPC), so that no gRPC thread waits on disk.
// Thread-safe.
class Checkpointer {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<v1::CheckpointResponse>)>;

  // `store` and `metrics` must outlive the checkpointer.
  Checkpointer(TableStore* store, ReplayMetrics* metrics);
  // Stops; pending requests get Cancelled.
  ~Checkpointer();

  // Takes a snapshot soon and calls `done` with it, on the checkpointer's
  // thread.
  void Request(Done done);

 private:
  void Loop();
  absl::StatusOr<v1::CheckpointResponse> SnapshotNow();

  TableStore* const store_;
  ReplayMetrics* const metrics_;
  absl::Mutex mu_;
  std::deque<Done> requests_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_CHECKPOINTER_H_
