#include "learner/job_manager.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "learner/job_records.h"

namespace entropic {
namespace {

using ::testing::HasSubstr;

v1::JobSpec Spec(int actors = 1) {
  v1::JobSpec spec;
  spec.set_name("Cart Pole!");
  spec.mutable_env()->set_id("CartPole-v1");
  spec.mutable_algorithm()->mutable_soft_q();
  spec.mutable_stop()->set_env_steps(1000);
  spec.set_actors(actors);
  return spec;
}

// A trainer that runs until released (or cancelled), so tests control when
// jobs end.
class FakeTrainer {
 public:
  TrainFunction Function() {
    return [this](LiveJob& job) {
      job.SetAcceptingActors(true);
      started_.Notify();
      while (!release_.WaitForNotificationWithTimeout(absl::Milliseconds(5))) {
        if (job.cancel_requested())
          return TrainingOutcome{v1::CANCELLED, "cancelled"};
      }
      return TrainingOutcome{v1::SUCCEEDED, "done"};
    };
  }
  absl::Notification started_;
  absl::Notification release_;
};

class JobManagerTest : public ::testing::Test {
 protected:
  JobManager::Options Options() {
    JobManager::Options options;
    options.replay_address = "replay:1";
    options.output_root = "/tmp/out";
    options.progress_interval = absl::Milliseconds(10);
    return options;
  }

  v1::Job WaitForState(JobManager& jobs, const std::string& id,
                       v1::JobState state) {
    absl::StatusOr<std::shared_ptr<LiveJob>> job = jobs.Find(id);
    EXPECT_TRUE(job.ok());
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    absl::Notification reached;
    auto subscription = (*job)->Subscribe([&] {
      if ((*job)->state() == state && !reached.HasBeenNotified()) {
        reached.Notify();
      }
    });
    if ((*job)->state() != state) {
      reached.WaitForNotificationWithDeadline(give_up);
    }
    subscription->Cancel();
    return (*job)->Snapshot();
  }

