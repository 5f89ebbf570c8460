#include "learner/job_manager.h"

#include <glog/logging.h>

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/job_spec.h"
#include "common/status_macros.h"
#include "learner/job_records.h"

namespace entropic {
namespace {

std::string StateLabel(v1::JobState state) {
  std::string name = v1::JobState_Name(state);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return name;
}

}  // namespace

JobManager::JobManager(const Options& options, TrainFunction train,
                       LearnerMetrics* metrics)
    : options_(options),
      train_(std::move(train)),
      metrics_(metrics),
      id_rng_(std::random_device{}()) {
  if (options_.keep_records) {
    std::vector<std::shared_ptr<LiveJob>> restored;
    for (const v1::Job& saved : LoadJobRecords(options_.output_root)) {
      auto job = std::make_shared<LiveJob>(saved);
      if (job->state() == v1::PENDING) {
        LOG(INFO) << "job " << job->id() << " restored, queued to resume";
        Persist(*job);  // its restarts, counted up
      }
      restored.push_back(std::move(job));
    }
    absl::MutexLock lock(&mu_);
    for (std::shared_ptr<LiveJob>& job : restored) {
      order_.push_back(job->id());
      jobs_[job->id()] = std::move(job);
    }
    StartJobsLocked();
    records_thread_ = std::thread([this] { RecordsLoop(); });
  }
  ticker_ = std::thread([this] { TickLoop(); });
}

absl::Status JobManager::WriteRecord(const LiveJob& job, PersistIf when) {
  if (!options_.keep_records) return absl::OkStatus();
  absl::MutexLock lock(&records_mu_);
  // Taken under records_mu_: records are written in the order of the
  // snapshots they hold, so the newest state is the one left on disk.
  const v1::Job snapshot = job.Snapshot();
  if (when == PersistIf::kRunning && snapshot.state() != v1::RUNNING) {
    return absl::OkStatus();
  }
  return SaveJobRecord(options_.output_root, snapshot, options_.sync_record);
}

void JobManager::Persist(const LiveJob& job, PersistIf when) {
  const absl::Status saved = WriteRecord(job, when);
  if (!saved.ok()) LOG(WARNING) << "job " << job.id() << ": " << saved;
}

void JobManager::EnqueueRecordTaskLocked(absl::AnyInvocable<void()> task) {
  record_tasks_.push_back(std::move(task));
}

void JobManager::RecordsLoop() {
  while (true) {
    absl::AnyInvocable<void()> task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !record_tasks_.empty() || shut_down_;
      };
      mu_.Await(absl::Condition(&ready));
      // Nothing is queued after shut_down_: done once the queue is empty.
      if (record_tasks_.empty()) return;
      task = std::move(record_tasks_.front());
      record_tasks_.pop_front();
    }
    task();
  }
}

JobManager::~JobManager() { Shutdown(); }

std::string JobManager::NewJobIdLocked(const std::string& name) {
  // Lower-case letters and digits with single dashes: easy to type in a shell.
  std::string slug;
  for (const char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      slug += static_cast<char>(std::tolower(u));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    if (slug.size() >= 40) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty()) slug = "job";
  while (true) {
    const std::string id =
        absl::StrFormat("%s-%06x", slug, id_rng_() & 0xffffff);
    if (!jobs_.count(id) && !reserved_ids_.count(id)) return id;
  }
}

void JobManager::SubmitAsync(v1::JobSpec spec, JobDone done) {
  ApplyJobDefaults(spec);
  absl::Status valid = ValidateJobSpec(spec);
  if (!valid.ok()) {
    done(std::move(valid));
    return;
  }
  std::shared_ptr<LiveJob> job;
  {
    absl::MutexLock lock(&mu_);
    if (!shut_down_) {
      const std::string id = NewJobIdLocked(spec.name());
      reserved_ids_.insert(id);
      job = std::make_shared<LiveJob>(id, std::move(spec),
                                      options_.replay_address);
      if (options_.keep_records) {
        // Queued before shut_down_ can be set: Shutdown waits for it.
        EnqueueRecordTaskLocked(
            [this, job = std::move(job), done = std::move(done)]() mutable {
              RecordSubmission(std::move(job), std::move(done));
            });
        return;
      }
    }
  }
  if (job == nullptr) {
    done(absl::UnavailableError("the learner is shutting down"));
    return;
  }
  done(Admit(std::move(job)));
}

void JobManager::RecordSubmission(std::shared_ptr<LiveJob> job, JobDone done) {
  bool shutting_down = false;
  {
    absl::MutexLock lock(&mu_);
    shutting_down = shut_down_;
    if (shutting_down) reserved_ids_.erase(job->id());
  }
  if (shutting_down) {
    done(absl::UnavailableError("the learner is shutting down"));
    return;
  }
  const absl::Status saved = WriteRecord(*job);
  if (!saved.ok()) {
    {
      absl::MutexLock lock(&mu_);
      reserved_ids_.erase(job->id());
    }
    done(absl::InternalError(
        absl::StrCat("the job could not be recorded: ", saved.message())));
    return;
  }
  done(Admit(std::move(job)));
}

