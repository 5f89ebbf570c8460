#include "replay/visit_counts.h"

#include <cmath>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/tensor.h"

namespace entropic {
namespace {

// Entries of A one table may ask for: 32 MiB of doubles. Hashing costs
// this many multiplications per inserted transition.
constexpr int64_t kMaxMatrixEntries = int64_t{1} << 22;

// splitmix64 (Steele, Lea and Flood 2014): a 64-bit generator whose output
// is fixed by its definition, unlike the standard library's distributions.
uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Uniform in (0, 1]: never 0, so its logarithm is finite.
double UniformOpenClosed(uint64_t& state) {
  return (static_cast<double>(SplitMix64(state) >> 11) + 1.0) * 0x1.0p-53;
}

std::vector<double> GaussianMatrix(int64_t entries, uint64_t seed) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  std::vector<double> values;
  values.reserve(entries + 1);
  uint64_t state = seed;
  // Box-Muller: two independent standard normals per pair of uniforms.
  while (static_cast<int64_t>(values.size()) < entries) {
    const double radius = std::sqrt(-2.0 * std::log(UniformOpenClosed(state)));
    const double angle = kTwoPi * UniformOpenClosed(state);
    values.push_back(radius * std::cos(angle));
    values.push_back(radius * std::sin(angle));
  }
  values.resize(entries);
  return values;
}

template <typename T>
void ReadElements(const char* row, int64_t elements, double* out) {
  for (int64_t j = 0; j < elements; ++j) {
    T value;
    std::memcpy(&value, row + j * sizeof(T), sizeof(T));
    out[j] = static_cast<double>(value);
  }
}

// One observation's elements as doubles.
void ReadRow(v1::DType dtype, const char* row, int64_t elements, double* out) {
  switch (dtype) {
    case v1::DTYPE_FLOAT32:
      return ReadElements<float>(row, elements, out);
    case v1::DTYPE_FLOAT64:
      return ReadElements<double>(row, elements, out);
    case v1::DTYPE_INT32:
      return ReadElements<int32_t>(row, elements, out);
    case v1::DTYPE_INT64:
      return ReadElements<int64_t>(row, elements, out);
    case v1::DTYPE_UINT8:
      return ReadElements<uint8_t>(row, elements, out);
    case v1::DTYPE_BOOL:
      for (int64_t j = 0; j < elements; ++j) out[j] = row[j] != 0 ? 1.0 : 0.0;
      return;
    default:
      for (int64_t j = 0; j < elements; ++j) out[j] = 0;
      return;
  }
}

}  // namespace

SimHash::SimHash(int bits, std::vector<double> matrix,
                 std::vector<double> center, std::vector<double> half_width)
    : bits_(bits),
      matrix_(std::move(matrix)),
      center_(std::move(center)) {
  inverse_width_.reserve(half_width.size());
  for (double w : half_width) inverse_width_.push_back(1.0 / w);
}

SimHash SimHash::FromSeed(int bits, uint64_t seed, std::vector<double> center,
                          std::vector<double> half_width) {
  const int64_t columns = static_cast<int64_t>(center.size()) + 1;
  return SimHash(bits, GaussianMatrix(bits * columns, seed), std::move(center),
                 std::move(half_width));
}

uint64_t SimHash::Code(absl::Span<const double> observation) const {
  const int64_t d = dims();
  uint64_t code = 0;
  const double* row = matrix_.data();
  for (int i = 0; i < bits_; ++i, row += d + 1) {
    double product = row[d];  // times the trailing 1
    for (int64_t j = 0; j < d; ++j) {
      product += row[j] * ((observation[j] - center_[j]) * inverse_width_[j]);
    }
    if (product > 0) code |= uint64_t{1} << i;
  }
  return code;
}