  prometheus::Registry registry_;
  LearnerMetrics metrics_{registry_};
};

TEST_F(JobManagerTest, BadSpecIsRefusedWithTheFieldName) {
  FakeTrainer trainer;
  JobManager jobs(Options(), trainer.Function(), &metrics_);
  v1::JobSpec spec = Spec();
  spec.mutable_algorithm()->mutable_soft_q()->set_gamma(2);
  const absl::StatusOr<v1::Job> job = jobs.Submit(spec);
  EXPECT_EQ(job.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(job.status().message()),
              HasSubstr("algorithm.soft_q.gamma"));
  EXPECT_TRUE(jobs.List().empty());
}

TEST_F(JobManagerTest, JobRunsToItsEndWithDefaultsFilledIn) {
  FakeTrainer trainer;
  JobManager jobs(Options(), trainer.Function(), &metrics_);
  absl::StatusOr<v1::Job> job = jobs.Submit(Spec());
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_THAT(job->id(), ::testing::MatchesRegex("cart-pole-[0-9a-f]{6}"));
  EXPECT_EQ(job->spec().algorithm().soft_q().batch_size(), 256);
  trainer.started_.WaitForNotification();
  const v1::Job running = *jobs.Get(job->id());
  EXPECT_EQ(running.state(), v1::RUNNING);
  EXPECT_EQ(running.output_dir(), "/tmp/out/" + job->id());
  trainer.release_.Notify();
  const v1::Job done = WaitForState(jobs, job->id(), v1::SUCCEEDED);
  EXPECT_EQ(done.state(), v1::SUCCEEDED);
  EXPECT_EQ(done.message(), "done");
}

TEST_F(JobManagerTest, RunsOneJobAtATimeAndCancelsPendingOnes) {
  FakeTrainer trainer;
  JobManager jobs(Options(), trainer.Function(), &metrics_);
  const v1::Job first = *jobs.Submit(Spec());
  const v1::Job second = *jobs.Submit(Spec());
  trainer.started_.WaitForNotification();
  EXPECT_EQ(jobs.Get(second.id())->state(), v1::PENDING);
  const absl::StatusOr<v1::Job> cancelled = jobs.Cancel(second.id());
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->state(), v1::CANCELLED);
  EXPECT_EQ(jobs.Cancel(second.id()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // Newest first.
  EXPECT_EQ(jobs.List()[0].id(), second.id());
  ASSERT_TRUE(jobs.Cancel(first.id()).ok());
  EXPECT_EQ(WaitForState(jobs, first.id(), v1::CANCELLED).state(),
            v1::CANCELLED);
}

TEST_F(JobManagerTest, AssignsUpToTheJobsActorsAndCountsTheirProgress) {
  FakeTrainer trainer;
  JobManager jobs(Options(), trainer.Function(), &metrics_);
  const v1::Job job = *jobs.Submit(Spec(/*actors=*/2));
  trainer.started_.WaitForNotification();
  v1::GetWorkRequest request;
  request.set_actor_name("test");
  const v1::GetWorkResponse a = jobs.GetWork(request);
  const v1::GetWorkResponse b = jobs.GetWork(request);
  const v1::GetWorkResponse c = jobs.GetWork(request);
  ASSERT_TRUE(a.has_assignment());
  ASSERT_TRUE(b.has_assignment());
  EXPECT_FALSE(c.has_assignment());
  EXPECT_GT(c.retry_after().seconds() + c.retry_after().nanos(), 0);
  EXPECT_NE(a.assignment().actor_id(), b.assignment().actor_id());
  EXPECT_NE(a.assignment().seed(), b.assignment().seed());
  EXPECT_EQ(a.assignment().replay_address(), "replay:1");
  EXPECT_EQ(a.assignment().env().id(), "CartPole-v1");

  v1::ReportProgressRequest report;
  report.set_job_id(job.id());
  report.set_actor_id(a.assignment().actor_id());
  report.set_env_steps(100);
  report.add_episodes()->set_episode_return(10);
  report.add_episodes()->set_episode_return(30);
  absl::StatusOr<v1::ReportProgressResponse> response =
      jobs.ReportProgress(report);
  ASSERT_TRUE(response.ok());
  EXPECT_TRUE(response->keep_working());
  const v1::Job progressed = *jobs.Get(job.id());
  EXPECT_EQ(progressed.progress().env_steps(), 100);
  EXPECT_EQ(progressed.progress().episodes(), 2);
  EXPECT_DOUBLE_EQ(progressed.progress().mean_episode_return(), 20);

  report.set_actor_id("stranger");
  EXPECT_EQ(jobs.ReportProgress(report).status().code(),
            absl::StatusCode::kNotFound);

  trainer.release_.Notify();
  WaitForState(jobs, job.id(), v1::SUCCEEDED);
  report.set_actor_id(a.assignment().actor_id());
  response = jobs.ReportProgress(report);
  ASSERT_TRUE(response.ok());
  EXPECT_FALSE(response->keep_working());
}

TEST_F(JobManagerTest, WatchersSeeEveryStateChangeInOrder) {
  FakeTrainer trainer;
  JobManager jobs(Options(), trainer.Function(), &metrics_);
  const v1::Job job = *jobs.Submit(Spec());
  std::shared_ptr<LiveJob> live = *jobs.Find(job.id());
  trainer.started_.WaitForNotification();
  trainer.release_.Notify();
  WaitForState(jobs, job.id(), v1::SUCCEEDED);
  uint64_t cursor = 0;
  std::vector<v1::JobState> states;
  for (const v1::JobEvent& event : live->EventsAfter(cursor)) {
    if (event.kind() == v1::JobEvent::STATE_CHANGED) {
      states.push_back(event.job().state());
    }
  }
  EXPECT_EQ(states, (std::vector<v1::JobState>{v1::PENDING, v1::RUNNING,
                                               v1::SUCCEEDED}));
  EXPECT_TRUE(live->EventsAfter(cursor).empty());
}

TEST_F(JobManagerTest, ShutdownCancelsRunningJobs) {
  FakeTrainer trainer;
  auto jobs =
      std::make_unique<JobManager>(Options(), trainer.Function(), &metrics_);
  const v1::Job job = *jobs->Submit(Spec());
  std::shared_ptr<LiveJob> live = *jobs->Find(job.id());
  trainer.started_.WaitForNotification();
  jobs->Shutdown();
  EXPECT_EQ(live->state(), v1::CANCELLED);
  EXPECT_EQ(jobs->Submit(Spec()).status().code(),
            absl::StatusCode::kUnavailable);
}

// A trainer for the restart tests: a job named "quick" succeeds at once
// after one evaluation; any other runs until cancelled. Counts runs by id.
class RestartTrainer {
 public:
  TrainFunction Function() {
    return [this](LiveJob& job) {
      // Counted once the job takes actors.
      if (job.spec().name() != "quick") job.SetAcceptingActors(true);
      {
        absl::MutexLock lock(&mu_);
        ++runs_[job.id()];
      }
      if (job.spec().name() == "quick") {
        v1::EvalResult eval;
        eval.set_mean_return(42);
        job.RecordEvaluation(eval);
        return TrainingOutcome{v1::SUCCEEDED, "done"};
      }
      while (!job.cancel_requested()) absl::SleepFor(absl::Milliseconds(2));
      return TrainingOutcome{v1::CANCELLED, "cancelled"};
    };
  }
  int runs(const std::string& id) {
    absl::MutexLock lock(&mu_);
    return runs_[id];
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, int> runs_;
};

TEST_F(JobManagerTest, KeptRecordsSurviveARestartAndUnfinishedJobsResume) {
  const std::string root = ::testing::TempDir() + "/job_records_restart";
  std::filesystem::remove_all(root);
  JobManager::Options options = Options();
  options.output_root = root;
  options.keep_records = true;
  RestartTrainer trainer;
  auto spec = [](const std::string& name) {
    v1::JobSpec s = Spec();
    s.set_name(name);
    return s;
  };
  std::string quick, interrupted, queued;
  {
    JobManager first(options, trainer.Function(), &metrics_);
    quick = first.Submit(spec("quick"))->id();
    EXPECT_EQ(WaitForState(first, quick, v1::SUCCEEDED).state(), v1::SUCCEEDED);
    interrupted = first.Submit(spec("long"))->id();
    WaitForState(first, interrupted, v1::RUNNING);
    queued = first.Submit(spec("waiting"))->id();  // one job runs at a time
    first.Shutdown();
    EXPECT_THAT(first.Get(interrupted)->message(), HasSubstr("interrupted"));
  }

  JobManager second(options, trainer.Function(), &metrics_);
  ASSERT_EQ(second.List().size(), 3u);
  const v1::Job done = *second.Get(quick);
  EXPECT_EQ(done.state(), v1::SUCCEEDED);
  ASSERT_EQ(done.evaluations_size(), 1);
  EXPECT_EQ(done.evaluations(0).mean_return(), 42);
  EXPECT_EQ(done.restarts(), 0);
  EXPECT_EQ(trainer.runs(quick), 1);  // ended jobs do not run again
  // The interrupted job runs again, first in line; the queued one waits.
  const v1::Job resumed = WaitForState(second, interrupted, v1::RUNNING);
  EXPECT_EQ(resumed.restarts(), 1);
  // Its trainer starts just after it is marked RUNNING.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (trainer.runs(interrupted) < 2 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(trainer.runs(interrupted), 2);
  EXPECT_EQ(second.Get(queued)->state(), v1::PENDING);
  // New actor ids: a restarted actor's chunks are not mistaken for
  // duplicates of the old ones.
  v1::GetWorkRequest request;
  request.set_actor_name("a");
  EXPECT_THAT(second.GetWork(request).assignment().actor_id(),
              HasSubstr("/r1-actor-0"));
  // Cancelled by its owner, it stays cancelled.
  ASSERT_TRUE(second.Cancel(interrupted).ok());
  EXPECT_EQ(WaitForState(second, interrupted, v1::CANCELLED).state(),
            v1::CANCELLED);
  WaitForState(second, queued, v1::RUNNING);
  second.Shutdown();

  JobManager third(options, trainer.Function(), &metrics_);
  EXPECT_EQ(third.Get(interrupted)->state(), v1::CANCELLED);
  EXPECT_EQ(WaitForState(third, queued, v1::RUNNING).restarts(), 2);
  third.Shutdown();
}

TEST_F(JobManagerTest, UnreadableRecordsAreSkipped) {
  const std::string root = ::testing::TempDir() + "/job_records_garbage";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root + "/broken-000000");
  std::ofstream(root + "/broken-000000/job_record.pb") << "not a record";
  JobManager::Options options = Options();
  options.output_root = root;
  options.keep_records = true;
  FakeTrainer trainer;
  JobManager jobs(options, trainer.Function(), &metrics_);
  EXPECT_TRUE(jobs.List().empty());
}

// A record sync that, once armed, holds up the next sync until released.
class BlockingSync {
 public:
  std::function<int(int)> Function() {
    return [this](int fd) {
      if (armed_.exchange(false)) {
        entered_.Notify();
        release_.WaitForNotificationWithTimeout(absl::Seconds(30));
      }
      return ::fdatasync(fd);
    };
  }
  std::atomic<bool> armed_{false};
  absl::Notification entered_;  // a sync is held up
  absl::Notification release_;
};

// Options keeping records under a fresh `name` in the test's directory,
// synced by `sync`; no progress ticks, whose record writes would take the
// armed sync.
JobManager::Options RecordOptions(JobManager::Options options,
                                  const std::string& name,
                                  std::function<int(int)> sync) {
  options.output_root = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(options.output_root);
  options.keep_records = true;
  options.sync_record = std::move(sync);
  options.progress_interval = absl::Hours(1);
  return options;
}

TEST_F(JobManagerTest, WorkIsAssignedWhileASubmissionWritesItsRecord) {
  BlockingSync sync;
  const JobManager::Options options =
      RecordOptions(Options(), "job_records_slow", sync.Function());
  FakeTrainer trainer;
  JobManager jobs(options, trainer.Function(), &metrics_);
  const absl::StatusOr<v1::Job> first = jobs.Submit(Spec());
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(
      trainer.started_.WaitForNotificationWithTimeout(absl::Seconds(10)));

  // A second submission gets stuck writing its record...
  sync.armed_ = true;
  absl::StatusOr<v1::Job> second;
  absl::Notification submitted;
  std::thread submitter([&] {
    v1::JobSpec spec = Spec();
    spec.set_name("second");
    second = jobs.Submit(spec);
    submitted.Notify();
  });
  const bool stuck =
      sync.entered_.WaitForNotificationWithTimeout(absl::Seconds(10));
  EXPECT_TRUE(stuck);

  // ...while actors are still given work, and the job is not listed before
  // its record is durable.
  v1::GetWorkResponse work;
  std::vector<v1::Job> listed;
  absl::Notification answered;
  std::thread actor([&] {
    v1::GetWorkRequest request;
    request.set_actor_name("actor");
    work = jobs.GetWork(request);
    listed = jobs.List();
    answered.Notify();
  });
  EXPECT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(5)))
      << "GetWork waited for another job's record to be written";
  EXPECT_FALSE(submitted.HasBeenNotified());
  sync.release_.Notify();
  actor.join();
  submitter.join();
  EXPECT_TRUE(work.has_assignment());
  EXPECT_EQ(work.assignment().job_id(), first->id());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id(), first->id());

