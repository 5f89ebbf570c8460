// A bandit job run as the learner runs it: pulls, curves, metrics and the
// final evaluation.
#include "learner/bandit_job.h"

#include <prometheus/registry.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/env/bandit.h"
#include "common/job_spec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "learner/learner_metrics.h"
#include "learner/live_job.h"

namespace entropic {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string FreshDirectory(const std::string& name) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

v1::JobSpec BanditSpec(v1::BanditSpec::Agent agent) {
  v1::JobSpec spec;
  spec.set_name("bandit");
  spec.mutable_env()->set_id(kDeterministicBanditId);
  spec.mutable_algorithm()->mutable_bandit()->set_agent(agent);
  ApplyJobDefaults(spec);
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
  return spec;
}

// training.csv as rows of cells, header first.
std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

int Column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

// The value of gauge `name` for job `job_id`; NaN if absent.
double GaugeValue(prometheus::Registry& registry, const std::string& name,
                  const std::string& job_id) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        if (label.name == "job" && label.value == job_id) {
          return metric.gauge.value;
        }
      }
    }
  }
  return std::nan("");
}

TEST(BanditJobTest, Ucb1PullsWritesTheRegretCurveAndFindsTheBestArm) {
  const std::string directory = FreshDirectory("bandit_job_ucb1");
  LiveJob job("bandit-1", BanditSpec(v1::BanditSpec::UCB1));
  job.MarkRunning(directory);
  prometheus::Registry registry;
  LearnerMetrics metrics(registry);
  const TrainingOutcome outcome = RunBanditJob(job, metrics);
  ASSERT_EQ(outcome.state, v1::SUCCEEDED) << outcome.message;
  EXPECT_THAT(outcome.message, StartsWith("UCB1 made 10000 pulls: regret"));
  EXPECT_THAT(outcome.message, HasSubstr("bsuite score"));

  const v1::Job snapshot = job.Snapshot();
  EXPECT_EQ(snapshot.progress().env_steps(), 10000);
  EXPECT_EQ(snapshot.progress().episodes(), 10000);
  EXPECT_EQ(snapshot.progress().updates(), 10000);
  // Exploiting by now: the last 100 pulls were nearly all of the arm
  // paying 1.
  EXPECT_GT(snapshot.progress().mean_episode_return(), 0.9);
  ASSERT_EQ(snapshot.evaluations_size(), 1);
  EXPECT_EQ(snapshot.evaluations(0).mean_return(), 1.0);
  EXPECT_EQ(snapshot.evaluations(0).episodes(), 0);  // computed exactly

  const auto rows = ReadCsv(directory + "/training.csv");
  ASSERT_EQ(rows.size(), 1001u);  // header, then every 10 pulls
  const int regret = Column(rows[0], "regret");
  const int per_pull = Column(rows[0], "regret_per_pull");
  const int steps = Column(rows[0], "env_steps");
  ASSERT_GE(regret, 0);
  ASSERT_GE(per_pull, 0);
  ASSERT_GE(steps, 0);
  double previous = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const double value = std::stod(rows[i][regret]);
    ASSERT_GE(value, previous) << "row " << i;
    EXPECT_NEAR(std::stod(rows[i][per_pull]), value / std::stod(rows[i][steps]),
                1e-4 * value);
    previous = value;
  }
  EXPECT_EQ(rows.back()[steps], "10000");
  // Far below uniform pulling's 0.5 a pull.
  EXPECT_LT(previous, 0.05 * 10000);
  EXPECT_NEAR(GaugeValue(registry, "entropic_learner_regret", "bandit-1"),
              previous, 1e-3 * previous);
  EXPECT_TRUE(std::filesystem::exists(directory + "/evaluations.csv"));
}

TEST(BanditJobTest, StopEnvStepsEndsItSooner) {
  const std::string directory = FreshDirectory("bandit_job_steps");
  v1::JobSpec spec = BanditSpec(v1::BanditSpec::THOMPSON);
  spec.mutable_stop()->set_env_steps(500);
  LiveJob job("bandit-2", spec);
  job.MarkRunning(directory);
  prometheus::Registry registry;
  LearnerMetrics metrics(registry);
  const TrainingOutcome outcome = RunBanditJob(job, metrics);
  ASSERT_EQ(outcome.state, v1::SUCCEEDED) << outcome.message;
  EXPECT_THAT(outcome.message, StartsWith("Thompson sampling made 500 pulls"));
  EXPECT_EQ(job.Snapshot().progress().env_steps(), 500);
}

TEST(BanditJobTest, ACancelledJobStopsAtTheNextRow) {
  const std::string directory = FreshDirectory("bandit_job_cancel");
  LiveJob job("bandit-3", BanditSpec(v1::BanditSpec::UNIFORM));
  job.MarkRunning(directory);
  job.RequestCancel();
  prometheus::Registry registry;
  LearnerMetrics metrics(registry);
  const TrainingOutcome outcome = RunBanditJob(job, metrics);
  EXPECT_EQ(outcome.state, v1::CANCELLED);
  EXPECT_EQ(job.Snapshot().progress().env_steps(), 10);
}

TEST(BanditJobTest, ANonBanditEnvironmentFailsTheJob) {
  const std::string directory = FreshDirectory("bandit_job_cartpole");
  v1::JobSpec spec = BanditSpec(v1::BanditSpec::UCB1);
  spec.mutable_env()->set_id("CartPole-v1");
  spec.mutable_env()->clear_bandit();
  LiveJob job("bandit-4", spec);
  job.MarkRunning(directory);
  prometheus::Registry registry;
  LearnerMetrics metrics(registry);
  const TrainingOutcome outcome = RunBanditJob(job, metrics);
  EXPECT_EQ(outcome.state, v1::FAILED);
  EXPECT_THAT(outcome.message, StartsWith("algorithm.bandit"));
}

}  // namespace
}  // namespace entropic
