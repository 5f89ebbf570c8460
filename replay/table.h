#ifndef ENTROPIC_REPLAY_TABLE_H_
#define ENTROPIC_REPLAY_TABLE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "entropic/v1/replay.pb.h"
#include "replay/chunk_store.h"
#include "replay/durability/durability.h"
#include "replay/durability/write_ahead_log.h"
#include "replay/rate_limiter.h"
#include "replay/replay_metrics.h"
#include "replay/selectors/interface.h"
#include "replay/visit_counts.h"

namespace entropic {

// What an insert did.
struct InsertResult {
  uint64_t sequence = 0;
  // The (actor, sequence) had been stored before; nothing was stored again.
  bool duplicate = false;
};

// What one sample asks a table for.
struct SampleOptions {
  int batch_size = 1;
  SampleShape shape;
  // PRIORITIZED: beta of the importance weights; <= 0 takes the table's.
  double importance_exponent = 0;
  // The extra columns the batch carries, in this order; unset: the table's
  // own (Table::sample_columns). One the table does not have with the same
  // name and spec comes back as zeros: how items of a demonstrations table
  // join a batch shaped by another table's columns.
  std::optional<std::vector<v1::ColumnSpec>> columns;
};

// Set to true by the owner of an operation (an RPC that was cancelled) to
// make a waiting insert or sample end with Cancelled; then call Table::Wake.
using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// One replay table: trajectory chunks of one job (ChunkStore), drawn by the
// table's sampler (uniform, prioritized or FIFO) as transitions, n-step
// transitions or sequences, evicted oldest first beyond its capacity in
// transitions or bytes, and kept in balance by a RateLimiter.
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
  // the worker. `metrics`, and `log` if given, must outlive the table. With
  // a log, inserts are acknowledged once the log holds them durably, and
  // FIFO consumption is logged.
  static absl::StatusOr<std::unique_ptr<Table>> Create(
      std::string job_id, const v1::TableConfig& config, TableMetrics* metrics,
      uint64_t seed = 0, WriteAheadLog* log = nullptr);

  // Closes the table and joins its worker.
  ~Table();

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  const v1::TableConfig& config() const { return config_; }
  const std::string& job_id() const { return job_id_; }
  // The extra columns a sample of the table carries, in order: its
  // extra_columns, then the visit count column (int64 []) if it counts
  // visits.
  const std::vector<v1::ColumnSpec>& sample_columns() const {
    return sample_columns_;
  }

  // Checks a chunk against the table's signature and limits: dtypes,
  // shapes, lengths, bytes, finite values, every extra column exactly once.
  // InvalidArgument naming the field.
  absl::Status Validate(const v1::TrajectoryChunk& chunk) const;

  // Checks sample options; InvalidArgument naming the field.
  static absl::Status ValidateSample(const SampleOptions& options);

  // Bytes of tensor data a sample of `options` from this table returns
  // (extra columns included), computed in 64 bits (saturating at
  // INT64_MAX): the bound a server checks against its message limit before
  // sampling.
  int64_t SampleBytes(const SampleOptions& options) const;

  // The most bytes one sample may take here, whoever asks: protobuf
  // messages cannot exceed 2 GiB.
  static constexpr int64_t kMaxSampleBytes = (int64_t{1} << 31) - 1;

  // Stores `chunk` once the rate limiter lets it in and calls `done` with
  // the result. A malformed chunk is refused at once with InvalidArgument and
  // changes nothing. Ends with DeadlineExceeded at `deadline`, Cancelled
  // when `cancel` is set or the table closes.
  void InsertAsync(v1::TrajectoryChunk chunk, absl::Time deadline,
                   CancelFlag cancel, InsertDone done);

  // Samples once the table holds min_size_to_sample transitions and the rate
  // limiter allows, and calls `done`. Importance weights in the batch are
  // (N P(i))^-beta, not yet normalised. FailedPrecondition if no item fits
  // the request (e.g. sequences longer than the stored episodes). Same
  // deadline and cancellation rules as InsertAsync. ResourceExhausted, before
  // anything changes, for a sample over kMaxSampleBytes.
  //
  // Every batch handed out must be settled once with Settle(batch.delivery,
  // delivered): until then its FIFO items are neither served again nor
  // consumed for good.
  void SampleAsync(const SampleOptions& options, absl::Time deadline,
                   CancelFlag cancel, SampleDone done);

  // Settles a sampled batch. Delivered: a FIFO table's items are consumed
  // (and the consumption logged when durable). Not delivered (the client went
  // away, the response could not be sent): the rate limiter forgets the
  // sample and a FIFO table serves its items again, first. Unknown or
  // already settled tickets are ignored.
  void Settle(uint64_t delivery, bool delivered);

  // Blocking forms of the above for in-process callers and tests; a sample
  // counts as delivered once returned.
  absl::StatusOr<InsertResult> Insert(v1::TrajectoryChunk chunk,
                                      absl::Time deadline);
  absl::StatusOr<SampledBatch> Sample(const SampleOptions& options,
                                      absl::Time deadline);
  absl::StatusOr<SampledBatch> Sample(int batch_size, absl::Time deadline);

  // Sets priorities by item key (PRIORITIZED tables). Validates everything
  // before changing anything; keys no longer held are ignored.
  absl::Status UpdatePriorities(const std::vector<int64_t>& keys,
                                const std::vector<double>& priorities);

  // Makes the worker look at cancel flags again.
  void Wake();

  // Ends every waiting and later operation with Cancelled. Idempotent.
  void Close();

  v1::TableInfo Info() const;

