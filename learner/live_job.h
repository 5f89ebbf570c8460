#ifndef ENTROPIC_LEARNER_LIVE_JOB_H_
#define ENTROPIC_LEARNER_LIVE_JOB_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/notifier.h"
#include "entropic/v1/jobs.pb.h"
#include "entropic/v1/work.pb.h"

namespace entropic {

// What the trainer reports after updates.
struct TrainingStats {
  int64_t updates = 0;
  int64_t policy_version = 0;
  double loss = 0;
  double temperature = 0;
  double policy_entropy = 0;
};

// One job as the learner sees it while it lives: its spec and state, the
// progress its actors and trainer report, its actors, and the ordered log of
// events that WatchJob streams. Shared by the JobManager (RPC side) and the
// job's trainer thread.
//
// Thread-safe.
class LiveJob {
 public:
  LiveJob(std::string id, v1::JobSpec spec, std::string replay_address = "");
  // A job restored from its record: an ended job as it was saved; an
  // unfinished one PENDING again, its restarts counted up.
  explicit LiveJob(const v1::Job& saved);

  const std::string& id() const { return id_; }
  const v1::JobSpec& spec() const { return spec_; }

  // The whole job now, evaluations included.
  v1::Job Snapshot() const;
  v1::JobState state() const;
  bool IsFinal() const;

  // State changes; each appends a STATE_CHANGED event.
  void MarkRunning(const std::string& output_dir);
  void MarkFinished(v1::JobState state, const std::string& message);

  // Cancellation is cooperative: the trainer polls cancel_requested().
  void RequestCancel();
  bool cancel_requested() const;

  // --- Actors ---
  // Lets actors join once the job's tables and first weights exist.
  void SetAcceptingActors(bool accepting);
  // The trainer's part of every actor's assignment: the policy to build
  // (from the job's algorithm), the table chunks go to and the extra
  // columns it declares. Set before actors are accepted; the JobManager
  // adds the rest.
  void SetActorWork(const v1::WorkAssignment& work);
  v1::WorkAssignment actor_work() const;
  // A new actor id if the job is running, accepting actors and short of
  // spec.actors live ones; actors silent for `actor_timeout` no longer count.
  absl::StatusOr<std::string> AddActor(const std::string& actor_name,
                                       absl::Time now,
                                       absl::Duration actor_timeout);
  // Records an actor's report. NotFound for an actor the job does not know;
  // returns whether the actor should keep working.
  absl::StatusOr<bool> RecordProgress(const v1::ReportProgressRequest& report,
                                      absl::Time now);
  int64_t env_steps() const;
  // The episodes actors reported since the previous call, in the order
  // their reports arrived (the trainer writes them to episodes.csv). Keeps
  // at most kUnwrittenEpisodes between calls, the newest.
  std::vector<v1::EpisodeSummary> TakeEpisodes();
  static constexpr size_t kUnwrittenEpisodes = 100000;

  // --- Trainer ---
  void RecordTraining(const TrainingStats& stats);
  // Steps the learner took itself, in jobs without actors (bandits): adds
  // to env_steps and episodes and sets the mean episode return.
  void RecordLearnerSteps(int64_t env_steps, int64_t episodes,
                          double mean_episode_return);
  // Appends to evaluations and an EVALUATION event.
  void RecordEvaluation(const v1::EvalResult& result);

  // Appends a PROGRESS event with rates since the previous one.
  void PublishProgress(absl::Time now);

  // --- Watching ---
  // The job now and the cursor of the next event, read together so a
  // watcher misses nothing between them.
  std::pair<v1::Job, uint64_t> SnapshotAndCursor() const;
  // Events after `cursor` (0 = from the start of the retained log), oldest
  // first, and the cursor to pass next time. The log keeps the newest
  // `kRetainedEvents` (each a snapshot of the job, a minute of progress
  // events); a watcher that fell further behind skips ahead to them.
  std::vector<v1::JobEvent> EventsAfter(uint64_t& cursor) const;
  // Called (see Notifier) whenever an event is appended.
  std::shared_ptr<Notifier::Subscription> Subscribe(
      std::function<void()> callback);

  static constexpr size_t kRetainedEvents = 64;
  // Evaluations kept in the job (every one is in its evaluations.csv).
  static constexpr int kKeptEvaluations = 100;

 private:
  struct ActorInfo {
    std::string name;
    absl::Time last_seen;
  };

  void AppendEventLocked(v1::JobEvent::Kind kind)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  v1::Job SnapshotLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int LiveActorsLocked(absl::Time now, absl::Duration timeout) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string id_;
  const v1::JobSpec spec_;
  Notifier notifier_;

  mutable absl::Mutex mu_;
  v1::Job job_ ABSL_GUARDED_BY(mu_);  // state, progress, evaluations, times
  absl::Time started_ ABSL_GUARDED_BY(mu_);
  bool cancel_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool accepting_actors_ ABSL_GUARDED_BY(mu_) = false;
  v1::WorkAssignment actor_work_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, ActorInfo> actors_ ABSL_GUARDED_BY(mu_);
  int next_actor_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<double> recent_returns_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::EpisodeSummary> unwritten_episodes_ ABSL_GUARDED_BY(mu_);
  // Counters at the previous PROGRESS event, for rates.
  absl::Time last_progress_time_ ABSL_GUARDED_BY(mu_);
  int64_t last_progress_updates_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_progress_steps_ ABSL_GUARDED_BY(mu_) = 0;
  // events_[i] has sequence number first_event_ + i + 1.
  std::deque<v1::JobEvent> events_ ABSL_GUARDED_BY(mu_);
  uint64_t first_event_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_LIVE_JOB_H_
