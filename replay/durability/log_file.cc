#include "replay/durability/log_file.h"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace entropic {
namespace {

constexpr char kMagic[] = "ENTROPIC";
// Larger records are taken for corruption: chunks are capped far below.
constexpr uint32_t kMaxRecordBytes = 1u << 30;

void Put32(std::string& out, uint32_t value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(value));
}

uint32_t Get32(const std::string& bytes, size_t at) {
  uint32_t value;
  std::memcpy(&value, bytes.data() + at, sizeof(value));
  return value;
}

uint32_t Crc(const char* data, size_t size) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(size)));
}

}  // namespace

std::string LogFileHeader(LogFileKind kind) {
  std::string header(kMagic, 8);
  Put32(header, static_cast<uint32_t>(kind));
  Put32(header, kLogFormatVersion);
  return header;
}

std::string FrameRecord(const v1::LogRecord& record) {
  const std::string payload = record.SerializeAsString();
  std::string framed;
  framed.reserve(8 + payload.size());
  Put32(framed, static_cast<uint32_t>(payload.size()));
  Put32(framed, Crc(payload.data(), payload.size()));
  framed += payload;
  return framed;
}

absl::StatusOr<LogReadResult> ReadLogFile(
    const std::string& path, LogFileKind kind,
    const std::function<absl::Status(v1::LogRecord&)>& apply) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream buffer;
  buffer << file.rdbuf();
  return ParseLogFile(buffer.str(), path, kind, apply);
}

absl::StatusOr<LogReadResult> ParseLogFile(
    const std::string& bytes, const std::string& origin, LogFileKind kind,
    const std::function<absl::Status(v1::LogRecord&)>& apply) {
  if (bytes.size() < kLogHeaderBytes || bytes.compare(0, 8, kMagic, 8) != 0) {
    return absl::DataLossError(
        absl::StrCat(origin, ": not an Entropic replay checkpoint file"));
  }
  if (Get32(bytes, 8) != static_cast<uint32_t>(kind)) {
    return absl::FailedPreconditionError(
        absl::StrCat(origin, ": holds another kind of checkpoint file"));
  }
  const uint32_t version = Get32(bytes, 12);
  if (version > kLogFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        origin, ": written in checkpoint format version ", version,
        ", newer than this binary's ", kLogFormatVersion,
        "; run a newer entropic-replay or start from another directory"));
  }
  LogReadResult result;
  size_t at = kLogHeaderBytes;
  result.good_bytes = at;
  while (at < bytes.size()) {
    if (bytes.size() - at < 8) {
      result.corrupt_tail = true;
      break;
    }
    const uint32_t length = Get32(bytes, at);
    const uint32_t crc = Get32(bytes, at + 4);
    if (length > kMaxRecordBytes || bytes.size() - at - 8 < length ||
        Crc(bytes.data() + at + 8, length) != crc) {
      result.corrupt_tail = true;
      break;
    }
    v1::LogRecord record;
    if (!record.ParseFromArray(bytes.data() + at + 8,
                               static_cast<int>(length))) {
      result.corrupt_tail = true;
      break;
    }
    absl::Status applied = apply(record);
    if (!applied.ok()) return applied;
    at += 8 + length;
    result.good_bytes = at;
    ++result.records;
  }
  return result;
}

}  // namespace entropic
