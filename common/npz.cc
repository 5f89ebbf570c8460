#include "common/npz.h"

#include <zlib.h>

#include <cstring>
#include <limits>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/tensor.h"

namespace entropic {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr uint16_t kZip64Extra = 0x0001;
constexpr char kNpyMagic[] = "\x93NUMPY";
constexpr uint64_t kMaxDeflateRatio = 1032;

// Little-endian reads with bounds checks.
class Reader {
 public:
  Reader(const std::string& bytes, size_t offset)
      : bytes_(bytes), offset_(offset) {}
  bool ok() const { return ok_; }
  size_t offset() const { return offset_; }
  void Seek(size_t offset) { offset_ = offset; }
  template <typename T>
  T Read() {
    T value{};
    if (!Has(sizeof(T))) {
      ok_ = false;
      return value;
    }
    std::memcpy(&value, bytes_.data() + offset_, sizeof(T));
    offset_ += sizeof(T);
    return value;
  }
  std::string ReadString(size_t length) {
    if (!Has(length)) {
      ok_ = false;
      return "";
    }
    std::string value = bytes_.substr(offset_, length);
    offset_ += length;
    return value;
  }

 private:
  // Offsets come from the file (zip64: any 64-bit value): no overflow.
  bool Has(size_t length) const {
    return offset_ <= bytes_.size() && bytes_.size() - offset_ >= length;
  }

  const std::string& bytes_;
  size_t offset_;
  bool ok_ = true;
};

struct Entry {
  std::string name;
  uint16_t method = 0;
  uint64_t compressed = 0;
  uint64_t uncompressed = 0;
  uint64_t local_offset = 0;
};

absl::Status Invalid(const std::string& origin, const std::string& problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(origin, ": not a readable .npz file: ", problem));
}

// Overrides 0xFFFFFFFF sizes and offset with their zip64 extra values.
void ApplyZip64(const std::string& extra, Entry& entry, uint32_t compressed32,
                uint32_t uncompressed32, uint32_t offset32) {
  Reader reader(extra, 0);
  while (reader.ok() && reader.offset() + 4 <= extra.size()) {
    const uint16_t id = reader.Read<uint16_t>();
    const uint16_t size = reader.Read<uint16_t>();
    const size_t end = reader.offset() + size;
    if (id == kZip64Extra) {
      if (uncompressed32 == 0xFFFFFFFF) entry.uncompressed = reader.Read<uint64_t>();
      if (compressed32 == 0xFFFFFFFF) entry.compressed = reader.Read<uint64_t>();
      if (offset32 == 0xFFFFFFFF) entry.local_offset = reader.Read<uint64_t>();
    }
    reader.Seek(end);
  }
}

absl::StatusOr<std::vector<Entry>> CentralDirectory(const std::string& bytes,
                                                    const std::string& origin) {
  if (bytes.size() < 22) return Invalid(origin, "too short for a zip archive");
  // The end record sits in the last 22 + 65535 (comment) bytes.
  size_t end_record = std::string::npos;
  const size_t lowest = bytes.size() > 22 + 65535 ? bytes.size() - 22 - 65535 : 0;
  for (size_t at = bytes.size() - 22 + 1; at-- > lowest;) {
    uint32_t signature;
    std::memcpy(&signature, bytes.data() + at, 4);
    if (signature == kEndOfCentralDirectory) {
      end_record = at;
      break;
    }
  }
  if (end_record == std::string::npos) {
    return Invalid(origin, "no zip end-of-central-directory record");
  }
  Reader end(bytes, end_record + 10);
  const uint16_t count = end.Read<uint16_t>();
  end.Read<uint32_t>();  // directory size
  const uint32_t directory = end.Read<uint32_t>();
  std::vector<Entry> entries;
  Reader reader(bytes, directory);
  for (int i = 0; i < count; ++i) {
    if (reader.Read<uint32_t>() != kCentralHeader) {
      return Invalid(origin, "corrupt zip central directory");
    }
    reader.ReadString(6);  // versions, flags
    Entry entry;
    entry.method = reader.Read<uint16_t>();
    reader.ReadString(8);  // time, date, crc
    const uint32_t compressed = reader.Read<uint32_t>();
    const uint32_t uncompressed = reader.Read<uint32_t>();
    const uint16_t name_length = reader.Read<uint16_t>();
    const uint16_t extra_length = reader.Read<uint16_t>();
    const uint16_t comment_length = reader.Read<uint16_t>();
    reader.ReadString(8);  // disk, attributes
    const uint32_t offset = reader.Read<uint32_t>();
    entry.name = reader.ReadString(name_length);
    const std::string extra = reader.ReadString(extra_length);
    reader.ReadString(comment_length);
    if (!reader.ok()) return Invalid(origin, "truncated zip central directory");
    entry.compressed = compressed;
    entry.uncompressed = uncompressed;
    entry.local_offset = offset;
    ApplyZip64(extra, entry, compressed, uncompressed, offset);
    entries.push_back(std::move(entry));
  }
  return entries;
}