absl::StatusOr<v1::Job> JobManager::Admit(std::shared_ptr<LiveJob> job) {
  const std::string& id = job->id();
  {
    absl::MutexLock lock(&mu_);
    reserved_ids_.erase(id);
    jobs_[id] = job;
    order_.push_back(id);
    if (shut_down_) {
      // As Shutdown does to every pending job.
      job->MarkFinished(v1::CANCELLED, "the learner shut down");
    } else {
      StartJobsLocked();
    }
  }
  LOG(INFO) << "job " << id << " submitted";
  return job->Snapshot();
}

absl::StatusOr<v1::Job> JobManager::Submit(v1::JobSpec spec) {
  absl::Notification answered;
  absl::StatusOr<v1::Job> answer;
  SubmitAsync(std::move(spec), [&](absl::StatusOr<v1::Job> job) {
    answer = std::move(job);
    answered.Notify();
  });
  answered.WaitForNotification();
  return answer;
}

absl::StatusOr<std::shared_ptr<LiveJob>> JobManager::Find(
    const std::string& job_id) const {
  absl::MutexLock lock(&mu_);
  auto job = jobs_.find(job_id);
  if (job == jobs_.end()) {
    return absl::NotFoundError(absl::StrCat("no job with id '", job_id, "'"));
  }
  return job->second;
}

absl::StatusOr<v1::Job> JobManager::Get(const std::string& job_id) const {
  ASSIGN_OR_RETURN(std::shared_ptr<LiveJob> job, Find(job_id));
  return job->Snapshot();
}

std::vector<v1::Job> JobManager::List() const {
  std::vector<std::shared_ptr<LiveJob>> jobs;
  {
    absl::MutexLock lock(&mu_);
    for (auto id = order_.rbegin(); id != order_.rend(); ++id) {
      jobs.push_back(jobs_.at(*id));
    }
  }
  std::vector<v1::Job> snapshots;
  for (const auto& job : jobs) snapshots.push_back(job->Snapshot());
  return snapshots;
}

void JobManager::CancelAsync(const std::string& job_id, JobDone done) {
  absl::StatusOr<std::shared_ptr<LiveJob>> found = Find(job_id);
  if (!found.ok()) {
    done(found.status());
    return;
  }
  std::shared_ptr<LiveJob> job = *std::move(found);
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    // Under mu_, so StartJobsLocked cannot start the job meanwhile.
    switch (job->state()) {
      case v1::PENDING:
        job->MarkFinished(v1::CANCELLED, "cancelled before it started");
        // No job is PENDING once shut_down_ is set: the records thread
        // still runs this.
        if (options_.keep_records) {
          EnqueueRecordTaskLocked(
              [this, job = std::move(job), done = std::move(done)]() mutable {
                Persist(*job);  // a failure is logged; the job stays cancelled
                done(job->Snapshot());
              });
          return;
        }
        break;
      case v1::RUNNING:
        cancelled_by_user_.insert(job_id);
        job->RequestCancel();
        break;
      default:
        refused = absl::FailedPreconditionError(
            absl::StrCat("job ", job_id, " already ended (",
                         v1::JobState_Name(job->state()), ")"));
    }
  }
  if (!refused.ok()) {
    done(std::move(refused));
    return;
  }
  done(job->Snapshot());
}

absl::StatusOr<v1::Job> JobManager::Cancel(const std::string& job_id) {
  absl::Notification answered;
  absl::StatusOr<v1::Job> answer;
  CancelAsync(job_id, [&](absl::StatusOr<v1::Job> job) {
    answer = std::move(job);
    answered.Notify();
  });
  answered.WaitForNotification();
  return answer;
}

void JobManager::StartJobsLocked() {
  for (const std::string& id : order_) {
    if (running_ >= options_.max_running_jobs || shut_down_) return;
    std::shared_ptr<LiveJob> job = jobs_.at(id);
    if (job->state() != v1::PENDING) continue;
    ++running_;
    job->MarkRunning(absl::StrCat(options_.output_root, "/", id));
    // The trainer thread records the new state, outside mu_.
    trainers_[id] = std::thread([this, job] { RunTrainer(job); });
  }
}

void JobManager::RunTrainer(std::shared_ptr<LiveJob> job) {
  LOG(INFO) << "job " << job->id() << " starting";
  Persist(*job);  // RUNNING
  const TrainingOutcome outcome = train_(*job);
  bool interrupted = false;
  {
    absl::MutexLock lock(&mu_);
    // Stopped by a shutdown, not by its owner: its record stays RUNNING so
    // the next learner resumes it.
    interrupted = options_.keep_records && shut_down_ &&
                  outcome.state == v1::CANCELLED &&
                  !cancelled_by_user_.count(job->id());
  }
  if (interrupted) {
    Persist(*job);  // the last progress, still RUNNING
    job->MarkFinished(v1::CANCELLED,
                      "interrupted by a learner shutdown; it resumes when "
                      "the learner starts again");
  } else {
    job->MarkFinished(outcome.state, outcome.message);
    Persist(*job);
  }
  LOG(INFO) << "job " << job->id() << " ended "
            << v1::JobState_Name(job->state()) << ": "
            << job->Snapshot().message();
  absl::MutexLock lock(&mu_);
  --running_;
  // This thread cannot join itself; the next caller of Shutdown does.
  auto self = trainers_.find(job->id());
  finished_trainers_.push_back(std::move(self->second));
  trainers_.erase(self);
  StartJobsLocked();
}

