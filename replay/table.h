#ifndef ENTROPIC_REPLAY_TABLE_H_
#define ENTROPIC_REPLAY_TABLE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "entropic/v1/replay.pb.h"
#include "replay/rate_limiter.h"
#include "replay/replay_metrics.h"

namespace entropic {

// What an insert did.
struct InsertResult {
  uint64_t sequence = 0;
  // The (actor, sequence) had been stored before; nothing was stored again.
  bool duplicate = false;
};

// A sampled batch of transitions in the wire layout of SampleResponse, so the
// service moves the bytes into the response without copying them again.
struct SampledBatch {
  int batch_size = 0;
  std::string observations;       // [B, obs...]
  std::string actions;            // [B, action...]
  std::string rewards;            // [B] float32
  std::string next_observations;  // [B, obs...]
  std::string terminated;         // [B] bool
  std::string policy_versions;    // [B] int64
  int64_t table_size = 0;
};

// Set to true by the owner of an operation (an RPC that was cancelled) to
// make a waiting insert or sample end with Cancelled; then call Table::Wake.
using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// One replay table: trajectory chunks of one job, stored once each, sampled
// uniformly as transitions (s, a, r, s', terminated), evicted oldest first
// beyond `capacity` transitions, and kept in balance by a RateLimiter.
//
// Thread-safe. Operations the rate limiter allows run at once on the caller's
// thread; the others wait on the table's own worker thread, never on the
// caller's, and complete there. Completion callbacks run without the table's
// lock held, exactly once per operation.
class Table {
 public:
  using InsertDone = absl::AnyInvocable<void(absl::StatusOr<InsertResult>)>;
  using SampleDone = absl::AnyInvocable<void(absl::StatusOr<SampledBatch>)>;

  // Checks the configuration (InvalidArgument naming the field) and starts
  // the worker. `metrics` must outlive the table.
  static absl::StatusOr<std::unique_ptr<Table>> Create(
      std::string job_id, const v1::TableConfig& config, TableMetrics* metrics,
      uint64_t seed = 0);

  // Closes the table and joins its worker.
  ~Table();

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  const v1::TableConfig& config() const { return config_; }
  const std::string& job_id() const { return job_id_; }

  // Checks a chunk against the table's signature: dtypes, shapes, lengths,
  // finite values. Returns InvalidArgument naming the field.
  absl::Status Validate(const v1::TrajectoryChunk& chunk) const;

  // Stores `chunk` once the rate limiter lets it in and calls `done` with
  // the result. A malformed chunk is refused at once with InvalidArgument and
  // changes nothing. Ends with DeadlineExceeded at `deadline`, Cancelled
  // when `cancel` is set or the table closes.
  void InsertAsync(v1::TrajectoryChunk chunk, absl::Time deadline,
                   CancelFlag cancel, InsertDone done);

  // Samples `batch_size` transitions uniformly once the table holds
  // min_size_to_sample transitions and the rate limiter allows, and calls
  // `done` with them. Same deadline and cancellation rules as InsertAsync.
  void SampleAsync(int batch_size, absl::Time deadline, CancelFlag cancel,
                   SampleDone done);

  // Blocking forms of the above for in-process callers and tests.
  absl::StatusOr<InsertResult> Insert(v1::TrajectoryChunk chunk,
                                      absl::Time deadline);
  absl::StatusOr<SampledBatch> Sample(int batch_size, absl::Time deadline);

  // Makes the worker look at cancel flags again.
  void Wake();

  // Ends every waiting and later operation with Cancelled. Idempotent.
  void Close();

  v1::TableInfo Info() const;

 private:
  // A chunk as stored: its bytes moved out of the request, held once.
  struct StoredChunk {
    int64_t first_transition = 0;  // global index of its first transition
    int32_t length = 0;
    bool terminated = false;
    int64_t policy_version = 0;
    std::string observations;  // length + 1 rows
    std::string actions;       // length rows
    std::string rewards;       // length float32
  };

  struct PendingInsert {
    v1::TrajectoryChunk chunk;
    absl::Time enqueued;
    absl::Time deadline;
    CancelFlag cancel;
    InsertDone done;
  };

  struct PendingSample {
    int batch_size;
    absl::Time enqueued;
    absl::Time deadline;
    CancelFlag cancel;
    SampleDone done;
  };

  Table(std::string job_id, const v1::TableConfig& config,
        TableMetrics* metrics, uint64_t seed);

  bool InsertReadyLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool SampleReadyLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool WorkerHasWorkLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Time NextDeadlineLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  InsertResult StoreLocked(v1::TrajectoryChunk chunk)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  SampledBatch SampleLocked(int batch_size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const StoredChunk& ChunkOfTransitionLocked(int64_t index) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  void WorkerLoop();

  const std::string job_id_;
  const v1::TableConfig config_;
  TableMetrics* const metrics_;
  const int64_t observation_bytes_;  // bytes of one observation
  const int64_t action_bytes_;       // bytes of one action

  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t wake_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<StoredChunk> chunks_ ABSL_GUARDED_BY(mu_);
  int64_t size_ ABSL_GUARDED_BY(mu_) = 0;  // transitions held
  int64_t next_transition_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, uint64_t> last_sequence_
      ABSL_GUARDED_BY(mu_);
  RateLimiter limiter_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  std::deque<PendingInsert> pending_inserts_ ABSL_GUARDED_BY(mu_);
  std::deque<PendingSample> pending_samples_ ABSL_GUARDED_BY(mu_);

  std::thread worker_;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_TABLE_H_