absl::StatusOr<std::string> EntryData(const std::string& bytes,
                                      const Entry& entry,
                                      const std::string& origin) {
  Reader local(bytes, entry.local_offset);
  if (local.Read<uint32_t>() != kLocalHeader) {
    return Invalid(origin, absl::StrCat(entry.name, ": bad local header"));
  }
  local.ReadString(22);
  const uint16_t name_length = local.Read<uint16_t>();
  const uint16_t extra_length = local.Read<uint16_t>();
  const size_t data = local.offset() + name_length + extra_length;
  if (!local.ok() || data > bytes.size() ||
      entry.compressed > bytes.size() - data) {
    return Invalid(origin, absl::StrCat(entry.name, ": truncated"));
  }
  if (entry.method == 0) return bytes.substr(data, entry.compressed);
  if (entry.method != 8) {
    return Invalid(origin, absl::StrCat(entry.name, ": compression method ",
                                        entry.method, " is not supported"));
  }
  // Deflate expands at most 1032:1; a larger claimed size is corrupt and
  // must not be allocated.
  if (entry.uncompressed > entry.compressed * kMaxDeflateRatio + 64) {
    return Invalid(origin,
                   absl::StrCat(entry.name, ": uncompressed size ",
                                entry.uncompressed, " is impossible for ",
                                entry.compressed, " compressed bytes"));
  }
  if (entry.uncompressed > std::numeric_limits<uInt>::max()) {
    return Invalid(origin, absl::StrCat(entry.name,
                                        ": compressed arrays over 4 GiB are "
                                        "not supported"));
  }
  std::string out(entry.uncompressed, '\0');
  z_stream stream{};
  // Raw deflate (no zlib header), as zip stores it.
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) {
    return absl::InternalError("zlib inflateInit2 failed");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + data));
  stream.avail_in = static_cast<uInt>(entry.compressed);
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = inflate(&stream, Z_FINISH);
  inflateEnd(&stream);
  if (result != Z_STREAM_END || stream.total_out != out.size()) {
    return Invalid(origin, absl::StrCat(entry.name, ": corrupt deflate data"));
  }
  return out;
}

absl::StatusOr<v1::DType> DTypeOfDescr(absl::string_view descr) {
  if (descr == "<f4") return v1::DTYPE_FLOAT32;
  if (descr == "<f8") return v1::DTYPE_FLOAT64;
  if (descr == "<i4") return v1::DTYPE_INT32;
  if (descr == "<i8") return v1::DTYPE_INT64;
  if (descr == "|u1") return v1::DTYPE_UINT8;
  if (descr == "|b1") return v1::DTYPE_BOOL;
  return absl::InvalidArgumentError(absl::StrCat(
      "dtype '", descr,
      "' is not supported (float32, float64, int32, int64, uint8, bool)"));
}