v1::GetWorkResponse JobManager::GetWork(const v1::GetWorkRequest& request) {
  std::vector<std::shared_ptr<LiveJob>> running;
  {
    absl::MutexLock lock(&mu_);
    for (const std::string& id : order_) {
      if (jobs_.at(id)->state() == v1::RUNNING) running.push_back(jobs_.at(id));
    }
  }
  v1::GetWorkResponse response;
  const absl::Time now = absl::Now();
  for (const auto& job : running) {
    absl::StatusOr<std::string> actor_id =
        job->AddActor(request.actor_name(), now, options_.actor_timeout);
    if (!actor_id.ok()) continue;
    const v1::JobSpec& spec = job->spec();
    v1::WorkAssignment& work = *response.mutable_assignment();
    work = job->actor_work();  // policy, table, columns
    work.set_job_id(job->id());
    work.set_actor_id(*actor_id);
    work.set_replay_address(options_.replay_address);
    *work.mutable_env() = spec.env();
    work.set_chunk_length(spec.replay().chunk_length());
    // Distinct, reproducible streams per actor of a job.
    work.set_seed(spec.seed() * 1000003 + std::hash<std::string>()(*actor_id));
    LOG(INFO) << request.actor_name() << " joins job " << job->id() << " as "
              << *actor_id;
    return response;
  }
  response.mutable_retry_after()->set_seconds(
      absl::ToInt64Seconds(options_.idle_retry));
  response.mutable_retry_after()->set_nanos(
      absl::ToInt64Nanoseconds(options_.idle_retry) % 1000000000);
  return response;
}

absl::StatusOr<v1::ReportProgressResponse> JobManager::ReportProgress(
    const v1::ReportProgressRequest& request) {
  ASSIGN_OR_RETURN(std::shared_ptr<LiveJob> job, Find(request.job_id()));
  ASSIGN_OR_RETURN(const bool keep_working,
                   job->RecordProgress(request, absl::Now()));
  v1::ReportProgressResponse response;
  response.set_keep_working(keep_working);
  return response;
}

void JobManager::TickLoop() {
  while (!stop_ticker_.WaitForNotificationWithTimeout(
      options_.progress_interval)) {
    std::vector<std::shared_ptr<LiveJob>> jobs;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [id, job] : jobs_) jobs.push_back(job);
    }
    std::map<v1::JobState, int> by_state;
    const absl::Time now = absl::Now();
    for (const auto& job : jobs) {
      ++by_state[job->state()];
      job->PublishProgress(now);
      if (job->state() == v1::RUNNING) Persist(*job, PersistIf::kRunning);
    }
    for (v1::JobState state :
         {v1::PENDING, v1::RUNNING, v1::SUCCEEDED, v1::FAILED, v1::CANCELLED}) {
      metrics_->jobs(StateLabel(state)).Set(by_state[state]);
    }
  }
}

void JobManager::Shutdown() {
  std::map<std::string, std::thread> running;
  std::vector<std::thread> finished;
  {
    absl::MutexLock lock(&mu_);
    if (!shut_down_) {
      shut_down_ = true;
      for (auto& [id, job] : jobs_) {
        if (job->state() == v1::PENDING) {
          // A kept record stays PENDING: the next learner runs the job.
          job->MarkFinished(v1::CANCELLED, "the learner shut down");
        } else if (job->state() == v1::RUNNING) {
          job->RequestCancel();
        }
      }
    }
    finished = std::move(finished_trainers_);
    finished_trainers_.clear();
  }
  // Once the queue is empty: submissions that had not begun writing were
  // refused, pending jobs' cancellations recorded.
  if (records_thread_.joinable()) records_thread_.join();
  for (auto& thread : finished) thread.join();
  // Running trainers move themselves to finished_trainers_ as they end.
  while (true) {
    std::vector<std::thread> done;
    {
      absl::MutexLock lock(&mu_);
      auto all_done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return trainers_.empty() || !finished_trainers_.empty();
      };
      mu_.Await(absl::Condition(&all_done));
      done = std::move(finished_trainers_);
      finished_trainers_.clear();
      if (done.empty() && trainers_.empty()) break;
    }
    for (auto& thread : done) thread.join();
  }
  if (!stop_ticker_.HasBeenNotified()) stop_ticker_.Notify();
  if (ticker_.joinable()) ticker_.join();
}

}  // namespace entropic
