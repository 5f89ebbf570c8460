#ifndef ENTROPIC_LEARNER_JOB_RECORDS_H_
#define ENTROPIC_LEARNER_JOB_RECORDS_H_

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

// Writes `job`'s record. Internal error naming the path if it cannot.
absl::Status SaveJobRecord(const std::string& output_root, const v1::Job& job);

// Every record under `output_root`, oldest submission first. Records that
// cannot be read are skipped with a warning; a missing root holds none.
std::vector<v1::Job> LoadJobRecords(const std::string& output_root);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_JOB_RECORDS_H_
