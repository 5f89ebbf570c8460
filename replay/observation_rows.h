#ifndef ENTROPIC_REPLAY_OBSERVATION_ROWS_H_
#define ENTROPIC_REPLAY_OBSERVATION_ROWS_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace entropic {

// The observation rows of a sampled batch. Small rows are copied into one
// buffer. Large rows (Atari frames) are referenced where the stored chunks
// hold them, with a share in their ownership, so they reach the wire without
// being copied at all (sample_wire.h); stored chunk data never changes.
class ObservationRows {
 public:
  // Rows at least this large are referenced rather than copied.
  static constexpr int64_t kReferenceRowBytes = 4096;

  struct Reference {
    const char* data = nullptr;
    std::shared_ptr<const void> owner;  // keeps `data` alive
  };

  // `rows` rows of `row_bytes` each, to be filled by Put.
  void Allocate(int64_t rows, int64_t row_bytes);
  // Row `row` is the `row_bytes` at `source`, owned by `owner`.
  void Put(int64_t row, const char* source,
           const std::shared_ptr<const void>& owner) {
    if (by_reference()) {
      references_[row] = Reference{source, owner};
    } else {
      std::memcpy(&copied_[row * row_bytes_], source, row_bytes_);
    }
  }
  // Appends `other`'s rows (same row size) after these.
  void Append(const ObservationRows& other);

  int64_t rows() const { return rows_; }
  int64_t row_bytes() const { return row_bytes_; }
  int64_t bytes() const { return rows_ * row_bytes_; }
  bool by_reference() const { return row_bytes_ >= kReferenceRowBytes; }
  std::string_view Row(int64_t row) const;
  const std::vector<Reference>& references() const { return references_; }

  // All rows in one buffer: moved out when copied, gathered when referenced.
  std::string TakeBytes() &&;
  // A copy of all rows in one buffer.
  std::string Bytes() const;

 private:
  int64_t rows_ = 0;
  int64_t row_bytes_ = 0;
  std::string copied_;                 // small rows
  std::vector<Reference> references_;  // large rows
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_OBSERVATION_ROWS_H_
