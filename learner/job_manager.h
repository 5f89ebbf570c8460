#ifndef ENTROPIC_LEARNER_JOB_MANAGER_H_
#define ENTROPIC_LEARNER_JOB_MANAGER_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
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
// Thread-safe. Owns the trainer threads, a progress ticker thread and, when
// records are kept, a records thread: submissions and cancellations whose
// record must be written wait for the disk there, never on the caller's
// thread and never under the lock that GetWork, List and Get take. Record
// writes are serialized by a lock of their own, each writing the job as it
// is then, so the last record written is the newest state.
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
    // Makes a written record durable (learner/job_records.h): fdatasync
    // when null; tests make it slow, blocking or failing.
    std::function<int(int fd)> sync_record = nullptr;
  };

  // The answer to a submission or cancellation: the job, or why not.
  using JobDone = absl::AnyInvocable<void(absl::StatusOr<v1::Job>)>;

  JobManager(const Options& options, TrainFunction train,
             LearnerMetrics* metrics);
  // Shutdown()s.
  ~JobManager();

  // Fills in defaults and validates (InvalidArgument naming the field) on
  // the calling thread, gives the job a fresh id and, when records are kept,
  // writes its record on the records thread; then queues it and calls
  // `done` with it as stored. With records kept, a job is seen (Get, List,
  // GetWork, Cancel) only once its record is durable. `done` runs on the
  // calling thread when there is nothing to write or the job is refused, else
  // on the records thread; it must not block. Unavailable when shutting down
  // (also for a submission still waiting for the records thread when the
  // shutdown began); Internal, the job forgotten, when its record cannot be
  // written. A submission whose record was written as the learner shut down is
  // answered with the job CANCELLED, like every pending job then; its record
  // stays PENDING and the next learner runs it.
  void SubmitAsync(v1::JobSpec spec, JobDone done);
  // SubmitAsync, waiting for its answer.
  absl::StatusOr<v1::Job> Submit(v1::JobSpec spec);
  // NotFound for an unknown id.
  absl::StatusOr<v1::Job> Get(const std::string& job_id) const;
  absl::StatusOr<std::shared_ptr<LiveJob>> Find(
      const std::string& job_id) const;
  // Newest first.
  std::vector<v1::Job> List() const;
  // A pending job ends CANCELLED at once (it will not start), answered once
  // its record says so (on the records thread when records are kept); a
  // running one is asked to stop and ends once its trainer has, answered at
  // once. NotFound for an unknown id, FailedPrecondition if the job already
  // ended. `done` as for SubmitAsync.
  void CancelAsync(const std::string& job_id, JobDone done);
  // CancelAsync, waiting for its answer.
  absl::StatusOr<v1::Job> Cancel(const std::string& job_id);

  v1::GetWorkResponse GetWork(const v1::GetWorkRequest& request);
  // NotFound for an unknown job or actor.
  absl::StatusOr<v1::ReportProgressResponse> ReportProgress(
      const v1::ReportProgressRequest& request);

  // Cancels every job, answers the submissions waiting for the records
  // thread, waits for the trainers, stops the ticker. Idempotent.
  void Shutdown();

 private:
  enum class PersistIf { kAlways, kRunning };
  // Writes the job's record as it is now when records are kept (with
  // kRunning, only while it is running). Blocks for the disk, and for other
  // record writes.
  absl::Status WriteRecord(const LiveJob& job,
                           PersistIf when = PersistIf::kAlways)
      ABSL_LOCKS_EXCLUDED(mu_, records_mu_);
  // WriteRecord, logging a failure (the job goes on).
  void Persist(const LiveJob& job, PersistIf when = PersistIf::kAlways)
      ABSL_LOCKS_EXCLUDED(mu_, records_mu_);
  // Writes a submitted job's record, then Admits it (records thread).
  void RecordSubmission(std::shared_ptr<LiveJob> job, JobDone done)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Makes a job whose record is durable visible and queues it.
  absl::StatusOr<v1::Job> Admit(std::shared_ptr<LiveJob> job)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Runs `task` on the records thread (keep_records only), after those
  // queued before it.
  void EnqueueRecordTaskLocked(absl::AnyInvocable<void()> task)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RecordsLoop() ABSL_LOCKS_EXCLUDED(mu_);
  // Starts pending jobs while slots are free.
  void StartJobsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RunTrainer(std::shared_ptr<LiveJob> job);
  void TickLoop();
  // An id that no job, restored, visible or being recorded, has.
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
  // Ids of submissions whose record is being written, not yet in jobs_.
  std::set<std::string> reserved_ids_ ABSL_GUARDED_BY(mu_);
  // Work for the records thread, oldest first; none is queued once
  // shut_down_ is set.
  std::deque<absl::AnyInvocable<void()>> record_tasks_ ABSL_GUARDED_BY(mu_);

  // Held while a record is written (never with mu_ held; taken before a
  // LiveJob's own lock).
  absl::Mutex records_mu_;

  absl::Notification stop_ticker_;
  std::thread ticker_;
  std::thread records_thread_;  // keep_records only
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_JOB_MANAGER_H_
