// .npz bytes -> arrays (common/npz.h), and arrays -> demonstration chunks
// (common/demonstrations.h), as a demonstrations upload or a job's
// demonstrations file goes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/demonstrations.h"
#include "common/npz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  auto arrays = entropic::ParseNpz(bytes, "fuzz.npz");
  if (!arrays.ok()) return 0;
  entropic::DemonstrationChunking chunking;
  chunking.job_id = "job";
  chunking.actor_id = "fuzz";
  chunking.max_chunk_length = 16;
  (void)entropic::DemonstrationsFromArrays(*std::move(arrays), "fuzz.npz",
                                           chunking);
  return 0;
}
