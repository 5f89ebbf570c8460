#ifndef ENTROPIC_COMMON_JOB_FILE_H_
#define ENTROPIC_COMMON_JOB_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "entropic/v1/job_spec.pb.h"

namespace entropic {

// Parses a job written in YAML (a superset of JSON) onto JobSpec with
// protobuf's JSON mapping: field names in snake_case or lowerCamelCase,
// enums by name ("UNIFORM"; here also in any case, "uniform", though
// protobuf's own JSON parsers refuse that), durations as "300s". Unknown
// fields are errors. Quoted YAML scalars stay strings; plain ones that read
// as numbers or booleans become numbers or booleans.
absl::StatusOr<v1::JobSpec> ParseJobSpec(absl::string_view text);

// The JSON that ParseJobSpec hands to protobuf's parser: a job file's YAML
// mapping as one JSON object, scalars typed as above. InvalidArgument for
// text that is not YAML or not a mapping.
absl::StatusOr<std::string> JobFileToJson(absl::string_view text);

// Reads and parses a job file (.yaml, .yml or .json). Errors name the path.
absl::StatusOr<v1::JobSpec> LoadJobFile(const std::string& path);

// The spec as indented JSON with snake_case names, for display.
std::string JobSpecToJson(const v1::JobSpec& spec);

}  // namespace entropic

#endif  // ENTROPIC_COMMON_JOB_FILE_H_
