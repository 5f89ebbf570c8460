// A serialized TableConfig (what CreateTables carries, and a log's
// create_tables record) -> Table::Create (replay/table.h): a configuration
// is refused with InvalidArgument or makes a working table.
#include <cstddef>
#include <cstdint>

#include "google/protobuf/stubs/logging.h"
#include "prometheus/registry.h"
#include "replay/replay_metrics.h"
#include "replay/table.h"

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
  entropic::v1::TableConfig config;
  if (!config.ParseFromArray(data, static_cast<int>(size))) return 0;
  std::unique_ptr<entropic::TableMetrics> table_metrics =
      metrics->AddTable("job", config.name());
  auto table = entropic::Table::Create("job", config, table_metrics.get(), 1);
  if (table.ok()) (void)(*table)->Info();
  table = absl::InternalError("");  // the table goes before its metrics
  metrics->RemoveTable(*table_metrics);
  return 0;
}
