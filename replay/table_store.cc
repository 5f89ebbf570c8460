#include "replay/table_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "google/protobuf/util/message_differencer.h"

namespace entropic {
namespace {

// Bounds on what one client can make replay keep track of.
constexpr size_t kMaxJobIdBytes = 256;
constexpr size_t kMaxTablesPerJob = 16;
constexpr size_t kMaxJobs = 1024;

}  // namespace

namespace {

// Owns a table and its metrics; the metrics go when the table is gone.
struct TableHolder {
  ReplayMetrics* replay_metrics;
  std::unique_ptr<TableMetrics> metrics;
  std::unique_ptr<Table> table;

  ~TableHolder() {
    table.reset();  // Joins the worker, the last user of the metrics.
    replay_metrics->RemoveTable(*metrics);
  }
};

}  // namespace

TableStore::TableStore(ReplayMetrics* metrics) : metrics_(metrics) {}

TableStore::~TableStore() { CloseAll(); }

absl::Status TableStore::CreateTables(
    const std::string& job_id, const std::vector<v1::TableConfig>& configs) {
  return CreateTablesInternal(job_id, configs, /*log=*/true);
}

absl::Status TableStore::CreateTablesInternal(
    const std::string& job_id, const std::vector<v1::TableConfig>& configs,
    bool log) {
  if (job_id.empty() || job_id.size() > kMaxJobIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "job_id: must be 1 to ", kMaxJobIdBytes, " bytes, got ", job_id.size()));
  }
  if (configs.empty() || configs.size() > kMaxTablesPerJob) {
    return absl::InvalidArgumentError(
        absl::StrCat("tables: a job has 1 to ", kMaxTablesPerJob,
                     " tables, got ", configs.size()));
  }
  absl::MutexLock lock(&mu_);
  auto existing = jobs_.find(job_id);
  if (existing == jobs_.end() && jobs_.size() >= kMaxJobs) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "job_id: replay holds the tables of ", kMaxJobs,
        " jobs already, its most; delete some first"));
  }
  // Check everything before creating anything.
  for (const v1::TableConfig& config : configs) {
    if (existing == jobs_.end()) continue;
    auto table = existing->second.find(config.name());
    if (table != existing->second.end() &&
        !google::protobuf::util::MessageDifferencer::Equals(
            table->second->config(), config)) {
      return absl::FailedPreconditionError(
          absl::StrCat("table ", config.name(), " of job ", job_id,
                       " exists with a different configuration"));
    }
  }
  v1::LogRecord record;
  record.mutable_create_tables()->set_job_id(job_id);
  for (const v1::TableConfig& config : configs) {
    if (!config.durable()) continue;
    if (durability_ == nullptr && log) {
      return absl::FailedPreconditionError(absl::StrCat(
          "table ", config.name(),
          " is durable, but this replay runs without --checkpoint_dir"));
    }
    *record.mutable_create_tables()->add_tables() = config;
  }
  std::map<std::string, std::shared_ptr<Table>> created;
  for (const v1::TableConfig& config : configs) {
    if (existing != jobs_.end() && existing->second.count(config.name())) {
      continue;
    }
    if (created.count(config.name())) {
      return absl::InvalidArgumentError(
          absl::StrCat("tables: ", config.name(), " is listed twice"));
    }
    std::unique_ptr<TableMetrics> table_metrics =
        metrics_->AddTable(job_id, config.name());
    absl::StatusOr<std::unique_ptr<Table>> table =
        Table::Create(job_id, config, table_metrics.get(),
                      std::hash<std::string>()(job_id + "/" + config.name()),
                      durability_ != nullptr ? &durability_->log() : nullptr);
    if (!table.ok()) {
      metrics_->RemoveTable(*table_metrics);
      return table.status();  // Tables created so far are dropped with it.
    }
    auto holder = std::make_shared<TableHolder>();
    holder->replay_metrics = metrics_;
    holder->metrics = std::move(table_metrics);
    holder->table = std::move(table).value();
    Table* raw = holder->table.get();
    created[config.name()] = std::shared_ptr<Table>(std::move(holder), raw);
  }
  // Inserts into these tables are logged after this record, so any insert
  // acknowledged as durable implies this record is durable too.
  if (log && durability_ != nullptr &&
      record.create_tables().tables_size() > 0) {
    RETURN_IF_ERROR(durability_->log().Append(record).status());
  }
  auto& tables = jobs_[job_id];
  for (auto& [name, table] : created) tables[name] = std::move(table);
  return absl::OkStatus();
}

absl::Status TableStore::DeleteTables(const std::string& job_id) {
  return DeleteTablesInternal(job_id, /*log=*/true);
}

