#ifndef ENTROPIC_COMMON_DEMONSTRATIONS_H_
#define ENTROPIC_COMMON_DEMONSTRATIONS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "entropic/v1/replay.pb.h"
#include "entropic/v1/tensor.pb.h"

namespace entropic {

// Demonstrations files: an .npz of per-transition arrays (see
// docs/demonstrations.md), in episode order:
//   observations       [N, obs...]  float32 (float64 accepted)
//   actions            [N] int64 (int32, uint8 accepted) or [N, d] float32
//   rewards            [N]          float32 (float64 accepted)
//   next_observations  [N, obs...]  as observations; the final observation
//                                   at an episode's end
//   terminated         [N]          bool (uint8 accepted)
//   truncated          [N]          bool, optional: episode cut by a limit
// An episode ends after a step that is terminated or truncated, or where a
// step's next observation is not the following step's observation.

struct DemonstrationChunking {
  std::string job_id;
  std::string table = "demonstrations";
  std::string actor_id;
  // Episodes are cut into chunks of at most this many steps.
  int max_chunk_length = 1024;
};

struct Demonstrations {
  // Ready to insert (sequence numbers left for the writer).
  std::vector<v1::TrajectoryChunk> chunks;
  int64_t transitions = 0;
  int64_t episodes = 0;
};

// Converts the arrays of a demonstrations file into trajectory chunks.
// InvalidArgument naming `origin` and the array for a missing array, a dtype
// it cannot convert, or lengths that disagree.
absl::StatusOr<Demonstrations> DemonstrationsFromArrays(
    std::map<std::string, v1::Tensor> arrays, const std::string& origin,
    const DemonstrationChunking& chunking);

// Reads an .npz demonstrations file; errors as above and ReadNpz's.
absl::StatusOr<Demonstrations> LoadDemonstrations(
    const std::string& path, const DemonstrationChunking& chunking);

// LoadDemonstrations for the file a job spec names: errors start with the
// field, "replay.demonstrations.path: ".
absl::StatusOr<Demonstrations> LoadJobDemonstrations(
    const std::string& path, const DemonstrationChunking& chunking);

}  // namespace entropic

#endif  // ENTROPIC_COMMON_DEMONSTRATIONS_H_
