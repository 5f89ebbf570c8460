#ifndef ENTROPIC_REPLAY_DURABILITY_WRITE_AHEAD_LOG_H_
#define ENTROPIC_REPLAY_DURABILITY_WRITE_AHEAD_LOG_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "entropic/v1/replay_log.pb.h"

namespace entropic {

// When an appended record counts as durable.
enum class FlushPolicy {
  // Once written to the file (the kernel's page cache): survives a crash or
  // kill -9 of the replay process, not a power loss.
  kWrite,
  // Once fsync'ed: survives a machine crash too. Appends are synced in
  // groups every `fsync_interval`.
  kFsync,
};

// Appends records to numbered log segments (log-<n>.wal) in a directory.
// Thread-safe. Under kFsync, a flusher thread syncs and runs the callbacks
// waiting for durability.
//
// A failed sync or a segment that cannot be opened fails the log for good:
// after fdatasync reports an error, the kernel may have dropped the pages it
// could not write, so nothing appended since the last good sync can be
// trusted to be on disk. Waiting callbacks and every later Append get that
// error; replay must be restarted (recovery reads what the files hold).
class WriteAheadLog {
 public:
  struct Options {
    std::string directory;
    FlushPolicy flush = FlushPolicy::kWrite;
    absl::Duration fsync_interval = absl::Milliseconds(2);
    // Flushes a file descriptor's data to disk: fdatasync, or a stand-in
    // that fails in tests. Returns 0, or -1 with errno set.
    std::function<int(int)> sync = nullptr;
  };
  using Done = absl::AnyInvocable<void(absl::Status)>;

  // Starts segment `segment` in `options.directory`. Internal error if the
  // file cannot be created.
  static absl::StatusOr<std::unique_ptr<WriteAheadLog>> Open(
      const Options& options, uint64_t segment);

  // Syncs, runs every waiting callback (with an error if the sync failed),
  // closes the segment.
  ~WriteAheadLog();

  // Appends one record; returns its end position (monotonic over segments).
  // Internal error if the write fails or the log has failed; nothing counts
  // as appended then.
  absl::StatusOr<uint64_t> Append(const v1::LogRecord& record);

  // Runs `done` once everything up to `position` is durable (OK), or with
  // the log's error if it failed first: at once under kWrite, on the
  // flusher thread after the next sync under kFsync.
  void WhenDurable(uint64_t position, Done done);

  // Finishes the current segment (synced) and starts the next; returns the
  // new segment's number. Callbacks waiting for the old segment run either
  // way: OK if its sync succeeded, its error if not.
  absl::StatusOr<uint64_t> Rotate();

  // OK, or the error that failed the log.
  absl::Status status() const;

  uint64_t segment() const;
  // Bytes appended to the current segment, header included.
  int64_t segment_bytes() const;

  static std::string SegmentPath(const std::string& directory,
                                 uint64_t segment);

 private:
  WriteAheadLog(const Options& options);
  absl::Status OpenSegmentLocked(uint64_t segment)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Syncs `fd`; on failure fails the log and returns the error.
  absl::Status SyncLocked(int fd) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Sync(int fd);
  // Records the log's first failure.
  void FailLocked(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A waiting callback with its answer.
  struct Answer {
    Done done;
    absl::Status status;
  };
  // Callbacks waiting for positions up to `durable_` (answered OK), and
  // every other one once the log failed (answered with its error), removed
  // from waiting_.
  std::vector<Answer> TakeReadyLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs them, without the lock.
  static void Run(std::vector<Answer> answers);
  void FlushLoop();

  const Options options_;
  mutable absl::Mutex mu_;
  int fd_ ABSL_GUARDED_BY(mu_) = -1;
  uint64_t segment_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t segment_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t appended_ ABSL_GUARDED_BY(mu_) = 0;  // end of the last record
  uint64_t durable_ ABSL_GUARDED_BY(mu_) = 0;
  // Callbacks waiting for a position to become durable.
  std::multimap<uint64_t, Done> waiting_ ABSL_GUARDED_BY(mu_);
  absl::Status failed_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::thread flusher_;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_DURABILITY_WRITE_AHEAD_LOG_H_
