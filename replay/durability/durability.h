#ifndef ENTROPIC_REPLAY_DURABILITY_DURABILITY_H_
#define ENTROPIC_REPLAY_DURABILITY_DURABILITY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "entropic/v1/replay.pb.h"
#include "entropic/v1/replay_log.pb.h"
#include "replay/durability/write_ahead_log.h"

namespace entropic {

// What a recovery found and did.
struct RecoveryStats {
  int64_t records = 0;
  int64_t files = 0;
  // Log or snapshot files that ended in a torn or corrupt record (skipped
  // with a warning).
  int64_t corrupt_tails = 0;
  absl::Duration duration;
};

// Writes the records of a snapshot.
class SnapshotWriter {
 public:
  virtual ~SnapshotWriter() = default;
  virtual absl::Status Write(const v1::LogRecord& record) = 0;
};

// replay's --checkpoint_dir: the write-ahead log of durable tables and their
// snapshots. A snapshot N holds the state at the start of log segment N, so
// recovery reads the newest snapshot, then log segments N, N+1, ...; records
// are idempotent, so a record that is in both is harmless. Recovery time is
// bounded by snapshotting whenever a segment grows past both
// `snapshot_every_bytes` and the size of the last snapshot: recovery reads
// at most one snapshot and about as much log again, and writing snapshots
// at most doubles what goes to disk (a fixed interval would rewrite a large
// table many times over).
//
// Thread-safe.
class Durability {
 public:
  struct Options {
    std::string directory;
    FlushPolicy flush = FlushPolicy::kWrite;
    absl::Duration fsync_interval = absl::Milliseconds(2);
    int64_t snapshot_every_bytes = int64_t{256} << 20;
  };

  // Creates the directory if needed, replays what it holds through `apply`
  // (records in order), and starts a new log segment. Errors: those of
  // `apply`, FailedPrecondition for files of a newer format version,
  // Internal for an unusable directory.
  static absl::StatusOr<std::unique_ptr<Durability>> Open(
      const Options& options,
      const std::function<absl::Status(v1::LogRecord&)>& apply,
      RecoveryStats* stats);

  WriteAheadLog& log() { return *log_; }
  const Options& options() const { return options_; }

  // Whether the log has grown enough since the last snapshot to take one.
  bool SnapshotDue() const;
  // Bytes of the newest snapshot (0 before the first).
  int64_t last_snapshot_bytes() const { return last_snapshot_bytes_; }

  // Starts a new log segment, calls `write` to write every durable table
  // into a snapshot of that segment's start, publishes it atomically (write,
  // sync, rename), and deletes the files it supersedes. One at a time.
  absl::StatusOr<v1::CheckpointResponse> Snapshot(
      const std::function<absl::Status(SnapshotWriter&)>& write);

 private:
  Durability(const Options& options) : options_(options) {}

  const Options options_;
  std::unique_ptr<WriteAheadLog> log_;
  absl::Mutex snapshot_mu_;  // one snapshot at a time
  std::atomic<int64_t> last_snapshot_bytes_{0};
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_DURABILITY_DURABILITY_H_
