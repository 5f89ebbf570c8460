#include "actor/adders/upload.h"

#include "actor/adders/replay_writer_metrics.h"
#include "actor/adders/replay_writer.h"
#include "common/status_macros.h"
#include "prometheus/registry.h"

namespace entropic {

absl::Status UploadChunks(const std::string& replay_address,
                          const ClientSecurity& security,
                          const std::string& writer_id,
                          std::vector<v1::TrajectoryChunk> chunks,
                          absl::Time deadline) {
  if (replay_address.empty()) {
    return absl::InvalidArgumentError(
        "replay address: unknown; name the replay service (host:port)");
  }
  // The writer's counters only matter to this upload.
  prometheus::Registry registry;
  ReplayWriterMetrics metrics(registry);
  ReplayWriter::Options options;
  options.address = replay_address;
  options.security = security;
  ReplayWriter writer(options, &metrics);
  for (v1::TrajectoryChunk& chunk : chunks) {
    chunk.set_actor_id(writer_id);
    RETURN_IF_ERROR(writer.Write(std::move(chunk), deadline));
  }
  return writer.Flush(deadline);
}

}  // namespace entropic
