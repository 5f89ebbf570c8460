#ifndef ENTROPIC_LEARNER_BANDIT_JOB_H_
#define ENTROPIC_LEARNER_BANDIT_JOB_H_

#include "learner/job_manager.h"
#include "learner/learner_metrics.h"
#include "learner/live_job.h"

namespace entropic {

// Runs a bandit job (job_spec.proto's BanditSpec) on the calling thread: the
// agent pulls algorithm.bandit.pulls arms of the job's bandit environment
// with the job's seed, each pull an episode, an update and an env step of
// the job's progress. Statistics regret (cumulative pseudo-regret),
// regret_per_pull, best_arm_fraction and mean_reward become the gauges
// entropic_learner_<name>{job} and columns of training.csv (about 1,000
// rows over the run); then one exact evaluation: the expected reward of
// the agent's greedy arm, in evaluations.csv and the job. stop.env_steps,
// stop.updates and stop.wall_time end it sooner; cancellation is checked
// between rows. A restarted job starts over (the curves are rewritten).
// No actors join; nothing is checkpointed.
TrainingOutcome RunBanditJob(LiveJob& job, LearnerMetrics& metrics);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_BANDIT_JOB_H_
