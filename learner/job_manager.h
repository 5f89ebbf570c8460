#ifndef ENTROPIC_LEARNER_JOB_MANAGER_H_
#define ENTROPIC_LEARNER_JOB_MANAGER_H_

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "entropic/v1/jobs.pb.h"
#include "entropic/v1/work.pb.h"
#include "learner/learner_metrics.h"
#include "learner/live_job.h"

namespace entropic {

// How a trainer run ended.
struct TrainingOutcome {
  v1::JobState state = v1::FAILED;
  std::string message;
};

// Trains one job to its end on the calling thread (see RunTraining).
using TrainFunction = std::function<TrainingOutcome(LiveJob& job)>;

// The learner's jobs: accepts them, runs up to `max_running_jobs` at once
// (each on a trainer thread of its own, oldest first), assigns actors to
// running jobs, and publishes progress events. The logic behind the jobs
// and work APIs, free of gRPC.
//
// Thread-safe. Owns the trainer threads and a progress ticker thread.
class JobManager {
 public:
  struct Options {
    // Handed to actors in their assignments.
    std::string replay_address;
    // Each job writes its checkpoint and curves to output_root/<job id>.
    std::string output_root = "runs";
    // Jobs running at once; the others wait PENDING.
    int max_running_jobs = 1;
    // Actors silent this long give their place to others.
    absl::Duration actor_timeout = absl::Seconds(30);
    // Period of PROGRESS events.
    absl::Duration progress_interval = absl::Seconds(1);
    // Suggested wait for actors when no job needs them.
    absl::Duration idle_retry = absl::Seconds(1);
    // Keep each job's record on disk (learner/job_records.h) and restore the
    // records under output_root at start: ended jobs as they were,
    // unfinished ones queued again to resume from their last checkpoint. A
    // shutdown then interrupts running jobs instead of cancelling them.
    bool keep_records = false;
  };

  JobManager(const Options& options, TrainFunction train,
             LearnerMetrics* metrics);
  // Shutdown()s.
  ~JobManager();

  // Fills in defaults and validates (InvalidArgument naming the field), then
  // queues the job. Returns it as stored.
  absl::StatusOr<v1::Job> Submit(v1::JobSpec spec);
  // NotFound for an unknown id.
  absl::StatusOr<v1::Job> Get(const std::string& job_id) const;
  absl::StatusOr<std::shared_ptr<LiveJob>> Find(
      const std::string& job_id) const;
  // Newest first.
  std::vector<v1::Job> List() const;
  // A pending job ends CANCELLED at once; a running one once its trainer
  // has stopped. FailedPrecondition if the job already ended.
  absl::StatusOr<v1::Job> Cancel(const std::string& job_id);

  v1::GetWorkResponse GetWork(const v1::GetWorkRequest& request);
  // NotFound for an unknown job or actor.
  absl::StatusOr<v1::ReportProgressResponse> ReportProgress(
      const v1::ReportProgressRequest& request);

  // Cancels every job, waits for the trainers, stops the ticker. Idempotent.
  void Shutdown();

 private:
  // Writes the job's record when records are kept; a failure is logged (the
  // job goes on).
  void Persist(const LiveJob& job) const;
  // Starts pending jobs while slots are free.
  void StartJobsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RunTrainer(std::shared_ptr<LiveJob> job);
  void TickLoop();
  std::string NewJobIdLocked(const std::string& name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  const TrainFunction train_;
  LearnerMetrics* const metrics_;

  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<LiveJob>> jobs_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);  // submission order
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, std::thread> trainers_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> finished_trainers_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 id_rng_ ABSL_GUARDED_BY(mu_);
  // Running jobs cancelled through Cancel (not by Shutdown).
  std::set<std::string> cancelled_by_user_ ABSL_GUARDED_BY(mu_);

  absl::Notification stop_ticker_;
  std::thread ticker_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_JOB_MANAGER_H_