std::string DescrOf(v1::DType dtype) {
  switch (dtype) {
    case v1::DTYPE_FLOAT32:
      return "<f4";
    case v1::DTYPE_FLOAT64:
      return "<f8";
    case v1::DTYPE_INT32:
      return "<i4";
    case v1::DTYPE_INT64:
      return "<i8";
    case v1::DTYPE_UINT8:
      return "|u1";
    default:
      return "|b1";
  }
}

// The value of `key` in a .npy header dict, e.g. "'<f4'" or "(3, 4)".
std::string HeaderValue(const std::string& header, const std::string& key) {
  const size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) return "";
  size_t start = header.find(':', at);
  if (start == std::string::npos) return "";
  ++start;
  while (start < header.size() && header[start] == ' ') ++start;
  if (start < header.size() && header[start] == '(') {
    return header.substr(start, header.find(')', start) - start + 1);
  }
  size_t end = start;
  while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  return std::string(absl::StripAsciiWhitespace(header.substr(start, end - start)));
}

absl::StatusOr<v1::Tensor> ParseNpy(const std::string& npy,
                                    const std::string& what) {
  if (npy.size() < 10 || npy.compare(0, 6, kNpyMagic, 6) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": not a .npy array"));
  }
  const uint8_t major = static_cast<uint8_t>(npy[6]);
  size_t header_length, header_start;
  if (major == 1) {
    uint16_t length;
    std::memcpy(&length, npy.data() + 8, 2);
    header_length = length;
    header_start = 10;
  } else {
    uint32_t length;
    if (npy.size() < 12) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": truncated"));
    }
    std::memcpy(&length, npy.data() + 8, 4);
    header_length = length;
    header_start = 12;
  }
  if (header_start + header_length > npy.size()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": truncated header"));
  }
  const std::string header = npy.substr(header_start, header_length);
  std::string descr = HeaderValue(header, "descr");
  descr = std::string(absl::StripSuffix(absl::StripPrefix(descr, "'"), "'"));
  absl::StatusOr<v1::DType> dtype = DTypeOfDescr(descr);
  if (!dtype.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", dtype.status().message()));
  }
  if (HeaderValue(header, "fortran_order") != "False") {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": Fortran-ordered arrays are not supported; save "
                           "np.ascontiguousarray(a)"));
  }
  v1::Tensor tensor;
  tensor.set_dtype(*dtype);
  const std::string shape = HeaderValue(header, "shape");
  for (absl::string_view dim :
       absl::StrSplit(absl::StripSuffix(absl::StripPrefix(shape, "("), ")"),
                      ',', absl::SkipWhitespace())) {
    int64_t value;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(dim), &value) ||
        value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": bad shape ", shape));
    }
    tensor.add_shape(value);
  }
  const size_t data = header_start + header_length;
  const int64_t expected = TensorBytes(ShapeOf(tensor.shape()), *dtype);
  if (expected < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": shape ", shape, " is too large"));
  }
  if (npy.size() - data != static_cast<uint64_t>(expected)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": holds ", npy.size() - data, " bytes of data, ",
                     ShapeString(ShapeOf(tensor.shape())), " of ", descr,
                     " needs ", expected));
  }
  tensor.set_data(npy.substr(data));
  return tensor;
}

void Put16(std::string& out, uint16_t v) { out.append(reinterpret_cast<char*>(&v), 2); }
void Put32(std::string& out, uint32_t v) { out.append(reinterpret_cast<char*>(&v), 4); }

