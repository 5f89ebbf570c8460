#include "replay/observation_rows.h"

#include <cstring>

namespace entropic {

void ObservationRows::Allocate(int64_t rows, int64_t row_bytes) {
  rows_ = rows;
  row_bytes_ = row_bytes;
  copied_.clear();
  references_.clear();
  if (by_reference()) {
    references_.resize(rows);
  } else {
    copied_.resize(rows * row_bytes);
  }
}

void ObservationRows::Append(const ObservationRows& other) {
  rows_ += other.rows_;
  copied_.append(other.copied_);
  references_.insert(references_.end(), other.references_.begin(),
                     other.references_.end());
}

std::string_view ObservationRows::Row(int64_t row) const {
  if (by_reference())
    return {references_[row].data, static_cast<size_t>(row_bytes_)};
  return std::string_view(copied_).substr(row * row_bytes_, row_bytes_);
}

std::string ObservationRows::TakeBytes() && {
  if (!by_reference()) return std::move(copied_);
  return Bytes();
}

std::string ObservationRows::Bytes() const {
  if (!by_reference()) return copied_;
  std::string out;
  out.reserve(bytes());
  for (const Reference& reference : references_) {
    out.append(reference.data, row_bytes_);
  }
  return out;
}

}  // namespace entropic
