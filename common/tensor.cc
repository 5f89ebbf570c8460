#include "common/tensor.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace entropic {
namespace {

template <typename T>
int64_t FirstNonFinite(const std::string& bytes) {
  const int64_t count = bytes.size() / sizeof(T);
  for (int64_t i = 0; i < count; ++i) {
    T value;
    std::memcpy(&value, bytes.data() + i * sizeof(T), sizeof(T));
    if (!std::isfinite(value)) return i;
  }
  return -1;
}

}  // namespace

size_t DTypeSize(v1::DType dtype) {
  switch (dtype) {
    case v1::DTYPE_FLOAT32:
    case v1::DTYPE_INT32:
      return 4;
    case v1::DTYPE_FLOAT64:
    case v1::DTYPE_INT64:
      return 8;
    case v1::DTYPE_UINT8:
    case v1::DTYPE_BOOL:
      return 1;
    default:
      return 0;
  }
}

std::string DTypeName(v1::DType dtype) {
  switch (dtype) {
    case v1::DTYPE_FLOAT32:
      return "float32";
    case v1::DTYPE_FLOAT64:
      return "float64";
    case v1::DTYPE_INT32:
      return "int32";
    case v1::DTYPE_INT64:
      return "int64";
    case v1::DTYPE_UINT8:
      return "uint8";
    case v1::DTYPE_BOOL:
      return "bool";
    default:
      return absl::StrCat("unspecified(", static_cast<int>(dtype), ")");
  }
}

int64_t NumElements(absl::Span<const int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0 || __builtin_mul_overflow(count, dim, &count)) return -1;
  }
  return count;
}

int64_t TensorBytes(absl::Span<const int64_t> shape, v1::DType dtype) {
  int64_t bytes = NumElements(shape);
  if (bytes < 0 ||
      __builtin_mul_overflow(bytes, static_cast<int64_t>(DTypeSize(dtype)),
                             &bytes)) {
    return -1;
  }
  return bytes;
}

std::string ShapeString(absl::Span<const int64_t> shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

absl::Status CheckTensor(const v1::Tensor& tensor, const v1::TensorSpec& spec,
                         absl::Span<const int64_t> leading_dims,
                         absl::string_view field) {
  if (tensor.dtype() != spec.dtype()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": dtype ", DTypeName(tensor.dtype()),
                     " does not match the table's ", DTypeName(spec.dtype())));
  }
  std::vector<int64_t> expected(leading_dims.begin(), leading_dims.end());
  expected.insert(expected.end(), spec.shape().begin(), spec.shape().end());
  const absl::Span<const int64_t> actual = ShapeOf(tensor.shape());
  if (actual != absl::MakeConstSpan(expected)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": shape ", ShapeString(actual),
                     " does not match the expected ", ShapeString(expected)));
  }
  const int64_t expected_bytes = TensorBytes(expected, spec.dtype());
  if (expected_bytes < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": shape ", ShapeString(actual), " is too large"));
  }
  if (tensor.data().size() != static_cast<uint64_t>(expected_bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": holds ", tensor.data().size(),
                     " bytes but shape ", ShapeString(actual), " of ",
                     DTypeName(spec.dtype()), " needs ", expected_bytes));
  }
  return absl::OkStatus();
}

absl::Status CheckFinite(const v1::Tensor& tensor, absl::string_view field) {
  int64_t bad = -1;
  if (tensor.dtype() == v1::DTYPE_FLOAT32) {
    bad = FirstNonFinite<float>(tensor.data());
  } else if (tensor.dtype() == v1::DTYPE_FLOAT64) {
    bad = FirstNonFinite<double>(tensor.data());
  }
  if (bad >= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": element ", bad, " is not finite (NaN or infinity)"));
  }
  return absl::OkStatus();
}

}  // namespace entropic
