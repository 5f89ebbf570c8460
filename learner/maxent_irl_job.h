#ifndef ENTROPIC_LEARNER_MAXENT_IRL_JOB_H_
#define ENTROPIC_LEARNER_MAXENT_IRL_JOB_H_

#include "learner/job_manager.h"
#include "learner/learner_metrics.h"
#include "learner/live_job.h"

namespace entropic {

// Runs a maxent_irl job (job_spec.proto's MaxEntIrlSpec) on the calling
// thread: counts the expert's state visitation in the demonstrations file,
// recovers a state reward with tabular::MaxEntIrl, and evaluates the
// soft-optimal policy of that reward exactly: its visitation against the
// expert's (total variation) and its expected return under the
// environment's own reward. Each Newton step is an update; the evaluation
// is recorded once. Writes reward.csv (learned and true reward per state)
// and visitation.csv (expert's and learned policy's) under the job's
// output_dir (which exists). No actors join.
TrainingOutcome RunMaxEntIrlJob(LiveJob& job, JobMetrics& metrics);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_MAXENT_IRL_JOB_H_
