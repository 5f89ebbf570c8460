// Job files: YAML/JSON text -> JobSpec (common/job_file.h), then the
// defaults and validation every submitted job goes through
// (common/job_spec.h). Properties: no crash, and a spec that parses prints
// as JSON that parses back to the same spec.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/job_file.h"
#include "common/job_spec.h"
#include "google/protobuf/util/message_differencer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<entropic::v1::JobSpec> spec = entropic::ParseJobSpec(text);
  if (!spec.ok()) return 0;

  const std::string json = entropic::JobSpecToJson(*spec);
  absl::StatusOr<entropic::v1::JobSpec> again = entropic::ParseJobSpec(json);
  if (!again.ok() ||
      !google::protobuf::util::MessageDifferencer::Equals(*spec, *again)) {
    std::fprintf(stderr, "JobSpecToJson does not parse back: %s\n%s\n",
                 again.ok() ? "a different spec"
                            : std::string(again.status().message()).c_str(),
                 json.c_str());
    std::abort();
  }

  entropic::ApplyJobDefaults(*spec);
  (void)entropic::ValidateJobSpec(*spec);
  return 0;
}
