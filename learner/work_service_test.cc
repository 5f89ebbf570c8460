#include "learner/work_service.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

using ::testing::HasSubstr;

v1::ReportProgressRequest GoodReport() {
  v1::ReportProgressRequest report;
  report.set_job_id("job");
  report.set_actor_id("actor-1");
  report.set_env_steps(64);
  report.set_policy_version(3);
  v1::EpisodeSummary* episode = report.add_episodes();
  episode->set_episode_return(21.5);
  episode->set_length(22);
  return report;
}

TEST(ValidateProgressReportTest, AcceptsAnActorsReport) {
  EXPECT_TRUE(ValidateProgressReport(GoodReport()).ok());
}

TEST(ValidateProgressReportTest, RefusesEachBadFieldNamingIt) {
  struct Case {
    std::string field;
    void (*spoil)(v1::ReportProgressRequest&);
  };
  const std::vector<Case> cases = {
      {"job_id", [](v1::ReportProgressRequest& r) { r.clear_job_id(); }},
      {"actor_id", [](v1::ReportProgressRequest& r) { r.clear_actor_id(); }},
      {"actor_id",
       [](v1::ReportProgressRequest& r) {
         r.set_actor_id(std::string(1000, 'a'));
       }},
      {"env_steps", [](v1::ReportProgressRequest& r) { r.set_env_steps(-1); }},
      {"env_steps",
       [](v1::ReportProgressRequest& r) {
         r.set_env_steps(std::numeric_limits<int64_t>::max());
       }},
      {"policy_version",
       [](v1::ReportProgressRequest& r) { r.set_policy_version(-2); }},
      {"episodes[0].episode_return",
       [](v1::ReportProgressRequest& r) {
         r.mutable_episodes(0)->set_episode_return(std::nan(""));
       }},
      {"episodes[0].episode_return",
       [](v1::ReportProgressRequest& r) {
         r.mutable_episodes(0)->set_episode_return(
             std::numeric_limits<double>::infinity());
       }},
      {"episodes[0].length",
       [](v1::ReportProgressRequest& r) {
         r.mutable_episodes(0)->set_length(0);
       }},
      {"episodes",
       [](v1::ReportProgressRequest& r) {
         for (int i = 0; i < 70000; ++i) *r.add_episodes() = r.episodes(0);
       }},
  };
  for (const Case& c : cases) {
    v1::ReportProgressRequest report = GoodReport();
    c.spoil(report);
    const absl::Status status = ValidateProgressReport(report);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.field + ":"));
  }
}

}  // namespace
}  // namespace entropic
