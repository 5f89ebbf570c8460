#ifndef ENTROPIC_ACTOR_ADDERS_UPLOAD_H_
#define ENTROPIC_ACTOR_ADDERS_UPLOAD_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/security.h"
#include "entropic/v1/replay.pb.h"

namespace entropic {

// Streams `chunks` (e.g. demonstrations read from a file) to the replay
// service at `replay_address` (with `security`) as writer `writer_id`, and
// waits until every chunk is acknowledged. Resends after reconnects like an
// actor does. Returns replay's refusal (INVALID_ARGUMENT naming the problem),
// or DeadlineExceeded if not all were acknowledged by `deadline`.
absl::Status UploadChunks(const std::string& replay_address,
                          const ClientSecurity& security,
                          const std::string& writer_id,
                          std::vector<v1::TrajectoryChunk> chunks,
                          absl::Time deadline);

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_ADDERS_UPLOAD_H_
