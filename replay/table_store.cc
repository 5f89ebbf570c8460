#include "replay/table_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"

namespace entropic {
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
  if (job_id.empty()) {
    return absl::InvalidArgumentError("job_id: is required");
  }
  absl::MutexLock lock(&mu_);
  auto existing = jobs_.find(job_id);
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
                      std::hash<std::string>()(job_id + "/" + config.name()));
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
  auto& tables = jobs_[job_id];
  for (auto& [name, table] : created) tables[name] = std::move(table);
  return absl::OkStatus();
}

absl::Status TableStore::DeleteTables(const std::string& job_id) {
  std::map<std::string, std::shared_ptr<Table>> doomed;
  {
    absl::MutexLock lock(&mu_);
    auto job = jobs_.find(job_id);
    if (job == jobs_.end()) {
      return absl::NotFoundError(
          absl::StrCat("job ", job_id, " has no tables"));
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

void TableStore::CloseAll() {
  absl::MutexLock lock(&mu_);
  for (auto& [job, tables] : jobs_) {
    for (auto& [name, table] : tables) table->Close();
  }
}

}  // namespace entropic