  // --- Durability ---
  // Writes the table's state (configuration, chunks, consumption,
  // de-duplication) as snapshot records.
  absl::Status WriteSnapshot(SnapshotWriter& writer) const;
  // Recovery: re-apply records, without logging them again or waiting on
  // the rate limiter. Each is idempotent.
  absl::Status Restore(v1::TrajectoryChunk chunk);
  void RestoreConsumed(const v1::ConsumeRecord& record);
  void RestoreSequences(const v1::SequenceRecord& record);
  // Sets visit counts from a snapshot (ignored by a table without them).
  // InvalidArgument for a malformed record.
  absl::Status RestoreVisitCounts(const v1::VisitCountRecord& record);
  // After recovery: puts the rate limiter at its balance point, so neither
  // side waits on counts from before the restart.
  void FinishRecovery();
  // A durable table restored before the log was open starts logging.
  void AttachLog(WriteAheadLog* log);

 private:
  // A stored insert, and where its log record ends (0: nothing logged).
  struct Stored {
    InsertResult result;
    WriteAheadLog* log = nullptr;
    uint64_t log_position = 0;
  };
  struct PendingInsert {
    v1::TrajectoryChunk chunk;
    absl::Time enqueued;
    absl::Time deadline;
    CancelFlag cancel;
    InsertDone done;
  };

  struct PendingSample {
    SampleOptions options;
    absl::Time enqueued;
    absl::Time deadline;
    CancelFlag cancel;
    SampleDone done;
  };

  Table(std::string job_id, const v1::TableConfig& config,
        TableMetrics* metrics, uint64_t seed, WriteAheadLog* log);

  // Completes an insert: at once, or once its log record is durable.
  void Acknowledge(absl::StatusOr<Stored> stored, absl::Time start,
                   InsertDone done);

  int64_t SizeLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return store_.end() - first_item_;
  }
  bool InsertReadyLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool SampleReadyLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool CanSampleLocked(int batch_size) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool WorkerHasWorkLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Time NextDeadlineLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Extra columns of a chunk of `n` steps; part of Validate.
  absl::Status ValidateColumns(const v1::TrajectoryChunk& chunk,
                               int64_t n) const;

  // Stores a chunk, logging it first when `log` (a durable table, not
  // recovering). Internal error if the log cannot be written.
  absl::StatusOr<Stored> StoreLocked(v1::TrajectoryChunk chunk, bool log)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<SampledBatch> SampleLocked(const SampleOptions& options)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // FailedPrecondition for a sample that found too few items fitting it.
  absl::Status NoFittingItemsLocked(const SampleOptions& options) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops the oldest chunk, removing its remaining items from the selector.
  void EvictFrontLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A FIFO sampler's item `key` (the first held) leaves the table.
  void ConsumeLocked(int64_t key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // FIFO: the next item to hand out (returned ones first), if any.
  std::optional<int64_t> NextQueuedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // FIFO: `key` is done with (delivered, or dropped as stale); consumes every
  // item from the first held up to the first not done with.
  void FinishQueuedLocked(int64_t key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Items a sample may draw now: for FIFO, those not handed out.
  int64_t AvailableLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void LogConsumedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool IsStaleLocked(int64_t policy_version) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UpdateGaugesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  void WorkerLoop();

  const std::string job_id_;
  const v1::TableConfig config_;
  TableMetrics* const metrics_;
  const int64_t observation_bytes_;  // bytes of one observation
  const int64_t action_bytes_;       // bytes of one action
  // Bytes of one step of each extra column, in the table's order.
  const std::vector<int64_t> column_bytes_;
  const std::vector<v1::ColumnSpec> sample_columns_;
  // Where a sample of the table's own columns takes each: 0, 1, ... (the
  // visit count column last: the store's derived column of visit codes).
  const std::vector<int> own_columns_;
  // The store's column of visit codes, or -1 without visit counts.
  const int code_column_;
  const double importance_exponent_;

  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  WriteAheadLog* log_ ABSL_GUARDED_BY(mu_);  // null unless durable
  ChunkStore store_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<ItemSelector> selector_ ABSL_GUARDED_BY(mu_);
  // First item still held: store_.first() unless a FIFO sampler consumed
  // part of the oldest chunk.
  int64_t first_item_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t newest_policy_version_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, uint64_t> last_sequence_
      ABSL_GUARDED_BY(mu_);
  RateLimiter limiter_ ABSL_GUARDED_BY(mu_);
  // Null unless the table counts visits (config.visit_counts).
  std::unique_ptr<VisitCounts> visit_counts_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  std::deque<PendingInsert> pending_inserts_ ABSL_GUARDED_BY(mu_);
  std::deque<PendingSample> pending_samples_ ABSL_GUARDED_BY(mu_);
  // The FIFO item last consumed, for the consumption log record.
  std::optional<v1::ConsumeRecord> last_consumed_ ABSL_GUARDED_BY(mu_);
  // FIFO delivery: items below queue_next_ were handed out; of those at or
  // above first_item_, `queue_returned_` were not delivered (served again
  // first) and `queue_finished_` were, but after items still in flight.
  int64_t queue_next_ ABSL_GUARDED_BY(mu_) = 0;
  std::set<int64_t> queue_returned_ ABSL_GUARDED_BY(mu_);
  std::set<int64_t> queue_finished_ ABSL_GUARDED_BY(mu_);
  // Batches handed out and not yet settled, by ticket.
  struct InFlight {
    int64_t transitions = 0;
    std::vector<int64_t> queued_keys;  // FIFO only
  };
  absl::flat_hash_map<uint64_t, InFlight> in_flight_ ABSL_GUARDED_BY(mu_);
  uint64_t next_delivery_ ABSL_GUARDED_BY(mu_) = 1;
  // The deadline the worker is waiting until.
  absl::Time worker_deadline_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();

  std::thread worker_;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_TABLE_H_
