#include "replay/durability/write_ahead_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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
      return absl::InternalError(
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
  std::multimap<uint64_t, absl::AnyInvocable<void()>> waiting;
  {
    absl::MutexLock lock(&mu_);
    if (fd_ >= 0) {
      fdatasync(fd_);
      close(fd_);
      fd_ = -1;
    }
    waiting.swap(waiting_);
  }
  for (auto& [position, done] : waiting) done();
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

void WriteAheadLog::WhenDurable(uint64_t position,
                                absl::AnyInvocable<void()> done) {
  {
    absl::MutexLock lock(&mu_);
    if (position > durable_ && !closing_) {
      waiting_.emplace(position, std::move(done));
      return;
    }
  }
  done();
}

absl::StatusOr<uint64_t> WriteAheadLog::Rotate() {
  std::vector<absl::AnyInvocable<void()>> ready;
  uint64_t segment;
  {
    absl::MutexLock lock(&mu_);
    fdatasync(fd_);
    close(fd_);
    fd_ = -1;
    durable_ = appended_;
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      ready.push_back(std::move(it->second));
      it = waiting_.erase(it);
    }
    absl::Status opened = OpenSegmentLocked(segment_ + 1);
    if (!opened.ok()) return opened;
    segment = segment_;
  }
  for (auto& done : ready) done();
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
    // only if a rotation happened, and then it already covered `target`.
    fdatasync(fd);
    std::vector<absl::AnyInvocable<void()>> ready;
    {
      absl::MutexLock lock(&mu_);
      durable_ = std::max(durable_, target);
      for (auto it = waiting_.begin();
           it != waiting_.end() && it->first <= durable_;) {
        ready.push_back(std::move(it->second));
        it = waiting_.erase(it);
      }
    }
    for (auto& done : ready) done();
  }
}

}  // namespace entropic
