#ifndef ENTROPIC_COMMON_MESSAGE_SIZE_H_
#define ENTROPIC_COMMON_MESSAGE_SIZE_H_

#include <cstdint>

namespace entropic {

// The largest gRPC message any Entropic rpc carries, either way: the default
// of every server's limit (LearnerServer, ReplayServer, entropic-replay
// --max_message_mb, which may lower it but not raise it) and the limit of
// every channel CreateEntropicChannel makes, so a client accepts whatever a
// server may send. Job specs whose weights or sampled batches would not fit
// are refused at submission (ValidateJobSpec).
inline constexpr int kMaxMessageBytes = 64 << 20;

// What a message may hold besides its tensors' bytes (tags, names, shapes,
// scalars). Replay keeps this much of kMaxMessageBytes free when it sizes a
// sample's answer, and job specs are checked the same way.
inline constexpr int64_t kMessageOverheadBytes = 64 << 10;

}  // namespace entropic

#endif  // ENTROPIC_COMMON_MESSAGE_SIZE_H_
