#ifndef ENTROPIC_COMMON_TENSOR_H_
#define ENTROPIC_COMMON_TENSOR_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "entropic/v1/tensor.pb.h"

namespace entropic {

// Helpers for the wire tensor (entropic.v1.Tensor): typed arrays as shape,
// dtype and little-endian bytes. No LibTorch: replay stores these as they are.

// Bytes per element; 0 for DTYPE_UNSPECIFIED or an unknown value.
size_t DTypeSize(v1::DType dtype);

// "float32", "int64", ...
std::string DTypeName(v1::DType dtype);

// A proto shape field as a span.
inline absl::Span<const int64_t> ShapeOf(
    const google::protobuf::RepeatedField<int64_t>& shape) {
  return absl::MakeConstSpan(shape.data(), shape.size());
}

// Product of the shape (1 for a scalar); -1 if a dimension is negative or
// the product does not fit in int64.
int64_t NumElements(absl::Span<const int64_t> shape);

// Bytes of a tensor of this shape and dtype; -1 if a dimension is negative
// or the size does not fit in int64 (shapes from the wire can be anything).
int64_t TensorBytes(absl::Span<const int64_t> shape, v1::DType dtype);

// "[3, 4]".
std::string ShapeString(absl::Span<const int64_t> shape);

// Checks that `tensor` has the dtype of `spec` and the shape
// `leading_dims` + spec.shape, and that its byte size matches. On mismatch
// returns InvalidArgument naming `field` and both shapes or dtypes.
absl::Status CheckTensor(const v1::Tensor& tensor, const v1::TensorSpec& spec,
                         absl::Span<const int64_t> leading_dims,
                         absl::string_view field);

// Checks that a float tensor holds no NaN or infinity; other dtypes pass.
// The error names `field` and the first bad element's flat index.
absl::Status CheckFinite(const v1::Tensor& tensor, absl::string_view field);

template <typename T>
constexpr v1::DType DTypeOf();
template <>
constexpr v1::DType DTypeOf<float>() {
  return v1::DTYPE_FLOAT32;
}
template <>
constexpr v1::DType DTypeOf<double>() {
  return v1::DTYPE_FLOAT64;
}
template <>
constexpr v1::DType DTypeOf<int32_t>() {
  return v1::DTYPE_INT32;
}
template <>
constexpr v1::DType DTypeOf<int64_t>() {
  return v1::DTYPE_INT64;
}
template <>
constexpr v1::DType DTypeOf<uint8_t>() {
  return v1::DTYPE_UINT8;
}
template <>
constexpr v1::DType DTypeOf<bool>() {
  return v1::DTYPE_BOOL;
}

// A tensor holding a copy of `values` with the given shape.
template <typename T>
v1::Tensor MakeTensor(absl::Span<const T> values,
                      const std::vector<int64_t>& shape) {
  v1::Tensor tensor;
  tensor.set_dtype(DTypeOf<T>());
  for (int64_t dim : shape) tensor.add_shape(dim);
  tensor.mutable_data()->assign(reinterpret_cast<const char*>(values.data()),
                                values.size() * sizeof(T));
  return tensor;
}

// The elements of a tensor of dtype DTypeOf<T>(), copied out (the bytes of a
// protobuf string carry no alignment guarantee).
template <typename T>
std::vector<T> TensorValues(const v1::Tensor& tensor) {
  std::vector<T> values(tensor.data().size() / sizeof(T));
  std::memcpy(values.data(), tensor.data().data(), values.size() * sizeof(T));
  return values;
}

}  // namespace entropic

#endif  // ENTROPIC_COMMON_TENSOR_H_
