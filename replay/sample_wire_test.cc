#include "replay/sample_wire.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <memory>
#include <string>
#include <vector>

#include "common/tensor.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

v1::SampleResponse Parse(grpc::ByteBuffer& bytes) {
  v1::SampleResponse parsed;
  EXPECT_TRUE(grpc::SerializationTraits<v1::SampleResponse>::Deserialize(
                  &bytes, &parsed)
                  .ok());
  return parsed;
}

// An answer of 3 transitions whose observation rows are `row_bytes` long,
// row i of observations filled with i and of next observations with 10 + i,
// each row held by a buffer of its own that only the rows keep alive.
SampleAnswer MakeAnswer(int64_t row_bytes) {
  SampleAnswer answer;
  answer.observations.Allocate(3, row_bytes);
  answer.next_observations.Allocate(3, row_bytes);
  for (int i = 0; i < 3; ++i) {
    for (auto [rows, fill] : {std::pair{&answer.observations, i},
                              std::pair{&answer.next_observations, 10 + i}}) {
      auto buffer = std::make_shared<std::string>(row_bytes, char(fill));
      rows->Put(i, buffer->data(), buffer);
    }
  }
  v1::Tensor* observations = answer.response.mutable_observations();
  observations->set_dtype(v1::DTYPE_UINT8);
  observations->add_shape(3);
  observations->add_shape(row_bytes);
  *answer.response.mutable_next_observations() = *observations;
  *answer.response.mutable_actions() = MakeTensor<int64_t>({0, 1, 2}, {3});
  *answer.response.mutable_rewards() = MakeTensor<float>({0.5f, -1, 2}, {3});
  answer.response.add_source_tables("agent");
  answer.response.set_table_size(1234);
  v1::NamedTensor* log_prob = answer.response.add_extra_columns();
  log_prob->set_name("behaviour_log_prob");
  *log_prob->mutable_tensor() = MakeTensor<float>({-0.5f, -1, -2}, {3});
  return answer;
}

void ExpectSameAsCopied(int64_t row_bytes, size_t expected_slices) {
  const v1::SampleResponse expected = MakeAnswer(row_bytes).TakeResponse();
  ASSERT_EQ(expected.observations().data().size(), 3u * row_bytes);
  EXPECT_EQ(expected.next_observations().data()[2 * row_bytes], char(12));

  grpc::ByteBuffer bytes = SerializeSampleAnswer(MakeAnswer(row_bytes));
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(bytes.Dump(&slices).ok());
  EXPECT_EQ(slices.size(), expected_slices);
  const v1::SampleResponse parsed = Parse(bytes);
  EXPECT_EQ(parsed.SerializeAsString(), expected.SerializeAsString());
  // Extra columns travel inside the response, as they were.
  ASSERT_EQ(parsed.extra_columns_size(), 1);
  EXPECT_EQ(parsed.extra_columns(0).name(), "behaviour_log_prob");
  EXPECT_EQ(TensorValues<float>(parsed.extra_columns(0).tensor()),
            (std::vector<float>{-0.5f, -1, -2}));
}

TEST(SampleWireTest, SmallRowsTravelAsOneSliceAndParseBack) {
  // The response, then a header and one slice per observation field.
  ExpectSameAsCopied(16, 5);
}

TEST(SampleWireTest, LargeRowsAreSentFromWhereTheyAreStoredAndParseBack) {
  // The response, then a header and a slice per row for each field; the
  // rows' buffers live on only through the slices.
  ExpectSameAsCopied(ObservationRows::kReferenceRowBytes, 1 + 2 * (1 + 3));
}

TEST(SampleWireTest, SequencesWithoutNextObservationsParseBack) {
  SampleAnswer answer;
  answer.observations.Allocate(3, 8);
  const std::vector<float> values = {1, 2, 3, 4, 5, 6};
  for (int i = 0; i < 3; ++i) {
    answer.observations.Put(i, reinterpret_cast<const char*>(&values[2 * i]),
                            nullptr);
  }
  *answer.response.mutable_observations() = MakeTensor<float>({}, {1, 3, 2});
  *answer.response.mutable_truncated() =
      MakeTensor<bool>({false, true}, {1, 2});
  v1::SampleResponse expected = answer.response;
  *expected.mutable_observations() = MakeTensor<float>(values, {1, 3, 2});
  grpc::ByteBuffer bytes = SerializeSampleAnswer(std::move(answer));
  const v1::SampleResponse parsed = Parse(bytes);
  EXPECT_FALSE(parsed.has_next_observations());
  EXPECT_EQ(parsed.SerializeAsString(), expected.SerializeAsString());
}

}  // namespace
}  // namespace entropic