  // Once written, the submission succeeds.
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->state(), v1::PENDING);
  EXPECT_EQ(jobs.List().size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(
      JobRecordPath(options.output_root, second->id())));
  trainer.release_.Notify();
}

TEST_F(JobManagerTest, ASubmissionIsAnsweredOnceItsRecordIsDurable) {
  BlockingSync sync;
  std::atomic<bool> synced_on_caller{false};
  const std::thread::id caller = std::this_thread::get_id();
  std::function<int(int)> blocking = sync.Function();
  const JobManager::Options options =
      RecordOptions(Options(), "job_records_answer", [&](int fd) {
        if (std::this_thread::get_id() == caller) synced_on_caller = true;
        return blocking(fd);
      });
  FakeTrainer trainer;
  JobManager jobs(options, trainer.Function(), &metrics_);
  sync.armed_ = true;
  absl::Notification answered;
  absl::StatusOr<v1::Job> job;
  // Returns at once: the record is written on the manager's records thread,
  // never on the caller's (a gRPC callback thread, for SubmitJob).
  jobs.SubmitAsync(Spec(), [&](absl::StatusOr<v1::Job> submitted) {
    job = std::move(submitted);
    answered.Notify();
  });
  EXPECT_TRUE(sync.entered_.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_FALSE(answered.HasBeenNotified());
  EXPECT_TRUE(jobs.List().empty());
  sync.release_.Notify();
  ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(10)));
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_FALSE(synced_on_caller);
  EXPECT_TRUE(
      std::filesystem::exists(JobRecordPath(options.output_root, job->id())));
  EXPECT_EQ(jobs.List().size(), 1u);
  trainer.release_.Notify();
}

