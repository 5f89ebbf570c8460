#ifndef ENTROPIC_REPLAY_DURABILITY_LOG_FILE_H_
#define ENTROPIC_REPLAY_DURABILITY_LOG_FILE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "entropic/v1/replay_log.pb.h"

namespace entropic {

// The on-disk format shared by log segments and snapshots:
//   header: "ENTROPIC" (8 bytes), kind (uint32), format version (uint32)
//   records: payload length (uint32), crc32 of the payload (uint32),
//            payload (a serialized LogRecord)
// All integers little-endian.

enum class LogFileKind : uint32_t { kLog = 1, kSnapshot = 2 };

// Written into every file; a reader refuses files with a newer one.
inline constexpr uint32_t kLogFormatVersion = 1;
inline constexpr size_t kLogHeaderBytes = 16;

std::string LogFileHeader(LogFileKind kind);
// One framed record.
std::string FrameRecord(const v1::LogRecord& record);

struct LogReadResult {
  int64_t records = 0;
  // Bytes of the file up to the end of the last good record.
  int64_t good_bytes = 0;
  // The file ended in a torn or corrupt record after `good_bytes`.
  bool corrupt_tail = false;
};

// Calls `apply` for each record of the file, in order. A record that is
// cut short or fails its checksum ends the reading (corrupt_tail): what
// follows it cannot be trusted. Errors: NotFound for a missing file,
// FailedPrecondition for a file of another kind or a newer format version
// (naming both versions), DataLoss for a file too short for its header;
// `apply`'s error stops the reading and is returned.
absl::StatusOr<LogReadResult> ReadLogFile(
    const std::string& path, LogFileKind kind,
    const std::function<absl::Status(v1::LogRecord&)>& apply);

// ReadLogFile on a file's bytes already in memory (errors name `origin`;
// never NotFound).
absl::StatusOr<LogReadResult> ParseLogFile(
    const std::string& bytes, const std::string& origin, LogFileKind kind,
    const std::function<absl::Status(v1::LogRecord&)>& apply);

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_DURABILITY_LOG_FILE_H_
