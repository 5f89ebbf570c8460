// Recording an expert on Gridworld-v0 and running a maxent_irl job on its
// episodes, as `entropic demos record` and `entropic run` do.
#include "learner/maxent_irl_job.h"

#include <prometheus/registry.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/demonstrations.h"
#include "common/job_spec.h"
#include "common/npz.h"
#include "common/tabular/demonstration_visitation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "learner/demonstration_recorder.h"
#include "learner/learner_metrics.h"
#include "learner/live_job.h"

namespace entropic {
namespace {

std::string FreshDirectory(const std::string& name) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

// Columns 1 and 2 of visitation.csv: the expert's and the learned policy's.
void ReadVisitations(const std::string& path, std::vector<double>& expert,
                     std::vector<double>& learned) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string cell;
    std::getline(row, cell, ',');
    std::getline(row, cell, ',');
    expert.push_back(std::stod(cell));
    std::getline(row, cell, ',');
    learned.push_back(std::stod(cell));
  }
}

TEST(DemonstrationRecorderTest, SoftOptimalExpertRecordsFullEpisodes) {
  absl::StatusOr<ExpertPolicy> expert =
      SoftOptimalExpert("Gridworld-v0", 0.2, /*seed=*/3);
  ASSERT_TRUE(expert.ok()) << expert.status();
  absl::StatusOr<RecordedEpisodes> recorded =
      RecordEpisodes("Gridworld-v0", *expert, 5, 3);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_EQ(recorded->episodes, 5);
  EXPECT_EQ(recorded->steps, 5 * 20);
  // A purposeful expert: the goal pays +1 a step, and it is 8 moves away.
  EXPECT_GT(recorded->mean_return, 5);
  // What it recorded reads back as 5 demonstrated episodes.
  absl::StatusOr<Demonstrations> demonstrations = DemonstrationsFromArrays(
      recorded->arrays, "recorded", DemonstrationChunking{});
  ASSERT_TRUE(demonstrations.ok()) << demonstrations.status();
  EXPECT_EQ(demonstrations->episodes, 5);
  EXPECT_EQ(demonstrations->transitions, 100);
}

TEST(DemonstrationRecorderTest, SoftOptimalExpertNeedsKnownDynamics) {
  EXPECT_THAT(SoftOptimalExpert("CartPole-v1", 1.0, 1).status().message(),
              testing::HasSubstr("CartPole-v1 has no known dynamics"));
}

TEST(MaxEntIrlJobTest, RecoversARewardMatchingTheExpertsVisitation) {
  const std::string directory = FreshDirectory("maxent_irl_job");
  absl::StatusOr<ExpertPolicy> expert =
      SoftOptimalExpert("Gridworld-v0", 0.2, 11);
  ASSERT_TRUE(expert.ok());
  absl::StatusOr<RecordedEpisodes> recorded =
      RecordEpisodes("Gridworld-v0", *expert, 100, 11);
  ASSERT_TRUE(recorded.ok());
  const std::string demos = directory + "/expert.npz";
  ASSERT_TRUE(WriteNpz(demos, recorded->arrays).ok());

  v1::JobSpec spec;
  spec.set_name("irl");
  spec.mutable_env()->set_id("Gridworld-v0");
  spec.mutable_algorithm()->mutable_maxent_irl();
  spec.mutable_replay()->mutable_demonstrations()->set_path(demos);
  ApplyJobDefaults(spec);
  ASSERT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
  LiveJob job("irl-1", spec);
  job.MarkRunning(directory + "/run");
  std::filesystem::create_directories(directory + "/run");
  prometheus::Registry registry;
  LearnerMetrics metrics(registry);
  const TrainingOutcome outcome =
      RunMaxEntIrlJob(job, *metrics.ForJob(job.id()));
  ASSERT_EQ(outcome.state, v1::SUCCEEDED) << outcome.message;
  EXPECT_THAT(outcome.message, testing::HasSubstr("converged"));

  std::vector<double> expert_visitation, learned_visitation;
  ReadVisitations(directory + "/run/visitation.csv", expert_visitation,
                  learned_visitation);
  ASSERT_EQ(expert_visitation.size(), 25u);
  EXPECT_LT(
      tabular::VisitationTotalVariation(expert_visitation, learned_visitation),
      0.05);
  // The evaluation is the learned policy's expected return under the
  // environment's reward, close to what the expert earned.
  const v1::Job snapshot = job.Snapshot();
  ASSERT_EQ(snapshot.evaluations_size(), 1);
  EXPECT_NEAR(snapshot.evaluations(0).mean_return(), recorded->mean_return,
              1.5);
}

TEST(MaxEntIrlJobTest, MissingDemonstrationsFailTheJobNamingThePath) {
  const std::string directory = FreshDirectory("maxent_irl_missing");
  v1::JobSpec spec;
  spec.set_name("irl");
  spec.mutable_env()->set_id("Gridworld-v0");
  spec.mutable_algorithm()->mutable_maxent_irl();
  spec.mutable_replay()->mutable_demonstrations()->set_path(directory +
                                                            "/none.npz");
  ApplyJobDefaults(spec);
  LiveJob job("irl-2", spec);
  job.MarkRunning(directory);
  prometheus::Registry registry;
  LearnerMetrics metrics(registry);
  const TrainingOutcome outcome =
      RunMaxEntIrlJob(job, *metrics.ForJob(job.id()));
  EXPECT_EQ(outcome.state, v1::FAILED);
  EXPECT_THAT(outcome.message,
              testing::StartsWith("replay.demonstrations.path"));
}

}  // namespace
}  // namespace entropic
