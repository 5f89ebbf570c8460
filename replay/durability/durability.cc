#include "replay/durability/durability.h"

#include <fcntl.h>
#include <glog/logging.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "replay/durability/log_file.h"

namespace entropic {
namespace {

namespace fs = std::filesystem;

std::string SnapshotPath(const std::string& directory, uint64_t segment) {
  return absl::StrFormat("%s/snapshot-%012d.snap", directory, segment);
}

// Files named <prefix>-<number><suffix> in `directory`, by number.
std::map<uint64_t, std::string> Numbered(const std::string& directory,
                                         const std::string& prefix,
                                         const std::string& suffix) {
  std::map<uint64_t, std::string> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix + "-", 0) != 0 || name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    uint64_t number;
    if (absl::SimpleAtoi(
            name.substr(prefix.size() + 1,
                        name.size() - prefix.size() - 1 - suffix.size()),
            &number)) {
      files[number] = entry.path().string();
    }
  }
  return files;
}

// The names replay writes in its checkpoint directory.
bool IsCheckpointFile(const std::string& name) {
  static const std::regex kOurs(
      R"((log-[0-9]+\.wal)|(snapshot-[0-9]+\.snap(\.tmp)?))");
  return std::regex_match(name, kOurs);
}

// FailedPrecondition if `directory` holds anything replay did not write
// there (a volume's lost+found aside): pointed at the wrong directory,
// replay must neither read nor delete someone else's files.
absl::Status CheckOnlyOurFiles(const std::string& directory) {
  std::error_code error;
  fs::directory_iterator entries(directory, error);
  if (error) {
    return absl::InternalError(absl::StrCat(
        "--checkpoint_dir ", directory, ": cannot list it: ", error.message()));
  }
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    if (IsCheckpointFile(name) || name == "lost+found") continue;
    return absl::FailedPreconditionError(absl::StrCat(
        "--checkpoint_dir ", directory, " holds ", name,
        ", which entropic-replay did not write; give it an empty directory "
        "or one it wrote"));
  }
  return absl::OkStatus();
}

