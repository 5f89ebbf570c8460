#ifndef ENTROPIC_LEARNER_TRAINER_H_
#define ENTROPIC_LEARNER_TRAINER_H_

#include <string>

#include "absl/time/time.h"
#include "common/security.h"
#include "learner/job_manager.h"
#include "learner/learner_metrics.h"
#include "learner/live_job.h"
#include "learner/parameter_store.h"

namespace entropic {

struct TrainerOptions {
  // host:port of the replay service.
  std::string replay_address;
  // TLS and token for replay.
  ClientSecurity replay_security;
  // LibTorch device of the models: "cpu" or "cuda[:N]".
  std::string device = "cpu";
  // Shared with the parameters service; must outlive the run.
  ParameterStore* parameters = nullptr;
  LearnerMetrics* metrics = nullptr;
  // How long to keep trying to reach replay before failing the job.
  absl::Duration replay_timeout = absl::Minutes(1);
};

// Trains `job` (already RUNNING, output_dir set) on the calling thread:
// creates its replay tables, publishes initial weights and lets actors join,
// then samples, updates, publishes weights every publish_every_updates and
// evaluates every eval.every_updates until a stop condition, cancellation or
// an error. Then evaluates once more if needed, writes the checkpoint and
// curves under the job's output_dir, ends the weights streams and drops the
// replay tables. Never throws: LibTorch errors become a FAILED outcome.
TrainingOutcome RunTraining(LiveJob& job, const TrainerOptions& options);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_TRAINER_H_
