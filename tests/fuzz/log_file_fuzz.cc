// Replay checkpoint files (replay/durability/log_file.h): log segments and
// snapshots read back record by record, each applied to a TableStore as
// recovery does (TableStore::ApplyRecord: create and delete tables, restore
// chunks, FIFO consumption, de-duplication state). Bytes 8..11 say which
// kind the file is; a file of the other kind is refused.
#include <cstddef>
#include <cstdint>
#include <string>

#include "google/protobuf/stubs/logging.h"
#include "prometheus/registry.h"
#include "replay/durability/log_file.h"
#include "replay/replay_metrics.h"
#include "replay/table_store.h"

// Parse failures (invalid UTF-8 in string fields) are expected here, not
// worth a log line each.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static prometheus::Registry* registry = new prometheus::Registry;
  static entropic::ReplayMetrics* metrics =
      new entropic::ReplayMetrics(*registry);
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const entropic::LogFileKind kind = size > 8 && data[8] == 2
                                         ? entropic::LogFileKind::kSnapshot
                                         : entropic::LogFileKind::kLog;
  entropic::TableStore store(metrics);
  (void)entropic::ParseLogFile(
      bytes, "fuzz", kind, [&store](entropic::v1::LogRecord& record) {
        return store.ApplyRecord(record);
      });
  store.CloseAll();
  return 0;
}
