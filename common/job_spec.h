#ifndef ENTROPIC_COMMON_JOB_SPEC_H_
#define ENTROPIC_COMMON_JOB_SPEC_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/env/environment.h"
#include "entropic/v1/job_spec.pb.h"

namespace entropic {

// Fills every unset field of `spec` with its documented default (see
// job_spec.proto). Fields set to invalid values are left for validation.
void ApplyJobDefaults(v1::JobSpec& spec);

// Checks a spec after ApplyJobDefaults. Returns InvalidArgument whose message
// starts with the offending field's path, e.g.
// "algorithm.soft_q.gamma: must be in [0, 1), got 1.5". Messages are checked
// against kMaxMessageBytes (common/message_size.h), see CheckMessageSizes.
absl::Status ValidateJobSpec(const v1::JobSpec& spec);

// The bytes of the float32 parameters of an MLP inputs -> hidden[0] -> ...
// -> outputs (actor/policy/mlp.h), each layer a weight and a bias: the
// policy network a job publishes to its actors, with the observation size
// as inputs and as outputs a soft Q job's num_actions Q values or SAC's mean
// and log std per action dimension. Saturates at INT64_MAX instead of
// overflowing.
int64_t MlpWeightBytes(int64_t inputs, absl::Span<const int32_t> hidden,
                       int64_t outputs);

// The bytes of one answer of `batch_size` (n-step) transitions from replay,
// as replay sizes it (replay/table.cc, Table::SampleBytes): per transition
// the observation and the next one, the action, the extra columns
// (`column_bytes` per step), and the scalars (reward, discount, terminated,
// truncated, key, probability, policy version, importance weight, source
// table). Saturates at INT64_MAX.
int64_t SampleBatchBytes(int64_t batch_size, int64_t observation_bytes,
                         int64_t action_bytes, int64_t column_bytes);

// Refuses (InvalidArgument naming the field) a soft Q or SAC spec on an
// environment of `env` whose published weights (algorithm.<name>.hidden) or
// sampled batches (algorithm.<name>.batch_size) would not fit in a gRPC
// message of `max_message_bytes`, less kMessageOverheadBytes for the rest of
// the message. Only the policy network is published: SAC's critics and the
// discriminator nets of adversarial jobs are not counted. OK for MaxEnt IRL.
absl::Status CheckMessageSizes(const v1::JobSpec& spec,
                               const EnvironmentInfo& env,
                               int64_t max_message_bytes);

// The smallest rate-limiter error buffer with which neither the learner
// (sampling `batch_size`) nor an actor (inserting chunks of `chunk_length`)
// can wait forever on the other.
double MinimumErrorBuffer(int batch_size, int chunk_length,
                          double samples_per_insert);

}  // namespace entropic

#endif  // ENTROPIC_COMMON_JOB_SPEC_H_
