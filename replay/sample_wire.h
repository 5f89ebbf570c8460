#ifndef ENTROPIC_REPLAY_SAMPLE_WIRE_H_
#define ENTROPIC_REPLAY_SAMPLE_WIRE_H_

#include <grpcpp/support/byte_buffer.h>

#include "entropic/v1/replay.pb.h"

namespace entropic {

// Serializes a sample response for the wire without copying its
// observations: protobuf would copy every byte once more into gRPC's buffer,
// which for Atari-sized batches is a copy of megabytes per batch. The
// observation and next-observation data travel as slices that own their
// strings; everything else is serialized as usual. The bytes parse as the
// same SampleResponse (protobuf merges a repeated embedded message into the
// first occurrence).
grpc::ByteBuffer SerializeSampleResponse(v1::SampleResponse response);

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_SAMPLE_WIRE_H_
