#ifndef ENTROPIC_COMMON_JOB_SPEC_H_
#define ENTROPIC_COMMON_JOB_SPEC_H_

#include "absl/status/status.h"
#include "entropic/v1/job_spec.pb.h"

namespace entropic {

// Fills every unset field of `spec` with its documented default (see
// job_spec.proto). Fields set to invalid values are left for validation.
void ApplyJobDefaults(v1::JobSpec& spec);

// Checks a spec after ApplyJobDefaults. Returns InvalidArgument whose message
// starts with the offending field's path, e.g.
// "algorithm.soft_q.gamma: must be in [0, 1), got 1.5".
absl::Status ValidateJobSpec(const v1::JobSpec& spec);

// The smallest rate-limiter error buffer with which neither the learner
// (sampling `batch_size`) nor an actor (inserting chunks of `chunk_length`)
// can wait forever on the other.
double MinimumErrorBuffer(int batch_size, int chunk_length,
                          double samples_per_insert);

}  // namespace entropic

#endif  // ENTROPIC_COMMON_JOB_SPEC_H_
