#include "replay/sample_wire.h"

#include <grpcpp/impl/codegen/proto_utils.h>

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

TEST(SampleWireTest, ParsesBackToTheSameResponse) {
  v1::SampleResponse response;
  std::vector<uint8_t> frames(3 * 5 * 5);
  for (size_t i = 0; i < frames.size(); ++i) frames[i] = i % 251;
  *response.mutable_observations() = MakeTensor<uint8_t>(frames, {3, 5, 5});
  for (uint8_t& value : frames) value = 255 - value;
  *response.mutable_next_observations() =
      MakeTensor<uint8_t>(frames, {3, 5, 5});
  *response.mutable_actions() = MakeTensor<int64_t>({0, 1, 2}, {3});
  *response.mutable_rewards() = MakeTensor<float>({0.5f, -1, 2}, {3});
  response.add_source_tables("agent");
  response.set_table_size(1234);
  const v1::SampleResponse expected = response;

  grpc::ByteBuffer bytes = SerializeSampleResponse(response);
  // The observations travel as slices of their own.
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(bytes.Dump(&slices).ok());
  EXPECT_EQ(slices.size(), 5u);
  EXPECT_EQ(Parse(bytes).SerializeAsString(), expected.SerializeAsString());
}

TEST(SampleWireTest, SequencesWithoutNextObservationsParseBack) {
  v1::SampleResponse response;
  *response.mutable_observations() =
      MakeTensor<float>({1, 2, 3, 4, 5, 6}, {1, 3, 2});
  *response.mutable_truncated() = MakeTensor<bool>({false, true}, {1, 2});
  const v1::SampleResponse expected = response;
  grpc::ByteBuffer bytes = SerializeSampleResponse(response);
  const v1::SampleResponse parsed = Parse(bytes);
  EXPECT_FALSE(parsed.has_next_observations());
  EXPECT_EQ(parsed.SerializeAsString(), expected.SerializeAsString());
}

}  // namespace
}  // namespace entropic
