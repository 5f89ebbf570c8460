#include "learner/run_checkpoint.h"

#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/job_file.h"
#include "common/status_macros.h"

namespace entropic {
namespace {

constexpr char kPolicyFile[] = "policy.json";
constexpr char kWeightsFile[] = "weights.pb";

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot be read"));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace

absl::Status WritePolicyFiles(const std::string& checkpoint_dir,
                              const v1::PolicySpec& policy,
                              const v1::Weights& weights) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(policy, &json, options)
           .ok()) {
    return absl::InternalError("cannot print the policy spec as JSON");
  }
  const std::string policy_path = absl::StrCat(checkpoint_dir, "/", kPolicyFile);
  const std::string weights_path =
      absl::StrCat(checkpoint_dir, "/", kWeightsFile);
  std::ofstream(policy_path) << json;
  std::ofstream weights_out(weights_path, std::ios::binary);
  if (!weights.SerializeToOstream(&weights_out) || !weights_out.flush()) {
    return absl::InternalError(absl::StrCat("cannot write ", weights_path));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Weights> ReadCheckpointWeights(
    const std::string& checkpoint_dir) {
  const std::string path = absl::StrCat(checkpoint_dir, "/", kWeightsFile);
  ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  v1::Weights weights;
  if (!weights.ParseFromString(bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a Weights message"));
  }
  return weights;
}

absl::StatusOr<RunCheckpoint> LoadRunCheckpoint(const std::string& run_dir) {
  RunCheckpoint checkpoint;
  ASSIGN_OR_RETURN(checkpoint.spec, LoadJobFile(run_dir + "/job.json"));
  const std::string dir = run_dir + "/checkpoint";
  const std::string policy_path = absl::StrCat(dir, "/", kPolicyFile);
  ASSIGN_OR_RETURN(const std::string json, ReadFile(policy_path));
  if (!google::protobuf::util::JsonStringToMessage(json, &checkpoint.policy)
           .ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(policy_path, ": not a PolicySpec"));
  }
  ASSIGN_OR_RETURN(checkpoint.weights, ReadCheckpointWeights(dir));
  return checkpoint;
}

}  // namespace entropic