// fsyncs a file or directory; Internal naming it and the error.
absl::Status SyncPath(const std::string& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("opening ", path, " to sync it: ", std::strerror(errno)));
  }
  const int result = fsync(fd);
  const int error = errno;
  close(fd);
  if (result != 0) {
    return absl::InternalError(
        absl::StrCat("syncing ", path, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

class FileSnapshotWriter final : public SnapshotWriter {
 public:
  explicit FileSnapshotWriter(const std::string& path)
      : path_(path), out_(path, std::ios::binary | std::ios::trunc) {
    out_ << LogFileHeader(LogFileKind::kSnapshot);
  }
  absl::Status Write(const v1::LogRecord& record) override {
    const std::string framed = FrameRecord(record);
    out_.write(framed.data(), framed.size());
    if (!out_)
      return absl::InternalError(absl::StrCat(path_, ": write failed"));
    if (record.has_insert()) {
      transitions_ += record.insert().rewards().shape_size() > 0
                          ? record.insert().rewards().shape(0)
                          : 0;
    }
    if (record.has_create_tables())
      tables_ += record.create_tables().tables_size();
    return absl::OkStatus();
  }
  absl::Status Finish() {
    out_.flush();
    out_.close();
    if (!out_)
      return absl::InternalError(absl::StrCat(path_, ": write failed"));
    // Sync the contents before the rename makes the snapshot visible.
    return SyncPath(path_, O_RDONLY);
  }
  int64_t transitions() const { return transitions_; }
  int tables() const { return tables_; }

 private:
  const std::string path_;
  std::ofstream out_;
  int64_t transitions_ = 0;
  int tables_ = 0;
};


}  // namespace

absl::StatusOr<std::unique_ptr<Durability>> Durability::Open(
    const Options& options,
    const std::function<absl::Status(v1::LogRecord&)>& apply,
    RecoveryStats* stats) {
  const absl::Time start = absl::Now();
  std::error_code error;
  fs::create_directories(options.directory, error);
  if (error) {
    return absl::InternalError(absl::StrCat(
        "--checkpoint_dir ", options.directory, ": ", error.message()));
  }
  if (!fs::is_directory(options.directory, error)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--checkpoint_dir ", options.directory, ": is not a directory"));
  }
  RETURN_IF_ERROR(CheckOnlyOurFiles(options.directory));
  // Unfinished snapshots never became visible; drop them.
  for (const auto& [number, path] :
       Numbered(options.directory, "snapshot", ".snap.tmp")) {
    fs::remove(path, error);
  }
  const auto snapshots = Numbered(options.directory, "snapshot", ".snap");
  const auto logs = Numbered(options.directory, "log", ".wal");
  RecoveryStats local;
  uint64_t from_segment = 0;
  auto read = [&](const std::string& path, LogFileKind kind) -> absl::Status {
    absl::StatusOr<LogReadResult> result = ReadLogFile(path, kind, apply);
    if (!result.ok()) return result.status();
    ++local.files;
    local.records += result->records;
    if (result->corrupt_tail) {
      ++local.corrupt_tails;
      LOG(WARNING) << path << ": torn or corrupt record after byte "
                   << result->good_bytes
                   << "; recovered the records before it and skipped the rest";
      // Later segments start fresh, so cut the bad tail off now.
      if (kind == LogFileKind::kLog)
        fs::resize_file(path, result->good_bytes, error);
    }
    return absl::OkStatus();
  };
  if (!snapshots.empty()) {
    from_segment = snapshots.rbegin()->first;
    absl::Status status =
        read(snapshots.rbegin()->second, LogFileKind::kSnapshot);
    if (!status.ok()) return status;
  }
  uint64_t next_segment = from_segment + 1;
  for (const auto& [number, path] : logs) {
    next_segment = std::max(next_segment, number + 1);
    if (number < from_segment) continue;
    absl::Status status = read(path, LogFileKind::kLog);
    if (!status.ok()) return status;
  }
  local.duration = absl::Now() - start;
  if (stats != nullptr) *stats = local;

  std::unique_ptr<Durability> durability(new Durability(options));
  if (!snapshots.empty()) {
    durability->last_snapshot_bytes_ =
        static_cast<int64_t>(fs::file_size(snapshots.rbegin()->second, error));
  }
  WriteAheadLog::Options log_options;
  log_options.directory = options.directory;
  log_options.flush = options.flush;
  log_options.fsync_interval = options.fsync_interval;
  absl::StatusOr<std::unique_ptr<WriteAheadLog>> log =
      WriteAheadLog::Open(log_options, next_segment);
  if (!log.ok()) return log.status();
  durability->log_ = std::move(log).value();
  return durability;
}

bool Durability::SnapshotDue() const {
  return log_->segment_bytes() >=
         std::max(options_.snapshot_every_bytes, last_snapshot_bytes_.load());
}

absl::StatusOr<v1::CheckpointResponse> Durability::Snapshot(
    const std::function<absl::Status(SnapshotWriter&)>& write) {
  absl::MutexLock lock(&snapshot_mu_);
  const absl::Time start = absl::Now();
  absl::StatusOr<uint64_t> segment = log_->Rotate();
  if (!segment.ok()) return segment.status();
  const std::string path = SnapshotPath(options_.directory, *segment);
  const std::string temporary = path + ".tmp";
  FileSnapshotWriter writer(temporary);
  absl::Status status = write(writer);
  if (status.ok()) status = writer.Finish();
  std::error_code error;
  if (!status.ok()) {
    fs::remove(temporary, error);
    return status;
  }
  fs::rename(temporary, path, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("publishing ", path, ": ", error.message()));
  }
  // The rename is durable once the directory is synced; until then the
  // older files must stay.
  RETURN_IF_ERROR(SyncPath(options_.directory, O_RDONLY | O_DIRECTORY));
  // Everything before this snapshot's segment is now redundant.
  for (const auto& [number, old] :
       Numbered(options_.directory, "log", ".wal")) {
    if (number < *segment) fs::remove(old, error);
  }
  for (const auto& [number, old] :
       Numbered(options_.directory, "snapshot", ".snap")) {
    if (number < *segment) fs::remove(old, error);
  }
  v1::CheckpointResponse response;
  response.set_path(path);
  response.set_bytes(static_cast<int64_t>(fs::file_size(path, error)));
  response.set_tables(writer.tables());
  response.set_transitions(writer.transitions());
  response.set_seconds(absl::ToDoubleSeconds(absl::Now() - start));
  last_snapshot_bytes_ = response.bytes();
  return response;
}

}  // namespace entropic
