#ifndef ENTROPIC_LEARNER_JOB_RECORDS_H_
#define ENTROPIC_LEARNER_JOB_RECORDS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "entropic/v1/jobs.pb.h"

namespace entropic {

// Job records on disk, so a restarted learner remembers its jobs: each job's
// v1::Job (spec, state, progress, evaluations) as binary protobuf in
// <output_root>/<job id>/job_record.pb, replaced atomically (written to a
// temporary file, flushed, renamed over the old one).

// The record's path for `job_id`.
std::string JobRecordPath(const std::string& output_root,
                          const std::string& job_id);

// Makes a written file's data durable: fdatasync, or a stand-in that is slow
// or fails in tests. Returns 0, or -1 with errno set.
using RecordSync = std::function<int(int fd)>;

// Writes `job`'s record and makes it durable: the temporary file and, after
// the rename, the directories naming it are synced with `sync` (fdatasync
// when null). Blocks for the disk. Internal error naming the path if it
// cannot. Not safe to call for one job from two threads at once.
absl::Status SaveJobRecord(const std::string& output_root, const v1::Job& job,
                           const RecordSync& sync = nullptr);

// Every record under `output_root`, oldest submission first. Records that
// cannot be read are skipped with a warning; a missing root holds none.
std::vector<v1::Job> LoadJobRecords(const std::string& output_root);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_JOB_RECORDS_H_