std::string Npy(const v1::Tensor& tensor) {
  std::string shape = "(";
  for (int64_t dim : tensor.shape()) absl::StrAppend(&shape, dim, ", ");
  if (tensor.shape_size() > 1) shape.resize(shape.size() - 2);
  if (tensor.shape_size() == 1) shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = absl::StrCat("{'descr': '", DescrOf(tensor.dtype()),
                                    "', 'fortran_order': False, 'shape': ",
                                    shape, ", }");
  // Pad with spaces so the data starts 64-byte aligned, ending in newline.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string npy(kNpyMagic, 6);
  npy += '\x01';
  npy += '\x00';
  Put16(npy, static_cast<uint16_t>(header.size()));
  npy += header;
  npy += tensor.data();
  return npy;
}

}  // namespace

absl::StatusOr<std::map<std::string, v1::Tensor>> ParseNpz(
    const std::string& bytes, const std::string& origin) {
  absl::StatusOr<std::vector<Entry>> entries = CentralDirectory(bytes, origin);
  if (!entries.ok()) return entries.status();
  std::map<std::string, v1::Tensor> arrays;
  for (const Entry& entry : *entries) {
    absl::StatusOr<std::string> data = EntryData(bytes, entry, origin);
    if (!data.ok()) return data.status();
    absl::StatusOr<v1::Tensor> tensor =
        ParseNpy(*data, absl::StrCat(origin, ": ", entry.name));
    if (!tensor.ok()) return tensor.status();
    arrays[std::string(absl::StripSuffix(entry.name, ".npy"))] =
        std::move(tensor).value();
  }
  return arrays;
}

absl::StatusOr<std::map<std::string, v1::Tensor>> ReadNpz(
    const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream buffer;
  buffer << file.rdbuf();
  return ParseNpz(buffer.str(), path);
}

absl::Status WriteNpz(const std::string& path,
                      const std::map<std::string, v1::Tensor>& arrays) {
  std::string archive, directory;
  for (const auto& [name, tensor] : arrays) {
    const std::string file_name = name + ".npy";
    const std::string npy = Npy(tensor);
    const uint32_t crc = crc32(0L, reinterpret_cast<const Bytef*>(npy.data()),
                               static_cast<uInt>(npy.size()));
    const uint32_t offset = static_cast<uint32_t>(archive.size());
    // Local header: version 20, no flags, stored, DOS time 1980-01-01.
    Put32(archive, kLocalHeader);
    Put16(archive, 20);
    Put16(archive, 0);
    Put16(archive, 0);
    Put16(archive, 0);
    Put16(archive, 0x21);
    Put32(archive, crc);
    Put32(archive, static_cast<uint32_t>(npy.size()));
    Put32(archive, static_cast<uint32_t>(npy.size()));
    Put16(archive, static_cast<uint16_t>(file_name.size()));
    Put16(archive, 0);
    archive += file_name;
    archive += npy;

    Put32(directory, kCentralHeader);
    Put16(directory, 20);
    Put16(directory, 20);
    Put16(directory, 0);
    Put16(directory, 0);
    Put16(directory, 0);
    Put16(directory, 0x21);
    Put32(directory, crc);
    Put32(directory, static_cast<uint32_t>(npy.size()));
    Put32(directory, static_cast<uint32_t>(npy.size()));
    Put16(directory, static_cast<uint16_t>(file_name.size()));
    Put16(directory, 0);
    Put16(directory, 0);
    Put16(directory, 0);
    Put16(directory, 0);
    Put32(directory, 0);
    Put32(directory, offset);
    directory += file_name;
  }
  const uint32_t directory_offset = static_cast<uint32_t>(archive.size());
  archive += directory;
  Put32(archive, kEndOfCentralDirectory);
  Put16(archive, 0);
  Put16(archive, 0);
  Put16(archive, static_cast<uint16_t>(arrays.size()));
  Put16(archive, static_cast<uint16_t>(arrays.size()));
  Put32(archive, static_cast<uint32_t>(directory.size()));
  Put32(archive, directory_offset);
  Put16(archive, 0);
  if (archive.size() > 0xFFFFFFFFull) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": arrays over 4 GiB in all are not supported"));
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(archive.data(), archive.size());
  if (!file) return absl::InternalError(absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

}  // namespace entropic
