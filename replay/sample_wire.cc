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

// A slice of `bytes` at `data`, which `owner` keeps alive until gRPC is done
// sending it.
grpc::Slice SharingSlice(const char* data, int64_t bytes,
                         const std::shared_ptr<const void>& owner) {
  auto* share = new std::shared_ptr<const void>(owner);
  return grpc::Slice(
      const_cast<char*>(data), static_cast<size_t>(bytes),
      [](void* share) {
        delete static_cast<std::shared_ptr<const void>*>(share);
      },
      share);
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

v1::SampleResponse SampleAnswer::TakeResponse() && {
  response.mutable_observations()->set_data(
      std::move(observations).TakeBytes());
  if (response.has_next_observations()) {
    response.mutable_next_observations()->set_data(
        std::move(next_observations).TakeBytes());
  }
  return std::move(response);
}

grpc::ByteBuffer SerializeSampleAnswer(SampleAnswer answer) {
  std::vector<grpc::Slice> slices;
  slices.push_back(OwningSlice(answer.response.SerializeAsString()));
  auto append = [&slices](int field, ObservationRows rows) {
    if (rows.bytes() == 0) return;
    slices.push_back(OwningSlice(TensorDataHeader(field, rows.bytes())));
    if (!rows.by_reference()) {
      slices.push_back(OwningSlice(std::move(rows).TakeBytes()));
      return;
    }
    for (const ObservationRows::Reference& row : rows.references()) {
      slices.push_back(SharingSlice(row.data, rows.row_bytes(), row.owner));
    }
  };
  append(v1::SampleResponse::kObservationsFieldNumber,
         std::move(answer.observations));
  append(v1::SampleResponse::kNextObservationsFieldNumber,
         std::move(answer.next_observations));
  return grpc::ByteBuffer(slices.data(), slices.size());
}

}  // namespace entropic
