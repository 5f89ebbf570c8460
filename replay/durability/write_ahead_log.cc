#include "replay/durability/write_ahead_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <glog/logging.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "replay/durability/log_file.h"

namespace entropic {
namespace {

absl::Status WriteAll(int fd, const std::string& bytes) {
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      // A full disk is a resource to free, not a bug: writers retry.
      return absl::Status(
          errno == ENOSPC || errno == EDQUOT
              ? absl::StatusCode::kResourceExhausted
              : absl::StatusCode::kInternal,
          absl::StrCat("writing the replay log: ", std::strerror(errno)));
    }
    written += n;
  }
  return absl::OkStatus();
}

}  // namespace

std::string WriteAheadLog::SegmentPath(const std::string& directory,
                                       uint64_t segment) {
  return absl::StrFormat("%s/log-%012d.wal", directory, segment);
}

absl::StatusOr<std::unique_ptr<WriteAheadLog>> WriteAheadLog::Open(
    const Options& options, uint64_t segment) {
  std::unique_ptr<WriteAheadLog> log(new WriteAheadLog(options));
  {
    absl::MutexLock lock(&log->mu_);
    absl::Status opened = log->OpenSegmentLocked(segment);
    if (!opened.ok()) return opened;
  }
  if (options.flush == FlushPolicy::kFsync) {
    log->flusher_ = std::thread([raw = log.get()] { raw->FlushLoop(); });
  }
  return log;
}

WriteAheadLog::WriteAheadLog(const Options& options) : options_(options) {}

WriteAheadLog::~WriteAheadLog() {
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;
  }
  if (flusher_.joinable()) flusher_.join();
  std::vector<Answer> ready;
  {
    absl::MutexLock lock(&mu_);
    if (fd_ >= 0) {
      if (failed_.ok() && SyncLocked(fd_).ok()) durable_ = appended_;
      close(fd_);
      fd_ = -1;
    }
    // Everything appended is durable now, unless the log failed: then the
    // waiters for what was not synced get its error.
    ready = TakeReadyLocked();
  }
  Run(std::move(ready));
}

absl::Status WriteAheadLog::Sync(int fd) {
  const int result = options_.sync ? options_.sync(fd) : fdatasync(fd);
  if (result == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(
      "syncing the replay log in ", options_.directory, ": ",
      std::strerror(errno), "; inserts since the last sync are not durable"));
}

absl::Status WriteAheadLog::SyncLocked(int fd) {
  absl::Status synced = Sync(fd);
  if (!synced.ok()) FailLocked(synced);
  return synced;
}

void WriteAheadLog::FailLocked(absl::Status status) {
  if (failed_.ok()) {
    LOG(ERROR) << "the replay log failed: " << status;
    failed_ = std::move(status);
  }
}

std::vector<WriteAheadLog::Answer> WriteAheadLog::TakeReadyLocked() {
  std::vector<Answer> ready;
  for (auto it = waiting_.begin();
       it != waiting_.end() && (!failed_.ok() || it->first <= durable_);) {
    // What was synced before the log failed is durable all the same.
    ready.push_back({std::move(it->second), it->first <= durable_
                                                ? absl::OkStatus()
                                                : failed_});
    it = waiting_.erase(it);
  }
  return ready;
}

void WriteAheadLog::Run(std::vector<Answer> answers) {
  for (Answer& answer : answers) answer.done(std::move(answer.status));
}

absl::Status WriteAheadLog::status() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

absl::Status WriteAheadLog::OpenSegmentLocked(uint64_t segment) {
  const std::string path = SegmentPath(options_.directory, segment);
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  const std::string header = LogFileHeader(LogFileKind::kLog);
  absl::Status written = WriteAll(fd, header);
  if (!written.ok()) {
    close(fd);
    return written;
  }
  fd_ = fd;
  segment_ = segment;
  segment_bytes_ = header.size();
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> WriteAheadLog::Append(const v1::LogRecord& record) {
  const std::string framed = FrameRecord(record);
  absl::MutexLock lock(&mu_);
  if (!failed_.ok()) return failed_;
  const off_t before = lseek(fd_, 0, SEEK_CUR);
  absl::Status written = WriteAll(fd_, framed);
  if (!written.ok()) {
    // Cut off a partial record so the log stays readable.
    if (before >= 0 && ftruncate(fd_, before) == 0)
      lseek(fd_, before, SEEK_SET);
    return written;
  }
  segment_bytes_ += framed.size();
  appended_ += framed.size();
  if (options_.flush == FlushPolicy::kWrite) durable_ = appended_;
  return appended_;
}

void WriteAheadLog::WhenDurable(uint64_t position, Done done) {
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    if (failed_.ok() && position > durable_) {
      if (!closing_) {
        waiting_.emplace(position, std::move(done));
        return;
      }
      status = absl::UnavailableError("the replay log closed");
    } else {
      status = failed_;
    }
  }
  done(status);
}

absl::StatusOr<uint64_t> WriteAheadLog::Rotate() {
  std::vector<Answer> ready;
  absl::Status status;
  uint64_t segment = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!failed_.ok()) return failed_;
    if (SyncLocked(fd_).ok()) durable_ = appended_;
    close(fd_);
    fd_ = -1;
    if (failed_.ok()) {
      absl::Status opened = OpenSegmentLocked(segment_ + 1);
      if (!opened.ok()) FailLocked(opened);
    }
    // Callbacks for the closed segment run whatever happened next.
    ready = TakeReadyLocked();
    status = failed_;
    segment = segment_;
  }
  Run(std::move(ready));
  if (!status.ok()) return status;
  return segment;
}

uint64_t WriteAheadLog::segment() const {
  absl::MutexLock lock(&mu_);
  return segment_;
}

int64_t WriteAheadLog::segment_bytes() const {
  absl::MutexLock lock(&mu_);
  return segment_bytes_;
}

void WriteAheadLog::FlushLoop() {
  while (true) {
    int fd;
    uint64_t target;
    {
      absl::MutexLock lock(&mu_);
      auto work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return closing_ || !waiting_.empty();
      };
      mu_.Await(absl::Condition(&work));
      if (closing_) return;
      // Group commit: let more appends join this sync.
      mu_.AwaitWithTimeout(absl::Condition(&closing_), options_.fsync_interval);
      if (closing_) return;
      fd = fd_;
      target = appended_;
    }
    // Syncing outside the lock lets appends continue meanwhile. Rotate()
    // syncs and closes a segment under the lock, so `fd` may be stale here
    // only if a rotation happened, and then it already covered `target`: a
    // failed sync of a descriptor rotated away meanwhile (EBADF) is not an
    // error of the log's.
    const absl::Status synced = fd >= 0 ? Sync(fd) : absl::OkStatus();
    std::vector<Answer> ready;
    absl::Status status;
    {
      absl::MutexLock lock(&mu_);
      if (synced.ok() || fd != fd_) {
        durable_ = std::max(durable_, target);
      } else {
        FailLocked(synced);
      }
      ready = TakeReadyLocked();
      status = failed_;
    }
    Run(std::move(ready));
    if (!status.ok()) {
      // Nothing more can become durable; later waiters are failed at once.
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(&closing_));
      return;
    }
  }
}

}  // namespace entropic
