#ifndef ENTROPIC_LEARNER_RUN_CHECKPOINT_H_
#define ENTROPIC_LEARNER_RUN_CHECKPOINT_H_

#include <string>

#include "absl/status/statusor.h"
#include "entropic/v1/job_spec.pb.h"
#include "entropic/v1/parameters.pb.h"

namespace entropic {

// The policy a soft Q job left in its output directory: the spec it ran
// (job.json) and the online network's weights from checkpoint/, as actors
// would receive them.
struct RunCheckpoint {
  v1::JobSpec spec;
  v1::Weights weights;
};

// InvalidArgument naming the file for a directory that is not a soft Q
// job's output or whose checkpoint does not load.
absl::StatusOr<RunCheckpoint> LoadRunCheckpoint(const std::string& run_dir);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_RUN_CHECKPOINT_H_
