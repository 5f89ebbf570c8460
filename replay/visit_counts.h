#ifndef ENTROPIC_REPLAY_VISIT_COUNTS_H_
#define ENTROPIC_REPLAY_VISIT_COUNTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "entropic/v1/replay.pb.h"
#include "entropic/v1/replay_log.pb.h"

namespace entropic {

// SimHash (Charikar 2002; Tang et al. 2017): the k-bit code
// sign(A [(o - c) / w; 1]) of an observation o of D elements, with A a
// k x (D + 1) matrix. Bit i is 1 when row i's product is > 0. A plain
// matrix product: replay needs no LibTorch for it.
//
// Immutable, so thread-safe.
class SimHash {
 public:
  // `matrix`: k rows of D + 1 values, row-major; `center` and `half_width`
  // D values each. The caller checks the sizes, k in [1, 64] and w != 0
  // (CheckVisitCountConfig does for configurations from the wire).
  SimHash(int bits, std::vector<double> matrix, std::vector<double> center,
          std::vector<double> half_width);

  // A drawn from `seed`: independent standard normal entries from
  // splitmix64 and Box-Muller, so the same seed gives the same matrix on
  // every platform and standard library (std::normal_distribution does
  // not).
  static SimHash FromSeed(int bits, uint64_t seed, std::vector<double> center,
                          std::vector<double> half_width);

  // The code of one observation of D elements.
  uint64_t Code(absl::Span<const double> observation) const;

  int bits() const { return bits_; }
  int64_t dims() const { return static_cast<int64_t>(center_.size()); }
  const std::vector<double>& matrix() const { return matrix_; }

 private:
  const int bits_;
  const std::vector<double> matrix_;
  const std::vector<double> center_;
  // 1 / w, per element.
  std::vector<double> inverse_width_;
};

// Checks a table's visit_counts against an observation of
// `observation_elements` elements: bits in [1, 64], one finite center and
// one finite half_width > 0 per element, and a matrix of bounded size.
// InvalidArgument naming `prefix` + the field and the limit. (The column
// name is checked with the table's other columns.)
absl::Status CheckVisitCountConfig(const v1::VisitCountConfig& config,
                                   int64_t observation_elements,
                                   absl::string_view prefix);

// The visit counts of one table: the SimHash of its configuration and how
// many stored transitions had each code.
//
// Not thread-safe: owned by a Table, used under its lock.
class VisitCounts {
 public:
  // `config` checked by CheckVisitCountConfig; `observation_dtype` the
  // table's.
  VisitCounts(const v1::VisitCountConfig& config, v1::DType observation_dtype);

  // The codes of the first `rows` observations of `observations` (rows of
  // D elements of the table's dtype, validated), as `rows` native-endian
  // uint64 values: the layout a per-step column of 8 bytes has in a
  // ChunkStore.
  std::string Codes(absl::string_view observations, int64_t rows) const;

  // Counts each of `codes` (as Codes returns them) once.
  void Count(absl::string_view codes);

  // Replaces each code in `column` (as Codes returns them) by its count,
  // an int64 in the same 8 bytes.
  void CodesToCounts(std::string& column) const;

  int64_t CountOf(uint64_t code) const;
  // Distinct codes counted.
  int64_t distinct() const { return static_cast<int64_t>(counts_.size()); }

  // Every code and its count, as snapshot records of at most
  // `codes_per_record` codes each (at least one record, so a snapshot of a
  // table with nothing counted still says so).
  std::vector<v1::VisitCountRecord> Records(int64_t codes_per_record) const;
  // Sets the counts of a record's codes (recovery). InvalidArgument if its
  // codes and counts differ in length or a count is negative.
  absl::Status Restore(const v1::VisitCountRecord& record);

  const SimHash& hash() const { return hash_; }

 private:
  const SimHash hash_;
  const v1::DType dtype_;
  absl::flat_hash_map<uint64_t, int64_t> counts_;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_VISIT_COUNTS_H_