TEST_F(JobManagerTest, ASubmissionWhoseRecordCannotBeWrittenIsRefused) {
  const JobManager::Options options =
      RecordOptions(Options(), "job_records_failing", [](int fd) {
        errno = EIO;
        return -1;
      });
  FakeTrainer trainer;
  JobManager jobs(options, trainer.Function(), &metrics_);
  const absl::StatusOr<v1::Job> job = jobs.Submit(Spec());
  EXPECT_EQ(job.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(job.status().message()),
              HasSubstr("the job could not be recorded: cannot sync"));
  EXPECT_TRUE(jobs.List().empty());
  EXPECT_FALSE(trainer.started_.HasBeenNotified());
}

TEST_F(JobManagerTest, CancellingAPendingJobIsAnsweredOnceItsRecordSaysSo) {
  const JobManager::Options options =
      RecordOptions(Options(), "job_records_cancel", nullptr);
  FakeTrainer trainer;
  JobManager jobs(options, trainer.Function(), &metrics_);
  ASSERT_TRUE(jobs.Submit(Spec()).ok());  // runs; the next one waits
  const absl::StatusOr<v1::Job> pending = jobs.Submit(Spec());
  ASSERT_TRUE(pending.ok()) << pending.status();
  const absl::StatusOr<v1::Job> cancelled = jobs.Cancel(pending->id());
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->state(), v1::CANCELLED);
  bool recorded = false;
  for (const v1::Job& record : LoadJobRecords(options.output_root)) {
    if (record.id() != pending->id()) continue;
    recorded = true;
    EXPECT_EQ(record.state(), v1::CANCELLED);
  }
  EXPECT_TRUE(recorded);
  EXPECT_EQ(jobs.Cancel("nope").status().code(), absl::StatusCode::kNotFound);
  trainer.release_.Notify();
}

