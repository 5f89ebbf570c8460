#include "learner/job_manager.h"

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

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

}  // namespace
}  // namespace entropic
