#include "learner/live_job.h"

#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace entropic {
namespace {

constexpr size_t kReturnWindow = 100;

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(time));
}

bool IsFinalState(v1::JobState state) {
  return state == v1::SUCCEEDED || state == v1::FAILED ||
         state == v1::CANCELLED;
}

}  // namespace

LiveJob::LiveJob(std::string id, v1::JobSpec spec, std::string replay_address)
    : id_(std::move(id)), spec_(std::move(spec)) {
  absl::MutexLock lock(&mu_);
  job_.set_id(id_);
  job_.set_replay_address(std::move(replay_address));
  job_.set_state(v1::PENDING);
  *job_.mutable_create_time() = ToTimestamp(absl::Now());
  AppendEventLocked(v1::JobEvent::STATE_CHANGED);
}

LiveJob::LiveJob(const v1::Job& saved) : id_(saved.id()), spec_(saved.spec()) {
  absl::MutexLock lock(&mu_);
  job_ = saved;
  job_.clear_spec();
  if (!IsFinalState(job_.state())) {
    // Unfinished when its learner stopped: queued again, to resume.
    job_.set_state(v1::PENDING);
    job_.set_restarts(job_.restarts() + 1);
    job_.set_message("queued again after a learner restart");
    job_.mutable_progress()->set_actors(0);
  }
  AppendEventLocked(v1::JobEvent::STATE_CHANGED);
}

v1::Job LiveJob::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return SnapshotLocked();
}

v1::Job LiveJob::SnapshotLocked() const {
  v1::Job job = job_;
  *job.mutable_spec() = spec_;
  if (job.state() == v1::RUNNING) {
    job.mutable_progress()->set_wall_time_seconds(
        absl::ToDoubleSeconds(absl::Now() - started_));
  }
  return job;
}

v1::JobState LiveJob::state() const {
  absl::MutexLock lock(&mu_);
  return job_.state();
}

bool LiveJob::IsFinal() const { return IsFinalState(state()); }

void LiveJob::MarkRunning(const std::string& output_dir) {
  {
    absl::MutexLock lock(&mu_);
    job_.set_state(v1::RUNNING);
    job_.clear_message();
    job_.set_output_dir(output_dir);
    started_ = absl::Now();
    last_progress_time_ = started_;
    *job_.mutable_start_time() = ToTimestamp(started_);
    AppendEventLocked(v1::JobEvent::STATE_CHANGED);
  }
  notifier_.Notify();
}

void LiveJob::MarkFinished(v1::JobState state, const std::string& message) {
  {
    absl::MutexLock lock(&mu_);
    if (IsFinalState(job_.state())) return;
    if (job_.state() == v1::RUNNING) {
      job_.mutable_progress()->set_wall_time_seconds(
          absl::ToDoubleSeconds(absl::Now() - started_));
    }
    job_.set_state(state);
    job_.set_message(message);
    job_.mutable_progress()->set_actors(0);
    accepting_actors_ = false;
    *job_.mutable_end_time() = ToTimestamp(absl::Now());
    AppendEventLocked(v1::JobEvent::STATE_CHANGED);
  }
  notifier_.Notify();
}

void LiveJob::RequestCancel() {
  absl::MutexLock lock(&mu_);
  cancel_requested_ = true;
}

bool LiveJob::cancel_requested() const {
  absl::MutexLock lock(&mu_);
  return cancel_requested_;
}

void LiveJob::SetActorWork(const v1::WorkAssignment& work) {
  absl::MutexLock lock(&mu_);
  actor_work_ = work;
}

v1::WorkAssignment LiveJob::actor_work() const {
  absl::MutexLock lock(&mu_);
  return actor_work_;
}

void LiveJob::SetAcceptingActors(bool accepting) {
  absl::MutexLock lock(&mu_);
  accepting_actors_ = accepting;
}

int LiveJob::LiveActorsLocked(absl::Time now, absl::Duration timeout) const {
  int live = 0;
  for (const auto& [id, actor] : actors_) {
    if (now - actor.last_seen <= timeout) ++live;
  }
  return live;
}

absl::StatusOr<std::string> LiveJob::AddActor(const std::string& actor_name,
                                              absl::Time now,
                                              absl::Duration actor_timeout) {
  absl::MutexLock lock(&mu_);
  if (job_.state() != v1::RUNNING || !accepting_actors_ || cancel_requested_) {
    return absl::FailedPreconditionError("the job is not taking actors");
  }
  // Forget actors that went silent so replacements can take their place.
  for (auto it = actors_.begin(); it != actors_.end();) {
    it = now - it->second.last_seen > actor_timeout ? actors_.erase(it)
                                                    : std::next(it);
  }
  if (static_cast<int>(actors_.size()) >= spec_.actors()) {
    return absl::ResourceExhaustedError("the job has all its actors");
  }
  // Ids stay distinct across learner restarts: replay de-duplicates chunks
  // by writer and sequence number, and a new writer starts again at 0.
  const std::string actor_id =
      job_.restarts() == 0
          ? absl::StrCat(id_, "/actor-", next_actor_++)
          : absl::StrCat(id_, "/r", job_.restarts(), "-actor-", next_actor_++);
  actors_[actor_id] = ActorInfo{actor_name, now};
  job_.mutable_progress()->set_actors(actors_.size());
  return actor_id;
}

