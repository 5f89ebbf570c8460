#ifndef ENTROPIC_LEARNER_RUN_CHECKPOINT_H_
#define ENTROPIC_LEARNER_RUN_CHECKPOINT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "entropic/v1/job_spec.pb.h"
#include "entropic/v1/parameters.pb.h"
#include "entropic/v1/policy.pb.h"

namespace entropic {

// The policy a job left in its output directory: the spec it ran
// (job.json), and from checkpoint/ the policy it acts with (policy.json,
// a PolicySpec) and its newest published weights (weights.pb), as actors
// received them. Algorithm-free: evaluation, `entropic demos record` and
// `entropic export` need nothing else.
struct RunCheckpoint {
  v1::JobSpec spec;
  v1::PolicySpec policy;
  v1::Weights weights;
};

// Writes policy.json and weights.pb into `checkpoint_dir` (which exists).
absl::Status WritePolicyFiles(const std::string& checkpoint_dir,
                              const v1::PolicySpec& policy,
                              const v1::Weights& weights);

// Reads the weights a checkpoint directory published last.
absl::StatusOr<v1::Weights> ReadCheckpointWeights(
    const std::string& checkpoint_dir);

// InvalidArgument naming the file for a directory that is not a job's
// output or whose checkpoint lacks its policy files.
absl::StatusOr<RunCheckpoint> LoadRunCheckpoint(const std::string& run_dir);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_RUN_CHECKPOINT_H_