absl::Status TableStore::DeleteTablesInternal(const std::string& job_id,
                                              bool log) {
  std::map<std::string, std::shared_ptr<Table>> doomed;
  {
    absl::MutexLock lock(&mu_);
    auto job = jobs_.find(job_id);
    if (job == jobs_.end()) {
      return absl::NotFoundError(
          absl::StrCat("job ", job_id, " has no tables"));
    }
    bool durable = false;
    for (const auto& [name, table] : job->second) {
      durable |= table->config().durable();
    }
    if (log && durable && durability_ != nullptr) {
      v1::LogRecord record;
      record.mutable_delete_tables()->set_job_id(job_id);
      RETURN_IF_ERROR(durability_->log().Append(record).status());
    }
    doomed = std::move(job->second);
    jobs_.erase(job);
  }
  for (auto& [name, table] : doomed) table->Close();
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<Table>> TableStore::Find(
    const std::string& job_id, const std::string& table) const {
  absl::MutexLock lock(&mu_);
  auto job = jobs_.find(job_id);
  if (job == jobs_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown job '", job_id, "'"));
  }
  auto found = job->second.find(table);
  if (found == job->second.end()) {
    return absl::NotFoundError(
        absl::StrCat("job '", job_id, "' has no table '", table, "'"));
  }
  return found->second;
}

absl::StatusOr<std::vector<v1::TableInfo>> TableStore::Info(
    const std::string& job_id) const {
  absl::MutexLock lock(&mu_);
  auto job = jobs_.find(job_id);
  if (job == jobs_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown job '", job_id, "'"));
  }
  std::vector<v1::TableInfo> infos;
  for (const auto& [name, table] : job->second) infos.push_back(table->Info());
  return infos;
}

absl::Status TableStore::ApplyRecord(v1::LogRecord& record) {
  switch (record.record_case()) {
    case v1::LogRecord::kCreateTables:
      return CreateTablesInternal(record.create_tables().job_id(),
                                  {record.create_tables().tables().begin(),
                                   record.create_tables().tables().end()},
                                  /*log=*/false);
    case v1::LogRecord::kDeleteTables: {
      const absl::Status deleted =
          DeleteTablesInternal(record.delete_tables().job_id(), /*log=*/false);
      return deleted.code() == absl::StatusCode::kNotFound ? absl::OkStatus()
                                                           : deleted;
    }
    case v1::LogRecord::kInsert: {
      absl::StatusOr<std::shared_ptr<Table>> table =
          Find(record.insert().job_id(), record.insert().table());
      if (!table.ok()) return absl::OkStatus();  // its job was deleted later
      return (*table)->Restore(std::move(*record.mutable_insert()));
    }
    case v1::LogRecord::kConsume: {
      absl::StatusOr<std::shared_ptr<Table>> table =
          Find(record.consume().job_id(), record.consume().table());
      if (table.ok()) (*table)->RestoreConsumed(record.consume());
      return absl::OkStatus();
    }
    case v1::LogRecord::kSequences: {
      absl::StatusOr<std::shared_ptr<Table>> table =
          Find(record.sequences().job_id(), record.sequences().table());
      if (table.ok()) (*table)->RestoreSequences(record.sequences());
      return absl::OkStatus();
    }
    case v1::LogRecord::kVisitCounts: {
      absl::StatusOr<std::shared_ptr<Table>> table =
          Find(record.visit_counts().job_id(), record.visit_counts().table());
      if (!table.ok()) return absl::OkStatus();  // its job was deleted later
      return (*table)->RestoreVisitCounts(record.visit_counts());
    }
    default:
      return absl::DataLossError("unknown record in the replay log");
  }
}

void TableStore::AttachDurability(Durability* durability) {
  absl::MutexLock lock(&mu_);
  durability_ = durability;
  for (auto& [job, tables] : jobs_) {
    for (auto& [name, table] : tables) {
      table->AttachLog(&durability->log());
      table->FinishRecovery();
    }
  }
}

bool TableStore::SnapshotDue() const {
  absl::MutexLock lock(&mu_);
  return durability_ != nullptr && durability_->SnapshotDue();
}

int64_t TableStore::LogSegmentBytes() const {
  absl::MutexLock lock(&mu_);
  return durability_ != nullptr ? durability_->log().segment_bytes() : 0;
}

absl::StatusOr<v1::CheckpointResponse> TableStore::Checkpoint() {
  Durability* durability;
  {
    absl::MutexLock lock(&mu_);
    durability = durability_;
  }
  if (durability == nullptr) {
    return absl::FailedPreconditionError(
        "replay runs without --checkpoint_dir: nothing is durable");
  }
  return durability->Snapshot([this](SnapshotWriter& writer) -> absl::Status {
    std::vector<std::shared_ptr<Table>> durable;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [job, tables] : jobs_) {
        for (auto& [name, table] : tables) {
          if (table->config().durable()) durable.push_back(table);
        }
      }
    }
    for (const auto& table : durable) {
      RETURN_IF_ERROR(table->WriteSnapshot(writer));
    }
    return absl::OkStatus();
  });
}

void TableStore::CloseAll() {
  absl::MutexLock lock(&mu_);
  for (auto& [job, tables] : jobs_) {
    for (auto& [name, table] : tables) table->Close();
  }
}

}  // namespace entropic
