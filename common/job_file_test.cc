#include "common/job_file.h"

#include <fstream>

#include "common/job_spec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

using ::testing::HasSubstr;

TEST(JobFileTest, ParsesYamlOntoJobSpec) {
  const absl::StatusOr<v1::JobSpec> spec = ParseJobSpec(R"(
name: cartpole-softq
env: {id: CartPole-v1, num_envs: 16}
actors: 2
algorithm:
  soft_q:
    gamma: 0.99
    alpha: 0.05
    hidden: [64, 64]
    target_update: {polyak: 0.01}
    auto_alpha: {target_entropy: 0.3}
replay:
  agent: {capacity: 50000, sampler: uniform, min_size: 500}
stop: {env_steps: 100000, wall_time: 300s, eval_return: 475}
eval: {every_updates: 500, episodes: 10, greedy: false}
)");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->name(), "cartpole-softq");
  EXPECT_EQ(spec->env().num_envs(), 16);
  EXPECT_EQ(spec->actors(), 2);
  EXPECT_DOUBLE_EQ(spec->algorithm().soft_q().alpha(), 0.05);
  EXPECT_EQ(spec->algorithm().soft_q().hidden_size(), 2);
  EXPECT_DOUBLE_EQ(spec->algorithm().soft_q().target_update().polyak(), 0.01);
  EXPECT_DOUBLE_EQ(spec->algorithm().soft_q().auto_alpha().target_entropy(),
                   0.3);
  EXPECT_EQ(spec->replay().agent().sampler(), v1::TableSpec::UNIFORM);
  EXPECT_EQ(spec->stop().wall_time().seconds(), 300);
  EXPECT_DOUBLE_EQ(spec->stop().eval_return(), 475);
  EXPECT_FALSE(spec->eval().greedy());
}

TEST(JobFileTest, ParsesJson) {
  const absl::StatusOr<v1::JobSpec> spec = ParseJobSpec(
      R"({"name": "x", "env": {"id": "CartPole-v1"}, "stop": {"envSteps": 5}})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->stop().env_steps(), 5);
}

TEST(JobFileTest, QuotedNumbersStayStrings) {
  const absl::StatusOr<v1::JobSpec> spec =
      ParseJobSpec("name: \"123\"\nenv: {id: CartPole-v1}\n");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->name(), "123");
}

TEST(JobFileTest, UnknownFieldIsNamed) {
  const absl::StatusOr<v1::JobSpec> spec =
      ParseJobSpec("name: x\nalgorithm: {soft_q: {gama: 0.9}}\n");
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(spec.status().message()), HasSubstr("gama"));
}

TEST(JobFileTest, MalformedYamlIsRefused) {
  EXPECT_EQ(ParseJobSpec("name: [unclosed\n").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseJobSpec("- a\n- b\n").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(JobFileTest, MissingFileNamesPath) {
  const absl::StatusOr<v1::JobSpec> spec = LoadJobFile("no/such/job.yaml");
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(spec.status().message()),
              HasSubstr("no/such/job.yaml"));
}

TEST(JobFileTest, ExampleJobsParseAndValidate) {
  for (const char* name : {"cartpole-softq.yaml"}) {
    SCOPED_TRACE(name);
    absl::StatusOr<v1::JobSpec> spec =
        LoadJobFile(std::string(ENTROPIC_SOURCE_DIR) + "/examples/" + name);
    ASSERT_TRUE(spec.ok()) << spec.status();
    ApplyJobDefaults(*spec);
    EXPECT_TRUE(ValidateJobSpec(*spec).ok()) << ValidateJobSpec(*spec);
  }
}

}  // namespace
}  // namespace entropic
