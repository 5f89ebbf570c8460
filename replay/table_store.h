#ifndef ENTROPIC_REPLAY_TABLE_STORE_H_
#define ENTROPIC_REPLAY_TABLE_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "entropic/v1/replay.pb.h"
#include "replay/durability/durability.h"
#include "replay/replay_metrics.h"
#include "replay/table.h"

namespace entropic {

// The tables of every job, by (job id, table name). Thread-safe.
//
// Tables are handed out as shared pointers: a table deleted while an insert
// or sample still uses it is closed at once (its waiters end Cancelled) and
// freed, with its metrics, when the last user lets go. Users must not drop
// the last reference from a table's own completion callback.
class TableStore {
 public:
  explicit TableStore(ReplayMetrics* metrics);
  ~TableStore();

  // Creates a job's tables. Idempotent for identical configurations;
  // FailedPrecondition if a table exists with another configuration;
  // InvalidArgument for a bad configuration (nothing is created then).
  absl::Status CreateTables(const std::string& job_id,
                            const std::vector<v1::TableConfig>& configs);

  // Closes and forgets a job's tables. NotFound for an unknown job.
  absl::Status DeleteTables(const std::string& job_id);

  // NotFound naming the job or table.
  absl::StatusOr<std::shared_ptr<Table>> Find(const std::string& job_id,
                                              const std::string& table) const;

  // NotFound for an unknown job.
  absl::StatusOr<std::vector<v1::TableInfo>> Info(
      const std::string& job_id) const;

  // Closes every table; later operations on them end Cancelled.
  void CloseAll();

  // --- Durability ---
  // Re-applies one record of replay's checkpoint directory (recovery).
  absl::Status ApplyRecord(v1::LogRecord& record);
  // Ends recovery: durable tables log from now on, rate limiters restart
  // balanced. Without this, durable tables are refused (no --checkpoint_dir).
  void AttachDurability(Durability* durability);
  // Snapshots every durable table (see Durability::Snapshot).
  // FailedPrecondition without durability.
  absl::StatusOr<v1::CheckpointResponse> Checkpoint();
  bool SnapshotDue() const;
  // Bytes of the current log segment; 0 without durability.
  int64_t LogSegmentBytes() const;

 private:
  // Creates tables; logs the durable ones when `log` is set.
  absl::Status CreateTablesInternal(const std::string& job_id,
                                    const std::vector<v1::TableConfig>& configs,
                                    bool log);
  absl::Status DeleteTablesInternal(const std::string& job_id, bool log);

  ReplayMetrics* const metrics_;
  Durability* durability_ ABSL_GUARDED_BY(mu_) = nullptr;
  mutable absl::Mutex mu_;
  // job id -> table name -> table.
  std::map<std::string, std::map<std::string, std::shared_ptr<Table>>> jobs_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_TABLE_STORE_H_
