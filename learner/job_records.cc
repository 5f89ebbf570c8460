#include "learner/job_records.h"

#include <fcntl.h>
#include <glog/logging.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace entropic {
namespace {

constexpr char kRecordName[] = "job_record.pb";

int Sync(const RecordSync& sync, int fd) {
  return sync ? sync(fd) : ::fdatasync(fd);
}

absl::Status WriteAndSync(const std::string& path, const std::string& bytes,
                          const RecordSync& sync) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n =
        ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return absl::InternalError(
          absl::StrCat("cannot write ", path, ": ", std::strerror(error)));
    }
    written += static_cast<size_t>(n);
  }
  const bool synced = Sync(sync, fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!synced) {
    return absl::InternalError(
        absl::StrCat("cannot sync ", path, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

// Makes the entries of `directory` (a file renamed into it, a directory made
// in it) durable.
absl::Status SyncDirectory(const std::filesystem::path& directory,
                           const RecordSync& sync) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", directory.string(),
                                            ": ", std::strerror(errno)));
  }
  const bool synced = Sync(sync, fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!synced) {
    return absl::InternalError(absl::StrCat("cannot sync ", directory.string(),
                                            ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace

std::string JobRecordPath(const std::string& output_root,
                          const std::string& job_id) {
  return absl::StrCat(output_root, "/", job_id, "/", kRecordName);
}

absl::Status SaveJobRecord(const std::string& output_root, const v1::Job& job,
                           const RecordSync& sync) {
  const std::string path = JobRecordPath(output_root, job.id());
  const std::filesystem::path directory =
      std::filesystem::path(path).parent_path();
  std::error_code error;
  const bool created = std::filesystem::create_directories(directory, error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot create the directory of ",
                                            path, ": ", error.message()));
  }
  const std::string temporary = path + ".tmp";
  const absl::Status written =
      WriteAndSync(temporary, job.SerializeAsString(), sync);
  if (!written.ok()) return written;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot replace ", path, ": ", error.message()));
  }
  // The rename, and a new job's directory, survive a machine crash only
  // once the directories holding them are synced.
  const absl::Status renamed = SyncDirectory(directory, sync);
  if (!renamed.ok() || !created) return renamed;
  return SyncDirectory(directory.parent_path(), sync);
}

std::vector<v1::Job> LoadJobRecords(const std::string& output_root) {
  std::vector<v1::Job> jobs;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(output_root, error)) {
    const std::filesystem::path path = entry.path() / kRecordName;
    if (!std::filesystem::exists(path)) continue;
    std::ifstream in(path, std::ios::binary);
    v1::Job job;
    if (!job.ParseFromIstream(&in) || job.id().empty()) {
      LOG(WARNING) << "skipping unreadable job record " << path;
      continue;
    }
    jobs.push_back(std::move(job));
  }
  std::sort(jobs.begin(), jobs.end(), [](const v1::Job& a, const v1::Job& b) {
    return google::protobuf::util::TimeUtil::TimestampToNanoseconds(
               a.create_time()) <
           google::protobuf::util::TimeUtil::TimestampToNanoseconds(
               b.create_time());
  });
  return jobs;
}

}  // namespace entropic
