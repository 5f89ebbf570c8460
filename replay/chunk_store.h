#ifndef ENTROPIC_REPLAY_CHUNK_STORE_H_
#define ENTROPIC_REPLAY_CHUNK_STORE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "entropic/v1/replay.pb.h"
#include "replay/observation_rows.h"

namespace entropic {

// A sampled batch in the wire layout of SampleResponse (row-major bytes), so
// the service moves the bytes into the response without copying them again;
// large observation rows are not even copied once (ObservationRows).
struct SampledBatch {
  int batch_size = 0;
  int sequence_length = 0;            // 0: transitions
  ObservationRows observations;       // [B, obs] or [B, L + 1, obs]
  std::string actions;                // [B, act] or [B, L, act]
  std::string rewards;                // [B] or [B, L] float32
  ObservationRows next_observations;  // [B, obs] (transitions only)
  std::string terminated;             // [B] or [B, L] bool
  std::string truncated;              // [B, L] bool (sequences only)
  std::string discounts;              // [B] float32 (transitions only)
  std::string policy_versions;        // [B] int64
  std::string keys;                   // [B] int64
  std::string probabilities;          // [B] float64
  std::string weights;                // [B] float32
  // One per extra column the sample carries, in the order it asked for
  // them: [B, column] or [B, L, column]. Empty for tables without any.
  std::vector<std::string> extra_columns;
  int64_t table_size = 0;
  // The sampling table's handle for settling this batch's delivery
  // (Table::Settle); not carried over by Append.
  uint64_t delivery = 0;

  // Sizes every field for `batch_size` rows of the given shape, with one
  // extra column of `column_bytes[i]` bytes per step for each i; every
  // byte zero.
  void Allocate(int batch_size, int sequence_length, int64_t observation_bytes,
                int64_t action_bytes,
                absl::Span<const int64_t> column_bytes = {});
  // Appends `other`'s rows after this batch's (same shapes, same extra
  // columns).
  void Append(const SampledBatch& other);
};

// What a sample asks for besides its size.
struct SampleShape {
  int n_step = 1;           // transitions: steps summed
  double gamma = 1.0;       // transitions: discount of the n-step sum
  int sequence_length = 0;  // > 0: sequences of this many steps
  bool cross_episodes = false;
};

// The trajectory chunks of one table, each stored once: observations
// [n + 1] rows, actions, rewards and each extra column [n] rows. Transition
// keys are global and consecutive: the live ones are [first(), end()).
// Chunks of one (actor, env_index) stream are linked in order, so n-step
// transitions and sequences can run on into the next chunk.
//
// Not thread-safe: owned by a Table, used under its lock.
class ChunkStore {
 public:
  // One of the table's extra columns.
  struct Column {
    std::string name;
    int64_t step_bytes = 0;  // bytes of one step's value
    // Computed by the table from the chunk (the visit codes of its
    // observations) rather than carried by it: given to Append, gathered
    // like the others, never exported.
    bool derived = false;
  };

  // `columns`: the table's extra columns, in its order, then the derived
  // ones.
  ChunkStore(int64_t observation_bytes, int64_t action_bytes,
             std::vector<Column> columns = {});

  // Stores a (validated: every column of the table exactly once) chunk,
  // moving its bytes; returns its first key. `derived`: the values of the
  // derived columns, in their order, [n] steps each.
  int64_t Append(v1::TrajectoryChunk& chunk,
                 std::vector<std::string> derived = {});
  // Drops the oldest chunk; returns how many keys left with it.
  int64_t PopFront();

  int64_t first() const { return first_; }
  int64_t end() const { return end_; }
  int64_t size() const { return end_ - first_; }
  int64_t bytes() const { return bytes_; }
  size_t chunks() const { return chunks_.size() - head_; }
  // The key after the oldest chunk's last.
  int64_t FrontEnd() const {
    return chunks_[head_].first + chunks_[head_].length;
  }
  // Policy version of the oldest chunk.
  int64_t FrontPolicyVersion() const { return chunks_[head_].policy_version; }

  // Where a key lives: its chunk's index (0 = oldest) until the next
  // PopFront. Sampling locates a whole batch first and prefetches, so the
  // cache misses of a large table overlap instead of queueing one by one.
  size_t IndexOf(int64_t key) const;
  // Starts loading the chunk's bookkeeping into the cache.
  void PrefetchChunk(size_t index) const;
  // Starts loading the rows a transition at `key` reads (the chunk's
  // bookkeeping should be loaded by now).
  void PrefetchRows(size_t index, int64_t key) const;
  int64_t PolicyVersionAt(size_t index) const {
    return chunks_[head_ + index].policy_version;
  }

  // The stored chunk `index` (0 = oldest) as it was inserted, shaped by the
  // table's signature.
  v1::TrajectoryChunk Export(size_t index, const v1::TableConfig& config) const;