TEST_F(JobManagerTest, ShutdownAnswersTheSubmissionsWaitingForTheirRecords) {
  BlockingSync sync;
  const JobManager::Options options =
      RecordOptions(Options(), "job_records_shutdown", sync.Function());
  FakeTrainer trainer;
  JobManager jobs(options, trainer.Function(), &metrics_);
  ASSERT_TRUE(jobs.Submit(Spec()).ok());  // runs
  const absl::StatusOr<v1::Job> pending = jobs.Submit(Spec());
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_TRUE(
      trainer.started_.WaitForNotificationWithTimeout(absl::Seconds(10)));

  // One submission writing its record, one waiting behind it.
  sync.armed_ = true;
  absl::Notification writing_answered, queued_answered;
  absl::StatusOr<v1::Job> writing, queued;
  jobs.SubmitAsync(Spec(), [&](absl::StatusOr<v1::Job> job) {
    writing = std::move(job);
    writing_answered.Notify();
  });
  EXPECT_TRUE(sync.entered_.WaitForNotificationWithTimeout(absl::Seconds(10)));
  jobs.SubmitAsync(Spec(), [&](absl::StatusOr<v1::Job> job) {
    queued = std::move(job);
    queued_answered.Notify();
  });
  std::thread shutdown([&] { jobs.Shutdown(); });
  // Shutdown has begun once it cancelled the pending job.
  EXPECT_EQ(WaitForState(jobs, pending->id(), v1::CANCELLED).state(),
            v1::CANCELLED);
  sync.release_.Notify();
  shutdown.join();

  ASSERT_TRUE(writing_answered.HasBeenNotified());
  ASSERT_TRUE(queued_answered.HasBeenNotified());
  // Its record was durable: it is answered, cancelled like every pending job
  // at a shutdown, and its record stays PENDING for the next learner.
  ASSERT_TRUE(writing.ok()) << writing.status();
  EXPECT_EQ(writing->state(), v1::CANCELLED);
  bool recorded = false;
  for (const v1::Job& record : LoadJobRecords(options.output_root)) {
    if (record.id() != writing->id()) continue;
    recorded = true;
    EXPECT_EQ(record.state(), v1::PENDING);
  }
  EXPECT_TRUE(recorded);
  // Nothing was written for the other: it is refused, to be sent again.
  EXPECT_EQ(queued.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(jobs.List().size(), 3u);
}

}  // namespace
}  // namespace entropic
