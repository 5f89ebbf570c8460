#include "common/job_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/job_spec.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
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

// Protobuf's own JSON parser as other tools use it (Python's json_format,
// Go's protojson): enum names exactly as declared, unknown fields refused.
absl::StatusOr<v1::JobSpec> ParseStrictly(absl::string_view text) {
  absl::StatusOr<std::string> json = JobFileToJson(text);
  if (!json.ok()) return json.status();
  v1::JobSpec spec;
  const google::protobuf::util::JsonParseOptions strict;
  const auto parsed =
      google::protobuf::util::JsonStringToMessage(*json, &spec, strict);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(parsed.message().as_string());
  }
  return spec;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

TEST(JobFileTest, EnumsInAnyCaseAreOursButNotProtobufs) {
  constexpr absl::string_view kLower =
      "name: x\nreplay: {agent: {sampler: prioritized}}\n";
  const absl::StatusOr<v1::JobSpec> ours = ParseJobSpec(kLower);
  ASSERT_TRUE(ours.ok()) << ours.status();
  EXPECT_EQ(ours->replay().agent().sampler(), v1::TableSpec::PRIORITIZED);
  EXPECT_FALSE(ParseStrictly(kLower).ok());
  EXPECT_TRUE(
      ParseStrictly("name: x\nreplay: {agent: {sampler: PRIORITIZED}}\n").ok());
}

// Every job file of examples/ is read by protobuf's own strict parser as by
// entropic's, and is a valid job.
TEST(JobFileTest, ExampleJobsParseStrictlyAndValidate) {
  const std::filesystem::path examples =
      std::filesystem::path(ENTROPIC_SOURCE_DIR) / "examples";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(examples)) {
    const std::string extension = entry.path().extension().string();
    if (extension == ".yaml" || extension == ".yml" || extension == ".json") {
      files.push_back(entry.path());
    }
  }
  EXPECT_GE(files.size(), 6u);
  for (const std::filesystem::path& file : files) {
    SCOPED_TRACE(file.string());
    absl::StatusOr<v1::JobSpec> strict = ParseStrictly(ReadFile(file));
    EXPECT_TRUE(strict.ok()) << strict.status();
    absl::StatusOr<v1::JobSpec> spec = LoadJobFile(file.string());
    ASSERT_TRUE(spec.ok()) << spec.status();
    if (strict.ok()) {
      EXPECT_EQ(strict->SerializeAsString(), spec->SerializeAsString());
    }
    ApplyJobDefaults(*spec);
    EXPECT_TRUE(ValidateJobSpec(*spec).ok()) << ValidateJobSpec(*spec);
  }
}

// The whole job files shown in README.md and docs/ (```yaml blocks that
// start with a job's name) parse strictly too.
TEST(JobFileTest, DocumentedJobsParseStrictly) {
  const std::filesystem::path root(ENTROPIC_SOURCE_DIR);
  std::vector<std::filesystem::path> pages = {root / "README.md"};
  for (const auto& entry : std::filesystem::directory_iterator(root / "docs")) {
    if (entry.path().extension() == ".md") pages.push_back(entry.path());
  }
  int jobs = 0;
  for (const std::filesystem::path& page : pages) {
    const std::string text = ReadFile(page);
    size_t start = 0;
    while ((start = text.find("```yaml\n", start)) != std::string::npos) {
      start += 8;
      const size_t end = text.find("```", start);
      ASSERT_NE(end, std::string::npos) << page;
      const std::string block = text.substr(start, end - start);
      start = end + 3;
      if (block.rfind("name:", 0) != 0) continue;  // a fragment of a job
      SCOPED_TRACE(absl::StrCat(page.string(), ": ", block));
      ++jobs;
      const absl::StatusOr<v1::JobSpec> strict = ParseStrictly(block);
      EXPECT_TRUE(strict.ok()) << strict.status();
    }
  }
  EXPECT_GE(jobs, 1);
}

}  // namespace
}  // namespace entropic
