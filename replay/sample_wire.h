#ifndef ENTROPIC_REPLAY_SAMPLE_WIRE_H_
#define ENTROPIC_REPLAY_SAMPLE_WIRE_H_

#include <grpcpp/support/byte_buffer.h>

#include "entropic/v1/replay.pb.h"
#include "replay/observation_rows.h"

namespace entropic {

// A sample's answer with its observation rows kept apart from the response
// (which carries their dtype and shape but no data).
struct SampleAnswer {
  v1::SampleResponse response;
  ObservationRows observations;
  ObservationRows next_observations;  // empty for sequences

  // The whole response, rows copied in: for the unary Sample rpc.
  v1::SampleResponse TakeResponse() &&;
};

// Serializes an answer for the wire without copying its observations:
// protobuf would copy every byte once more into gRPC's buffer, megabytes per
// Atari-sized batch. Copied rows travel as one slice that owns them,
// referenced rows as one slice per row that shares ownership of the stored
// chunk; everything else (extra columns too) is serialized as usual. The
// bytes parse as the full SampleResponse (protobuf merges a repeated
// embedded message into the first occurrence).
grpc::ByteBuffer SerializeSampleAnswer(SampleAnswer answer);

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_SAMPLE_WIRE_H_
