#include "common/tensor.h"

#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

using ::testing::HasSubstr;

v1::TensorSpec FloatSpec(std::vector<int64_t> shape) {
  v1::TensorSpec spec;
  spec.set_dtype(v1::DTYPE_FLOAT32);
  for (int64_t dim : shape) spec.add_shape(dim);
  return spec;
}

TEST(TensorTest, MakeTensorRoundTrips) {
  const std::vector<float> values = {1.5f, -2.0f, 3.25f, 4.0f, 5.0f, 6.0f};
  const v1::Tensor tensor = MakeTensor<float>(values, {2, 3});
  EXPECT_EQ(tensor.dtype(), v1::DTYPE_FLOAT32);
  EXPECT_EQ(tensor.data().size(), 24u);
  EXPECT_EQ(TensorValues<float>(tensor), values);
}

TEST(TensorTest, CheckTensorAcceptsMatchingShape) {
  const std::vector<float> values(12, 0.0f);
  EXPECT_TRUE(
      CheckTensor(MakeTensor<float>(values, {3, 4}), FloatSpec({4}), {3}, "x")
          .ok());
}

TEST(TensorTest, CheckTensorNamesFieldOnShapeMismatch) {
  const std::vector<float> values(12, 0.0f);
  const absl::Status status = CheckTensor(MakeTensor<float>(values, {4, 3}),
                                          FloatSpec({4}), {3}, "chunk.obs");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("chunk.obs"));
  EXPECT_THAT(status.message(), HasSubstr("[4, 3]"));
  EXPECT_THAT(status.message(), HasSubstr("[3, 4]"));
}

TEST(TensorTest, CheckTensorRefusesWrongDtype) {
  const std::vector<double> values(4, 0.0);
  const absl::Status status = CheckTensor(MakeTensor<double>(values, {1, 4}),
                                          FloatSpec({4}), {1}, "obs");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("float64"));
}

TEST(TensorTest, CheckTensorRefusesShortData) {
  v1::Tensor tensor = MakeTensor<float>(std::vector<float>(4, 0.0f), {1, 4});
  tensor.mutable_data()->resize(8);
  const absl::Status status = CheckTensor(tensor, FloatSpec({4}), {1}, "obs");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("bytes"));
}

TEST(TensorTest, SizesThatOverflowAreMinusOne) {
  // Found by tests/fuzz/table_config_fuzz: shapes from the wire multiplied
  // past int64 (undefined behaviour, and a wrapped size could match).
  EXPECT_EQ(NumElements({2, 3, 4}), 24);
  EXPECT_EQ(NumElements({}), 1);
  EXPECT_EQ(NumElements({int64_t{1} << 62, 72}), -1);
  EXPECT_EQ(NumElements({4, -1}), -1);
  EXPECT_EQ(TensorBytes({3, 4}, v1::DTYPE_FLOAT64), 96);
  EXPECT_EQ(TensorBytes({int64_t{1} << 61, 2}, v1::DTYPE_FLOAT32), -1);
  EXPECT_EQ(TensorBytes({int64_t{1} << 32, int64_t{1} << 32}, v1::DTYPE_UINT8),
            -1);
}

TEST(TensorTest, CheckTensorRefusesShapesTooLargeToHold) {
  // 2^32 x 2^32 elements would wrap to 0 bytes: empty data must not match.
  v1::Tensor tensor;
  tensor.set_dtype(v1::DTYPE_FLOAT32);
  tensor.add_shape(1);
  tensor.add_shape(int64_t{1} << 32);
  tensor.add_shape(int64_t{1} << 32);
  const absl::Status status = CheckTensor(
      tensor, FloatSpec({int64_t{1} << 32, int64_t{1} << 32}), {1}, "obs");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("too large"));
}

TEST(TensorTest, CheckFiniteFindsNaN) {
  std::vector<float> values = {0.0f, 1.0f,
                               std::numeric_limits<float>::quiet_NaN()};
  const absl::Status status =
      CheckFinite(MakeTensor<float>(values, {3}), "chunk.rewards");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("chunk.rewards"));
  EXPECT_THAT(status.message(), HasSubstr("element 2"));
  values[2] = 2.0f;
  EXPECT_TRUE(CheckFinite(MakeTensor<float>(values, {3}), "x").ok());
}

}  // namespace
}  // namespace entropic
