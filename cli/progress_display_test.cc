#include "cli/progress_display.h"

#include <cstdio>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

using ::testing::HasSubstr;

TEST(ProgressDisplayTest, FormatsNumbersForPeople) {
  EXPECT_EQ(WithThousands(0), "0");
  EXPECT_EQ(WithThousands(999), "999");
  EXPECT_EQ(WithThousands(1000), "1,000");
  EXPECT_EQ(WithThousands(1234567), "1,234,567");
  EXPECT_EQ(WithThousands(-45000), "-45,000");
  EXPECT_EQ(HumanDuration(42), "42s");
  EXPECT_EQ(HumanDuration(112), "1m 52s");
  EXPECT_EQ(HumanDuration(3 * 3600 + 4 * 60 + 5), "3h 04m");
}

TEST(ProgressDisplayTest, BarFollowsTheNearestStopCondition) {
  v1::Job job;
  job.mutable_spec()->mutable_stop()->set_env_steps(100000);
  job.mutable_spec()->mutable_stop()->mutable_wall_time()->set_seconds(100);
  job.mutable_progress()->set_env_steps(25000);
  job.mutable_progress()->set_wall_time_seconds(50);
  job.mutable_progress()->set_mean_episode_return(123.45);
  job.mutable_progress()->set_updates_per_second(640);
  const std::string line = ProgressDisplay::ProgressLine(job, 10);
  // Wall time is at 50%, env steps at 25%: the bar shows 50%.
  EXPECT_THAT(line, HasSubstr("[#####.....]  50%"));
  EXPECT_THAT(line, HasSubstr("25,000 steps"));
  EXPECT_THAT(line, HasSubstr("return 123.5"));
  EXPECT_THAT(line, HasSubstr("640 upd/s"));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("eval")));
  job.add_evaluations()->set_mean_return(480);
  EXPECT_THAT(ProgressDisplay::ProgressLine(job, 10), HasSubstr("eval 480.0"));
}

TEST(ProgressDisplayTest, SummaryNamesTheCheckpoint) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  ProgressDisplay display(out, /*interactive=*/false);
  v1::Job job;
  job.set_id("cartpole-123abc");
  job.set_state(v1::SUCCEEDED);
  job.set_message("evaluation return 500.0 reached the target 475.0");
  job.set_output_dir("runs/cartpole-123abc");
  job.mutable_progress()->set_env_steps(384128);
  v1::EvalResult* eval = job.add_evaluations();
  eval->set_mean_return(500);
  eval->set_episodes(20);
  display.Summary(job);
  std::fclose(out);
  const std::string text(buffer, size);
  free(buffer);
  EXPECT_THAT(text, HasSubstr("cartpole-123abc SUCCEEDED"));
  EXPECT_THAT(text, HasSubstr("500.0 ± 0.0 over 20 episodes"));
  EXPECT_THAT(text, HasSubstr("384,128"));
  EXPECT_THAT(text, HasSubstr("runs/cartpole-123abc/checkpoint"));
}

TEST(ProgressDisplayTest, BanditSummaryShowsTheExactEvaluationAndNoCheckpoint) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  ProgressDisplay display(out, /*interactive=*/false);
  v1::Job job;
  job.set_id("bandit-ucb-123abc");
  job.set_state(v1::SUCCEEDED);
  job.set_output_dir("runs/bandit-ucb-123abc");
  job.mutable_spec()->mutable_algorithm()->mutable_bandit();
  job.mutable_progress()->set_env_steps(10000);
  job.add_evaluations()->set_mean_return(1.0);
  display.Summary(job);
  std::fclose(out);
  const std::string text(buffer, size);
  free(buffer);
  EXPECT_THAT(text, HasSubstr("1.00 (expected, computed exactly)"));
  EXPECT_THAT(text, HasSubstr("runs/bandit-ucb-123abc/training.csv"));
  EXPECT_THAT(text, testing::Not(HasSubstr("checkpoint")));
}

}  // namespace
}  // namespace entropic
