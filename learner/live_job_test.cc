#include "learner/live_job.h"

#include "gtest/gtest.h"

namespace entropic {
namespace {

TEST(LiveJobTest, KeepsTheMostRecentEvaluationsOnly) {
  LiveJob job("job", v1::JobSpec());
  job.MarkRunning("runs/job");
  for (int i = 1; i <= 250; ++i) {
    v1::EvalResult result;
    result.set_updates(i * 1000);
    job.RecordEvaluation(result);
  }
  const v1::Job snapshot = job.Snapshot();
  ASSERT_EQ(snapshot.evaluations_size(), LiveJob::kKeptEvaluations);
  EXPECT_EQ(snapshot.evaluations(0).updates(), 151000);
  EXPECT_EQ(snapshot.evaluations(snapshot.evaluations_size() - 1).updates(),
            250000);
}

TEST(LiveJobTest, HandsEachReportedEpisodeToTheTrainerOnce) {
  v1::JobSpec spec;
  spec.set_actors(1);
  LiveJob job("job", spec);
  job.MarkRunning("runs/job");
  job.SetAcceptingActors(true);
  const absl::Time now = absl::Now();
  absl::StatusOr<std::string> actor = job.AddActor("a", now, absl::Minutes(1));
  ASSERT_TRUE(actor.ok()) << actor.status();
  v1::ReportProgressRequest report;
  report.set_job_id("job");
  report.set_actor_id(*actor);
  for (double episode_return : {0.99, -0.01}) {
    report.add_episodes()->set_episode_return(episode_return);
  }
  ASSERT_TRUE(job.RecordProgress(report, now).ok());
  report.clear_episodes();
  report.add_episodes()->set_episode_return(0.5);
  ASSERT_TRUE(job.RecordProgress(report, now).ok());
  const std::vector<v1::EpisodeSummary> episodes = job.TakeEpisodes();
  ASSERT_EQ(episodes.size(), 3u);
  EXPECT_EQ(episodes[0].episode_return(), 0.99);
  EXPECT_EQ(episodes[1].episode_return(), -0.01);
  EXPECT_EQ(episodes[2].episode_return(), 0.5);
  EXPECT_TRUE(job.TakeEpisodes().empty());
}

}  // namespace
}  // namespace entropic