  class Frozen;
  // The chunks as they are now, sharing their data rather than copying it:
  // cheap enough to take under the table's lock, so a snapshot is written
  // to disk without holding up inserts and samples.
  Frozen Freeze() const;

  // The first key of the chunk written by `actor_id` with `sequence`, if it
  // is still stored.
  std::optional<int64_t> FindChunk(const std::string& actor_id,
                                   uint64_t sequence) const;
  struct Identity {
    std::string actor_id;
    uint64_t sequence = 0;
    int64_t first = 0;  // the chunk's first key
  };
  // Who wrote the chunk holding `key`.
  Identity ChunkIdentity(int64_t key) const;

  // Writes row `row` of `batch` for the item starting at `key`. Returns false
  // when a sequence of that length does not fit from there (the episode ends
  // first and `cross_episodes` is false, or later data is not stored yet).
  // `columns[i]` is the stored extra column that fills the batch's extra
  // column i, or -1 to leave it as it is (zeros); a transition takes the
  // value at its first step, a sequence every step's.
  bool Gather(int64_t key, const SampleShape& shape,
              absl::Span<const int> columns, int row,
              SampledBatch& batch) const {
    return Gather(IndexOf(key), key, shape, columns, row, batch);
  }
  // The same, for a key whose chunk index is known.
  bool Gather(size_t index, int64_t key, const SampleShape& shape,
              absl::Span<const int> columns, int row,
              SampledBatch& batch) const;

 private:
  // A chunk's tensor data, never changed once stored; shared with frozen
  // copies being written to a snapshot.
  struct ChunkData {
    std::string observations;
    std::string actions;
    std::string rewards;
    std::vector<std::string> columns;  // extra columns, in the table's order
  };
  struct StoredChunk {
    int64_t first = 0;  // key of its first transition
    int32_t length = 0;
    bool terminated = false;
    bool truncated = false;
    uint64_t episode_id = 0;
    int64_t policy_version = 0;
    int64_t next = -1;  // first key of the stream's next chunk, if stored
    // Identity, for exports and de-duplication after a recovery.
    std::string actor_id;
    uint64_t sequence = 0;
    uint32_t env_index = 0;
    int64_t start_step = 0;
    // Views of `data`, so sampling reads rows without another indirection.
    std::shared_ptr<const ChunkData> data;
    std::string_view observations;
    std::string_view actions;
    std::string_view rewards;
  };
  static v1::TrajectoryChunk ExportChunk(const StoredChunk& stored,
                                         const v1::TableConfig& config);
  // Bytes of the chunk's tensor data.
  int64_t DataBytes(const StoredChunk& chunk) const;

  const StoredChunk& ChunkOf(int64_t key) const {
    return chunks_[head_ + IndexOf(key)];
  }
  // The stream's chunk after `chunk`, or null if not (or no longer) stored.
  const StoredChunk* Next(const StoredChunk& chunk) const;
  float Reward(const StoredChunk& chunk, int step) const;
  void GatherTransition(const StoredChunk& chunk, int step,
                        const SampleShape& shape, absl::Span<const int> columns,
                        int row, SampledBatch& batch) const;
  bool GatherSequence(const StoredChunk& chunk, int step,
                      const SampleShape& shape, absl::Span<const int> columns,
                      int row, SampledBatch& batch) const;
  // Copies step `step` of `chunk`'s extra columns into cell `cell` of the
  // batch's, as `columns` maps them.
  void GatherColumns(const StoredChunk& chunk, int step,
                     absl::Span<const int> columns, int64_t cell,
                     SampledBatch& batch) const;

  const int64_t observation_bytes_;
  const int64_t action_bytes_;
  const std::vector<Column> columns_;
  // The live chunks are chunks_[head_...], oldest first; evicted ones
  // before head_ are emptied at once and erased once they are half of the
  // vector (amortised O(1)). A vector rather than a deque: sampling finds a
  // chunk's address without first loading the deque's block map.
  std::vector<StoredChunk> chunks_;
  // first_keys_[i] is chunks_[i].first: a contiguous copy, so finding a
  // key's chunk touches a few cache lines rather than a few chunks.
  std::vector<int64_t> first_keys_;
  size_t head_ = 0;
  int64_t first_ = 0;
  int64_t end_ = 0;
  int64_t bytes_ = 0;
  // Last chunk of each (actor, env_index) stream, by its first key.
  absl::flat_hash_map<std::string, int64_t> stream_tails_;
};

class ChunkStore::Frozen {
 public:
  size_t chunks() const { return chunks_.size(); }
  // As ChunkStore::Export.
  v1::TrajectoryChunk Export(size_t index,
                             const v1::TableConfig& config) const {
    return ExportChunk(chunks_[index], config);
  }

 private:
  friend class ChunkStore;
  std::vector<StoredChunk> chunks_;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_CHUNK_STORE_H_
