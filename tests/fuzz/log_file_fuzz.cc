// Replay checkpoint files (replay/durability/log_file.h): log segments and
// snapshots read back record by record, each applied to a TableStore as
// recovery does (TableStore::ApplyRecord: create and delete tables, restore
// chunks, FIFO consumption, de-duplication state).
//
// Input: one mode byte, then the file. Mode bit 0 set: every frame's
// checksum is recomputed before reading, so mutated records get past the
// checksum and reach ApplyRecord (otherwise nearly every mutation is a
// corrupt tail). Bytes 8..11 of the file say which kind it is read as.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include <zlib.h>

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
  if (size < 1) return 0;
  const bool fix_checksums = data[0] & 1;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (fix_checksums) {
    // Frames: length (uint32), crc32 (uint32), payload.
    size_t at = entropic::kLogHeaderBytes;
    while (at + 8 <= bytes.size()) {
      uint32_t length;
      std::memcpy(&length, bytes.data() + at, 4);
      if (length > bytes.size() - at - 8) break;
      const uint32_t crc = static_cast<uint32_t>(
          crc32(0L, reinterpret_cast<const Bytef*>(bytes.data() + at + 8),
                length));
      std::memcpy(bytes.data() + at + 4, &crc, 4);
      at += 8 + length;
    }
  }
  const entropic::LogFileKind kind = bytes.size() > 8 && bytes[8] == 2
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