absl::Status CheckVisitCountConfig(const v1::VisitCountConfig& config,
                                   int64_t observation_elements,
                                   absl::string_view prefix) {
  if (config.bits() < 1 || config.bits() > 64) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "visit_counts.bits: must be in [1, 64], got ", config.bits()));
  }
  for (const auto& [field, values] :
       {std::pair{"center", &config.center()},
        std::pair{"half_width", &config.half_width()}}) {
    if (values->size() != observation_elements) {
      return absl::InvalidArgumentError(absl::StrCat(
          prefix, "visit_counts.", field, ": needs one value per observation ",
          "element (", observation_elements, "), got ", values->size()));
    }
  }
  for (int j = 0; j < config.center_size(); ++j) {
    if (!std::isfinite(config.center(j))) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, "visit_counts.center[", j,
                       "]: must be finite, got ", config.center(j)));
    }
    if (!(std::isfinite(config.half_width(j)) && config.half_width(j) > 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, "visit_counts.half_width[", j,
                       "]: must be finite and > 0, got ", config.half_width(j)));
    }
  }
  const int64_t entries = config.bits() * (observation_elements + 1);
  if (entries > kMaxMatrixEntries) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "visit_counts.bits: ", config.bits(), " x (",
        observation_elements, " observation elements + 1) = ", entries,
        " hashing weights, over the most a table may have, ",
        kMaxMatrixEntries));
  }
  return absl::OkStatus();
}

VisitCounts::VisitCounts(const v1::VisitCountConfig& config,
                         v1::DType observation_dtype)
    : hash_(SimHash::FromSeed(
          config.bits(), config.seed(),
          {config.center().begin(), config.center().end()},
          {config.half_width().begin(), config.half_width().end()})),
      dtype_(observation_dtype) {}

std::string VisitCounts::Codes(absl::string_view observations,
                               int64_t rows) const {
  const int64_t d = hash_.dims();
  const int64_t row_bytes = d * static_cast<int64_t>(DTypeSize(dtype_));
  std::string codes(rows * sizeof(uint64_t), '\0');
  std::vector<double> row(d);
  for (int64_t t = 0; t < rows; ++t) {
    ReadRow(dtype_, observations.data() + t * row_bytes, d, row.data());
    const uint64_t code = hash_.Code(row);
    std::memcpy(&codes[t * sizeof(uint64_t)], &code, sizeof(uint64_t));
  }
  return codes;
}

void VisitCounts::Count(absl::string_view codes) {
  for (size_t at = 0; at + sizeof(uint64_t) <= codes.size();
       at += sizeof(uint64_t)) {
    uint64_t code;
    std::memcpy(&code, codes.data() + at, sizeof(uint64_t));
    ++counts_[code];
  }
}

void VisitCounts::CodesToCounts(std::string& column) const {
  for (size_t at = 0; at + sizeof(uint64_t) <= column.size();
       at += sizeof(uint64_t)) {
    uint64_t code;
    std::memcpy(&code, column.data() + at, sizeof(uint64_t));
    const int64_t count = CountOf(code);
    std::memcpy(&column[at], &count, sizeof(int64_t));
  }
}

int64_t VisitCounts::CountOf(uint64_t code) const {
  const auto found = counts_.find(code);
  return found == counts_.end() ? 0 : found->second;
}

std::vector<v1::VisitCountRecord> VisitCounts::Records(
    int64_t codes_per_record) const {
  std::vector<v1::VisitCountRecord> records(1);
  for (const auto& [code, count] : counts_) {
    if (records.back().codes_size() >= codes_per_record) records.emplace_back();
    records.back().add_codes(code);
    records.back().add_counts(count);
  }
  return records;
}

absl::Status VisitCounts::Restore(const v1::VisitCountRecord& record) {
  if (record.codes_size() != record.counts_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("visit count record: ", record.codes_size(), " codes but ",
                     record.counts_size(), " counts"));
  }
  for (int i = 0; i < record.counts_size(); ++i) {
    if (record.counts(i) < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "visit count record: negative count ", record.counts(i)));
    }
  }
  for (int i = 0; i < record.codes_size(); ++i) {
    if (record.counts(i) == 0) {
      counts_.erase(record.codes(i));
    } else {
      counts_[record.codes(i)] = record.counts(i);
    }
  }
  return absl::OkStatus();
}

}  // namespace entropic