absl::StatusOr<bool> LiveJob::RecordProgress(
    const v1::ReportProgressRequest& report, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto actor = actors_.find(report.actor_id());
  if (actor == actors_.end()) {
    // An actor that was presumed gone still counts its steps if the job runs.
    if (IsFinalState(job_.state())) return false;
    return absl::NotFoundError(
        absl::StrCat("job ", id_, " has no actor ", report.actor_id()));
  }
  actor->second.last_seen = now;
  v1::JobProgress& progress = *job_.mutable_progress();
  progress.set_env_steps(progress.env_steps() + report.env_steps());
  progress.set_episodes(progress.episodes() + report.episodes_size());
  for (const v1::EpisodeSummary& episode : report.episodes()) {
    recent_returns_.push_back(episode.episode_return());
    if (recent_returns_.size() > kReturnWindow) recent_returns_.pop_front();
    unwritten_episodes_.push_back(episode);
    if (unwritten_episodes_.size() > kUnwrittenEpisodes) {
      unwritten_episodes_.pop_front();
    }
  }
  if (!recent_returns_.empty()) {
    progress.set_mean_episode_return(
        std::accumulate(recent_returns_.begin(), recent_returns_.end(), 0.0) /
        recent_returns_.size());
  }
  const bool keep_working = job_.state() == v1::RUNNING && !cancel_requested_;
  if (!keep_working) {
    actors_.erase(actor);
    progress.set_actors(actors_.size());
  }
  return keep_working;
}

std::vector<v1::EpisodeSummary> LiveJob::TakeEpisodes() {
  absl::MutexLock lock(&mu_);
  std::vector<v1::EpisodeSummary> episodes(unwritten_episodes_.begin(),
                                           unwritten_episodes_.end());
  unwritten_episodes_.clear();
  return episodes;
}

int64_t LiveJob::env_steps() const {
  absl::MutexLock lock(&mu_);
  return job_.progress().env_steps();
}

void LiveJob::RecordTraining(const TrainingStats& stats) {
  absl::MutexLock lock(&mu_);
  v1::JobProgress& progress = *job_.mutable_progress();
  progress.set_updates(stats.updates);
  progress.set_policy_version(stats.policy_version);
  progress.set_loss(stats.loss);
  progress.set_temperature(stats.temperature);
  progress.set_policy_entropy(stats.policy_entropy);
}

void LiveJob::RecordLearnerSteps(int64_t env_steps, int64_t episodes,
                                 double mean_episode_return) {
  absl::MutexLock lock(&mu_);
  v1::JobProgress& progress = *job_.mutable_progress();
  progress.set_env_steps(progress.env_steps() + env_steps);
  progress.set_episodes(progress.episodes() + episodes);
  progress.set_mean_episode_return(mean_episode_return);
}

void LiveJob::RecordEvaluation(const v1::EvalResult& result) {
  {
    absl::MutexLock lock(&mu_);
    *job_.add_evaluations() = result;
    // Every event carries a snapshot of the job: a history without end
    // would make a long job's memory grow with its square.
    if (job_.evaluations_size() > kKeptEvaluations) {
      job_.mutable_evaluations()->DeleteSubrange(
          0, job_.evaluations_size() - kKeptEvaluations);
    }
    AppendEventLocked(v1::JobEvent::EVALUATION);
  }
  notifier_.Notify();
}

void LiveJob::PublishProgress(absl::Time now) {
  {
    absl::MutexLock lock(&mu_);
    if (job_.state() != v1::RUNNING) return;
    v1::JobProgress& progress = *job_.mutable_progress();
    const double seconds = absl::ToDoubleSeconds(now - last_progress_time_);
    if (seconds > 0) {
      progress.set_updates_per_second(
          (progress.updates() - last_progress_updates_) / seconds);
      progress.set_env_steps_per_second(
          (progress.env_steps() - last_progress_steps_) / seconds);
    }
    last_progress_time_ = now;
    last_progress_updates_ = progress.updates();
    last_progress_steps_ = progress.env_steps();
    AppendEventLocked(v1::JobEvent::PROGRESS);
  }
  notifier_.Notify();
}

void LiveJob::AppendEventLocked(v1::JobEvent::Kind kind) {
  v1::JobEvent event;
  event.set_kind(kind);
  *event.mutable_job() = SnapshotLocked();
  events_.push_back(std::move(event));
  if (events_.size() > kRetainedEvents) {
    events_.pop_front();
    ++first_event_;
  }
}

std::pair<v1::Job, uint64_t> LiveJob::SnapshotAndCursor() const {
  absl::MutexLock lock(&mu_);
  return {SnapshotLocked(), first_event_ + events_.size()};
}

std::vector<v1::JobEvent> LiveJob::EventsAfter(uint64_t& cursor) const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::JobEvent> events;
  const uint64_t start = std::max(cursor, first_event_);
  for (uint64_t seq = start; seq < first_event_ + events_.size(); ++seq) {
    events.push_back(events_[seq - first_event_]);
  }
  cursor = first_event_ + events_.size();
  return events;
}

std::shared_ptr<Notifier::Subscription> LiveJob::Subscribe(
    std::function<void()> callback) {
  return notifier_.Subscribe(std::move(callback));
}

}  // namespace entropic
