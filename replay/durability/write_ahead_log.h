#ifndef ENTROPIC_REPLAY_DURABILITY_WRITE_AHEAD_LOG_H_
#define ENTROPIC_REPLAY_DURABILITY_WRITE_AHEAD_LOG_H_

#include <cstdint>
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
class WriteAheadLog {
 public:
  struct Options {
    std::string directory;
    FlushPolicy flush = FlushPolicy::kWrite;
    absl::Duration fsync_interval = absl::Milliseconds(2);
  };

  // Starts segment `segment` in `options.directory`. Internal error if the
  // file cannot be created.
  static absl::StatusOr<std::unique_ptr<WriteAheadLog>> Open(
      const Options& options, uint64_t segment);

  // Syncs, runs every waiting callback, closes the segment.
  ~WriteAheadLog();

  // Appends one record; returns its end position (monotonic over segments).
  // Internal error if the write fails; nothing counts as appended then.
  absl::StatusOr<uint64_t> Append(const v1::LogRecord& record);

  // Runs `done` once everything up to `position` is durable: at once under
  // kWrite, on the flusher thread after the next sync under kFsync.
  void WhenDurable(uint64_t position, absl::AnyInvocable<void()> done);

  // Finishes the current segment (synced) and starts the next; returns the
  // new segment's number.
  absl::StatusOr<uint64_t> Rotate();

  uint64_t segment() const;
  // Bytes appended to the current segment, header included.
  int64_t segment_bytes() const;

  static std::string SegmentPath(const std::string& directory,
                                 uint64_t segment);

 private:
  WriteAheadLog(const Options& options);
  absl::Status OpenSegmentLocked(uint64_t segment)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FlushLoop();

  const Options options_;
  mutable absl::Mutex mu_;
  int fd_ ABSL_GUARDED_BY(mu_) = -1;
  uint64_t segment_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t segment_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t appended_ ABSL_GUARDED_BY(mu_) = 0;  // end of the last record
  uint64_t durable_ ABSL_GUARDED_BY(mu_) = 0;
  // Callbacks waiting for a position to become durable.
  std::multimap<uint64_t, absl::AnyInvocable<void()>> waiting_
      ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::thread flusher_;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_DURABILITY_WRITE_AHEAD_LOG_H_
