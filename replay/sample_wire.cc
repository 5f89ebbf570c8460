#include "replay/sample_wire.h"

#include <grpcpp/support/slice.h>

#include <string>
#include <vector>

namespace entropic {
namespace {

constexpr int kLengthDelimited = 2;  // protobuf wire type of messages, bytes

void AppendVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void AppendTag(int field, std::string& out) {
  AppendVarint((static_cast<uint64_t>(field) << 3) | kLengthDelimited, out);
}

// A slice that owns `data` and frees it when gRPC is done sending it.
grpc::Slice OwningSlice(std::string data) {
  auto* owned = new std::string(std::move(data));
  return grpc::Slice(
      owned->data(), owned->size(),
      [](void* string) { delete static_cast<std::string*>(string); }, owned);
}

// The encoding of `SampleResponse.<field> = Tensor{data: <data>}` up to the
// data itself: the field's tag and length, the data field's tag and length.
std::string TensorDataHeader(int field, size_t data_bytes) {
  std::string data_header;
  AppendTag(v1::Tensor::kDataFieldNumber, data_header);
  AppendVarint(data_bytes, data_header);
  std::string header;
  AppendTag(field, header);
  AppendVarint(data_header.size() + data_bytes, header);
  return header + data_header;
}

}  // namespace

grpc::ByteBuffer SerializeSampleResponse(v1::SampleResponse response) {
  std::string observations =
      std::move(*response.mutable_observations()->mutable_data());
  response.mutable_observations()->clear_data();
  std::string next_observations;
  if (response.has_next_observations()) {
    next_observations =
        std::move(*response.mutable_next_observations()->mutable_data());
    response.mutable_next_observations()->clear_data();
  }
  std::vector<grpc::Slice> slices;
  slices.push_back(OwningSlice(response.SerializeAsString()));
  auto append = [&slices](int field, std::string data) {
    if (data.empty()) return;
    slices.push_back(OwningSlice(TensorDataHeader(field, data.size())));
    slices.push_back(OwningSlice(std::move(data)));
  };
  append(v1::SampleResponse::kObservationsFieldNumber, std::move(observations));
  append(v1::SampleResponse::kNextObservationsFieldNumber,
         std::move(next_observations));
  return grpc::ByteBuffer(slices.data(), slices.size());
}

}  // namespace entropic
