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

}  // namespace
}  // namespace entropic
