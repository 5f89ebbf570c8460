#include "replay/table.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/status_macros.h"
#include "common/tensor.h"
#include "entropic/v1/replay_log.pb.h"
#include "replay/selectors/fifo.h"
#include "replay/selectors/prioritized.h"
#include "replay/selectors/uniform.h"

namespace entropic {
namespace {

constexpr double kDefaultPriorityExponent = 0.6;
constexpr double kDefaultImportanceExponent = 0.4;
constexpr int64_t kDefaultMaxChunkBytes = int64_t{16} << 20;
// Draws per requested item before a sample gives up on finding items that
// fit (fresh enough, long enough for a sequence).
constexpr int kMaxDrawsPerItem = 64;
// Bounds that keep a table's bookkeeping allocatable: a sum tree of
// 2^31 leaves would take 32 GiB.
constexpr int64_t kMaxChunkLength = 1 << 20;
constexpr int64_t kMaxCapacity = int64_t{1} << 30;
constexpr int kMaxExtraColumns = 16;
constexpr size_t kMaxColumnNameBytes = 64;
// Codes per snapshot record of visit counts: records of about 1 MiB.
constexpr int64_t kVisitCodesPerRecord = 65536;
// SampleResponse's own fields: no extra column may take their names.
constexpr absl::string_view kReservedColumnNames[] = {
    "observations", "actions",       "rewards",   "next_observations",
    "terminated",   "truncated",     "discounts", "policy_versions",
    "keys",         "probabilities", "weights",   "sources"};

int64_t MaxChunkBytes(const v1::TableConfig& config) {
  return config.max_chunk_bytes() > 0 ? config.max_chunk_bytes()
                                      : kDefaultMaxChunkBytes;
}

// a * b, or INT64_MAX where it would overflow (both >= 0).
int64_t SaturatingMul(int64_t a, int64_t b) {
  int64_t product;
  return __builtin_mul_overflow(a, b, &product)
             ? std::numeric_limits<int64_t>::max()
             : product;
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum;
  return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<int64_t>::max()
                                            : sum;
}

// Bytes of one element of `spec` (-1 if they overflow: see TensorBytes).
int64_t SpecBytes(const v1::TensorSpec& spec) {
  return TensorBytes(ShapeOf(spec.shape()), spec.dtype());
}

bool SameSpec(const v1::TensorSpec& a, const v1::TensorSpec& b) {
  return a.dtype() == b.dtype() &&
         std::equal(a.shape().begin(), a.shape().end(), b.shape().begin(),
                    b.shape().end());
}

// [a-z][a-z0-9_]*, at most kMaxColumnNameBytes.
bool IsColumnName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxColumnNameBytes) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// A name from the wire, fit for an error message: quoted, escaped, and cut
// short.
std::string Quoted(absl::string_view name) {
  return absl::StrCat("\"",
                      absl::CHexEscape(name.substr(0, kMaxColumnNameBytes)),
                      name.size() > kMaxColumnNameBytes ? "\"..." : "\"");
}

// The index of the extra column called `name`, or -1.
int FindColumn(const v1::TableConfig& config, absl::string_view name) {
  for (int i = 0; i < config.extra_columns_size(); ++i) {
    if (config.extra_columns(i).name() == name) return i;
  }
  return -1;
}

// The columns a sample carries: the extra columns, then the visit count.
std::vector<v1::ColumnSpec> SampleColumns(const v1::TableConfig& config) {
  std::vector<v1::ColumnSpec> columns(config.extra_columns().begin(),
                                      config.extra_columns().end());
  if (config.has_visit_counts()) {
    v1::ColumnSpec& count = columns.emplace_back();
    count.set_name(config.visit_counts().column());
    count.mutable_spec()->set_dtype(v1::DTYPE_INT64);
  }
  return columns;
}

// Index of the sample column called `name` with `spec`, or -1.
int FindSampleColumn(const std::vector<v1::ColumnSpec>& columns,
                     const v1::ColumnSpec& wanted) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name() == wanted.name() &&
        SameSpec(columns[i].spec(), wanted.spec())) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

std::vector<int64_t> ColumnBytes(const v1::TableConfig& config) {
  std::vector<int64_t> bytes;
  for (const v1::ColumnSpec& column : SampleColumns(config)) {
    bytes.push_back(SpecBytes(column.spec()));
  }
  return bytes;
}

// What the store keeps per step besides observation, action and reward:
// the extra columns, then each transition's visit code (derived: computed
// from the observation by the table, 8 bytes, which a sample turns into
// the count in place).
std::vector<ChunkStore::Column> StoreColumns(const v1::TableConfig& config) {
  std::vector<ChunkStore::Column> columns;
  for (const v1::ColumnSpec& column : config.extra_columns()) {
    columns.push_back({column.name(), SpecBytes(column.spec())});
  }
  if (config.has_visit_counts()) {
    columns.push_back({config.visit_counts().column(),
                       static_cast<int64_t>(sizeof(uint64_t)),
                       /*derived=*/true});
  }
  return columns;
}

absl::Status CheckSpec(const v1::TensorSpec& spec, absl::string_view field,
                       int64_t max_bytes) {
  if (DTypeSize(spec.dtype()) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".dtype: must be specified"));
  }
  for (int64_t dim : spec.shape()) {
    if (dim < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".shape: dimensions must be positive, got ",
                       ShapeString(ShapeOf(spec.shape()))));
    }
  }
  // One step's row must fit in a chunk; this also bounds every product of
  // the shape, so nothing later overflows.
  const int64_t bytes = SpecBytes(spec);
  if (bytes < 0 || bytes > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".shape: one row of shape ", ShapeString(ShapeOf(spec.shape())),
        " exceeds the table's max_chunk_bytes of ", max_bytes));
  }
  return absl::OkStatus();
}

absl::Status CheckColumns(const v1::TableConfig& config,
                          const std::string& prefix) {
  if (config.extra_columns_size() > kMaxExtraColumns) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "extra_columns: at most ", kMaxExtraColumns,
                     " per table, got ", config.extra_columns_size()));
  }
  int64_t step_bytes = 0;
  for (int i = 0; i < config.extra_columns_size(); ++i) {
    const v1::ColumnSpec& column = config.extra_columns(i);
    const std::string field =
        absl::StrCat(prefix, "extra_columns[", i, "].name");
    if (!IsColumnName(column.name())) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": must match [a-z][a-z0-9_]* and be at most ",
          kMaxColumnNameBytes, " characters, got ", Quoted(column.name())));
    }
    if (std::find(std::begin(kReservedColumnNames),
                  std::end(kReservedColumnNames),
                  column.name()) != std::end(kReservedColumnNames)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": \"", column.name(),
                       "\" is a field of SampleResponse already"));
    }
    if (const int first = FindColumn(config, column.name()); first < i) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": \"", column.name(),
                       "\" is declared twice (extra_columns[", first, "])"));
    }
    RETURN_IF_ERROR(CheckSpec(
        column.spec(),
        absl::StrCat(prefix, "extra_columns[\"", column.name(), "\"].spec"),
        MaxChunkBytes(config)));
    step_bytes = SaturatingAdd(step_bytes, SpecBytes(column.spec()));
  }
  if (step_bytes > MaxChunkBytes(config)) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "extra_columns: one step of them takes ", step_bytes,
        " bytes, over the table's max_chunk_bytes of ", MaxChunkBytes(config)));
  }
  return absl::OkStatus();
}

// The visit count column's name like an extra column's, then the hash.
absl::Status CheckVisitCounts(const v1::TableConfig& config,
                              const std::string& prefix) {
  const std::string& name = config.visit_counts().column();
  const std::string field = absl::StrCat(prefix, "visit_counts.column");
  if (!IsColumnName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": must match [a-z][a-z0-9_]* and be at most ",
        kMaxColumnNameBytes, " characters, got ", Quoted(name)));
  }
  if (std::find(std::begin(kReservedColumnNames),
                std::end(kReservedColumnNames),
                name) != std::end(kReservedColumnNames)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": \"", name, "\" is a field of SampleResponse already"));
  }
  if (const int clash = FindColumn(config, name); clash >= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": \"", name, "\" is extra_columns[", clash,
                     "] already"));
  }
  return CheckVisitCountConfig(config.visit_counts(),
                               NumElements(ShapeOf(config.observation().shape())),
                               prefix);
}

absl::Status CheckConfig(const v1::TableConfig& config) {
  if (config.name().empty()) {
    return absl::InvalidArgumentError("table.name: is required");
  }
  const std::string prefix = absl::StrCat("table ", config.name(), ": ");
  RETURN_IF_ERROR(CheckSpec(config.observation(), prefix + "observation",
                            MaxChunkBytes(config)));
  RETURN_IF_ERROR(
      CheckSpec(config.action(), prefix + "action", MaxChunkBytes(config)));
  RETURN_IF_ERROR(CheckColumns(config, prefix));
  if (config.has_visit_counts()) {
    RETURN_IF_ERROR(CheckVisitCounts(config, prefix));
  }
  if (config.max_chunk_length() < 1 ||
      config.max_chunk_length() > kMaxChunkLength) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "max_chunk_length: must be in [1, ",
                     kMaxChunkLength, "], got ", config.max_chunk_length()));
  }
  if (config.capacity() > kMaxCapacity) {
    return absl::ResourceExhaustedError(
        absl::StrCat(prefix, "capacity: at most ", kMaxCapacity,
                     " transitions per table, got ", config.capacity()));
  }
  if (config.capacity() < config.max_chunk_length()) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "capacity: must hold at least one chunk (",
        config.max_chunk_length(), " transitions), got ", config.capacity()));
  }
  const v1::RateLimit& limit = config.rate_limit();
  if (limit.min_size_to_sample() < 1 ||
      limit.min_size_to_sample() > config.capacity()) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "rate_limit.min_size_to_sample: must be in [1, capacity]"));
  }
  if (!(limit.samples_per_insert() >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "rate_limit.samples_per_insert: must be >= 0"));
  }
  if (!(limit.error_buffer() >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "rate_limit.error_buffer: must be >= 0"));
  }
  if (!v1::TableConfig::Sampler_IsValid(config.sampler())) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "sampler: unknown value ", static_cast<int>(config.sampler())));
  }
  if (!(config.priority_exponent() >= 0 &&
        std::isfinite(config.priority_exponent()))) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "priority_exponent: must be >= 0"));
  }
  if (!(config.importance_exponent() >= 0 &&
        std::isfinite(config.importance_exponent()))) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "importance_exponent: must be >= 0"));
  }
  if (config.capacity_bytes() < 0 || config.max_chunk_bytes() < 0 ||
      config.max_policy_lag() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix,
        "capacity_bytes, max_chunk_bytes and max_policy_lag must be "
        ">= 0"));
  }
  if (config.capacity_bytes() > 0 &&
      config.capacity_bytes() < MaxChunkBytes(config)) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "capacity_bytes: must hold at least one chunk (",
        MaxChunkBytes(config), " bytes), got ", config.capacity_bytes()));
  }
  return absl::OkStatus();
}

std::unique_ptr<ItemSelector> MakeSelector(const v1::TableConfig& config) {
  switch (config.sampler()) {
    case v1::TableConfig::PRIORITIZED:
      // A chunk is stored before the oldest ones are evicted, so up to a
      // chunk more than the capacity is live for a moment.
      return std::make_unique<PrioritizedSelector>(
          config.capacity() + config.max_chunk_length(),
          config.priority_exponent() > 0
                                 ? config.priority_exponent()
                                 : kDefaultPriorityExponent);
    case v1::TableConfig::FIFO:
      return std::make_unique<FifoSelector>();
    default:
      return std::make_unique<UniformSelector>();
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Table>> Table::Create(
    std::string job_id, const v1::TableConfig& config, TableMetrics* metrics,
    uint64_t seed, WriteAheadLog* log) {
  RETURN_IF_ERROR(CheckConfig(config));
  return std::unique_ptr<Table>(
      new Table(std::move(job_id), config, metrics, seed, log));
}

Table::Table(std::string job_id, const v1::TableConfig& config,
             TableMetrics* metrics, uint64_t seed, WriteAheadLog* log)
    : job_id_(std::move(job_id)),
      config_(config),
      metrics_(metrics),
      observation_bytes_(SpecBytes(config.observation())),
      action_bytes_(SpecBytes(config.action())),
      column_bytes_(ColumnBytes(config)),
      sample_columns_(SampleColumns(config)),
      own_columns_([this] {
        std::vector<int> columns(sample_columns_.size());
        std::iota(columns.begin(), columns.end(), 0);
        return columns;
      }()),
      code_column_(config.has_visit_counts() ? config.extra_columns_size()
                                             : -1),
      importance_exponent_(config.importance_exponent() > 0
                               ? config.importance_exponent()
                               : kDefaultImportanceExponent),
      log_(config.durable() ? log : nullptr),
      store_(observation_bytes_, action_bytes_, StoreColumns(config)),
      selector_(MakeSelector(config)),
      limiter_(config.rate_limit()),
      visit_counts_(config.has_visit_counts()
                        ? std::make_unique<VisitCounts>(
                              config.visit_counts(), config.observation().dtype())
                        : nullptr),
      rng_(seed) {
  worker_ = std::thread([this] { WorkerLoop(); });
}

Table::~Table() {
  Close();
  worker_.join();
}

absl::Status Table::Validate(const v1::TrajectoryChunk& chunk) const {
  if (chunk.actor_id().empty()) {
    return absl::InvalidArgumentError("chunk.actor_id: is required");
  }
  if (chunk.policy_version() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "chunk.policy_version: must be >= 0, got ", chunk.policy_version()));
  }
  const v1::Tensor& rewards = chunk.rewards();
  if (rewards.shape_size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk.rewards: must be one-dimensional [n], got shape ",
                     ShapeString(ShapeOf(rewards.shape()))));
  }
  const int64_t n = rewards.shape(0);
  if (n < 1 || n > config_.max_chunk_length()) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk.rewards: length ", n, " is outside [1, ",
                     config_.max_chunk_length(), "]"));
  }
  v1::TensorSpec reward_spec;
  reward_spec.set_dtype(v1::DTYPE_FLOAT32);
  RETURN_IF_ERROR(CheckTensor(rewards, reward_spec, {n}, "chunk.rewards"));
  RETURN_IF_ERROR(CheckTensor(chunk.observations(), config_.observation(),
                              {n + 1}, "chunk.observations"));
  RETURN_IF_ERROR(
      CheckTensor(chunk.actions(), config_.action(), {n}, "chunk.actions"));
  RETURN_IF_ERROR(ValidateColumns(chunk, n));
  int64_t bytes = chunk.observations().data().size() +
                  chunk.actions().data().size() + chunk.rewards().data().size();
  // At most 16 columns (ValidateColumns), each a buffer in memory.
  for (const v1::NamedTensor& column : chunk.extra_columns()) {
    bytes += column.tensor().data().size();
  }
  if (bytes > MaxChunkBytes(config_)) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk: ", bytes,
                     " bytes of tensor data exceed the "
                     "table's max_chunk_bytes of ",
                     MaxChunkBytes(config_)));
  }
  RETURN_IF_ERROR(CheckFinite(rewards, "chunk.rewards"));
  RETURN_IF_ERROR(CheckFinite(chunk.observations(), "chunk.observations"));
  RETURN_IF_ERROR(CheckFinite(chunk.actions(), "chunk.actions"));
  for (const v1::NamedTensor& column : chunk.extra_columns()) {
    RETURN_IF_ERROR(CheckFinite(
        column.tensor(),
        absl::StrCat("chunk.extra_columns[\"", column.name(), "\"]")));
  }
  return absl::OkStatus();
}

absl::Status Table::ValidateColumns(const v1::TrajectoryChunk& chunk,
                                    int64_t n) const {
  if (chunk.extra_columns_size() == 0 && config_.extra_columns_size() == 0) {
    return absl::OkStatus();
  }
  // The chunk's tensor of each of the table's columns.
  std::array<const v1::NamedTensor*, kMaxExtraColumns> given{};
  for (const v1::NamedTensor& column : chunk.extra_columns()) {
    const int index = FindColumn(config_, column.name());
    if (index < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("chunk.extra_columns[", Quoted(column.name()),
                       "]: table ", config_.name(), " has no such column"));
    }
    if (given[index] != nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "chunk.extra_columns[\"", column.name(), "\"]: given twice"));
    }
    given[index] = &column;
  }
  for (int i = 0; i < config_.extra_columns_size(); ++i) {
    const v1::ColumnSpec& column = config_.extra_columns(i);
    const std::string field =
        absl::StrCat("chunk.extra_columns[\"", column.name(), "\"]");
    if (given[i] == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": missing; every chunk of table ",
                       config_.name(), " carries each of its columns"));
    }
    RETURN_IF_ERROR(CheckTensor(given[i]->tensor(), column.spec(), {n}, field));
  }
  return absl::OkStatus();
}

void Table::InsertAsync(v1::TrajectoryChunk chunk, absl::Time deadline,
                        CancelFlag cancel, InsertDone done) {
  absl::Status valid = Validate(chunk);
  if (!valid.ok()) {
    done(std::move(valid));
    return;
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<Stored> stored;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) {
      stored = absl::CancelledError("the table is closed");
    } else {
      pending_inserts_.push_back(PendingInsert{std::move(chunk), start,
                                               deadline, std::move(cancel),
                                               std::move(done)});
      if (pending_inserts_.size() > 1 || !InsertReadyLocked()) {
        return;  // The worker completes it.
      }
      PendingInsert ready = std::move(pending_inserts_.front());
      pending_inserts_.pop_front();
      stored = StoreLocked(std::move(ready.chunk), /*log=*/true);
      done = std::move(ready.done);
    }
  }
  Acknowledge(std::move(stored), start, std::move(done));
}

void Table::Acknowledge(absl::StatusOr<Stored> stored, absl::Time start,
                        InsertDone done) {
  if (!stored.ok()) {
    done(stored.status());
    return;
  }
  auto complete = [this, start, result = stored->result,
                   done = std::move(done)](absl::Status durable) mutable {
    if (!durable.ok()) {
      // Not acknowledged: the writer keeps the chunk and resends it.
      done(absl::UnavailableError(absl::StrCat(
          "the chunk is stored but could not be made durable: ",
          durable.message())));
      return;
    }
    metrics_->insert_latency->Observe(
        absl::ToDoubleSeconds(absl::Now() - start));
    done(result);
  };
  if (stored->log != nullptr) {
    // Users of the table (the insert streams) hold it until this runs.
    stored->log->WhenDurable(stored->log_position, std::move(complete));
  } else {
    complete(absl::OkStatus());
  }
}

absl::Status Table::ValidateSample(const SampleOptions& options) {
  if (options.batch_size < 1 || options.batch_size > (1 << 20)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch_size: must be in [1, 1048576], got ", options.batch_size));
  }
  const SampleShape& shape = options.shape;
  if (shape.n_step < 0 || shape.n_step > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("n_step: must be in [0, 10000], got ", shape.n_step));
  }
  if (!(shape.gamma >= 0 && shape.gamma <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("gamma: must be in [0, 1], got ", shape.gamma));
  }
  if (shape.sequence_length < 0 || shape.sequence_length > 100000) {
    return absl::InvalidArgumentError(
        absl::StrCat("sequence_length: must be in [0, 100000], got ",
                     shape.sequence_length));
  }
  if (shape.sequence_length > 0 && shape.n_step > 1) {
    return absl::InvalidArgumentError(
        "n_step: sequences carry every step; ask for one or the other");
  }
  if (!(options.importance_exponent >= 0)) {
    return absl::InvalidArgumentError("importance_exponent: must be >= 0");
  }
  if (options.columns.has_value()) {
    for (size_t i = 0; i < options.columns->size(); ++i) {
      const v1::TensorSpec& spec = (*options.columns)[i].spec();
      if (DTypeSize(spec.dtype()) == 0 || SpecBytes(spec) < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "columns[", i, "]: dtype ", DTypeName(spec.dtype()), " and shape ",
            ShapeString(ShapeOf(spec.shape())), " do not make a column"));
      }
    }
  }
  return absl::OkStatus();
}

int64_t Table::SampleBytes(const SampleOptions& options) const {
  // Per row: keys, probabilities, policy versions (int64/float64), weights
  // (float32) and the source table (uint8).
  constexpr int64_t kPerRow = 8 + 8 + 8 + 4 + 1;
  // Per step: reward (float32), terminated and truncated (bool).
  constexpr int64_t kPerStep = 4 + 1 + 1;
  const int64_t length = options.shape.sequence_length;
  const int64_t steps = length > 0 ? length : 1;
  // Sequences: L + 1 observations; transitions: observation and next.
  const int64_t observations = length > 0 ? length + 1 : 2;
  // Extra columns: this table's, or the ones asked for.
  int64_t column_bytes = 0;
  if (options.columns.has_value()) {
    for (const v1::ColumnSpec& column : *options.columns) {
      const int64_t bytes = SpecBytes(column.spec());
      column_bytes = SaturatingAdd(
          column_bytes,
          bytes < 0 ? std::numeric_limits<int64_t>::max() : bytes);
    }
  } else {
    for (int64_t bytes : column_bytes_) {
      column_bytes = SaturatingAdd(column_bytes, bytes);
    }
  }
  const int64_t row = SaturatingAdd(
      SaturatingAdd(
          SaturatingMul(observations, observation_bytes_),
          SaturatingMul(steps, SaturatingAdd(action_bytes_ + kPerStep + 4,
                                             column_bytes))),
      kPerRow);
  return SaturatingMul(options.batch_size, row);
}

void Table::SampleAsync(const SampleOptions& options, absl::Time deadline,
                        CancelFlag cancel, SampleDone done) {
  absl::Status valid = ValidateSample(options);
  if (const int64_t bytes = valid.ok() ? SampleBytes(options) : 0;
      bytes > kMaxSampleBytes) {
    valid = absl::ResourceExhaustedError(absl::StrCat(
        "batch_size x (sequence_length + 1): a sample of ", bytes,
        " bytes exceeds the most one sample may take, ", kMaxSampleBytes));
  }
  if (!valid.ok()) {
    done(std::move(valid));
    return;
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<SampledBatch> result;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) {
      result = absl::CancelledError("the table is closed");
    } else if (pending_samples_.empty() &&
               CanSampleLocked(options.batch_size)) {
      result = SampleLocked(options);
    } else {
      pending_samples_.push_back(PendingSample{
          options, start, deadline, std::move(cancel), std::move(done)});
      return;  // The worker completes it.
    }
  }
  metrics_->sample_latency->Observe(absl::ToDoubleSeconds(absl::Now() - start));
  done(std::move(result));
}

absl::StatusOr<InsertResult> Table::Insert(v1::TrajectoryChunk chunk,
                                           absl::Time deadline) {
  absl::Notification finished;
  absl::StatusOr<InsertResult> out;
  InsertAsync(std::move(chunk), deadline, nullptr,
              [&](absl::StatusOr<InsertResult> result) {
                out = std::move(result);
                finished.Notify();
              });
  finished.WaitForNotification();
  return out;
}

absl::StatusOr<SampledBatch> Table::Sample(int batch_size,
                                           absl::Time deadline) {
  SampleOptions options;
  options.batch_size = batch_size;
  return Sample(options, deadline);
}

absl::StatusOr<SampledBatch> Table::Sample(const SampleOptions& options,
                                           absl::Time deadline) {
  absl::Notification finished;
  absl::StatusOr<SampledBatch> out;
  SampleAsync(options, deadline, nullptr,
              [&](absl::StatusOr<SampledBatch> result) {
                out = std::move(result);
                finished.Notify();
              });
  finished.WaitForNotification();
  if (out.ok()) Settle(out->delivery, /*delivered=*/true);
  return out;
}

void Table::Wake() {
  // Releasing the mutex makes absl re-evaluate the worker's wait condition,
  // which reads the cancel flags.
  absl::MutexLock lock(&mu_);
}

void Table::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

v1::TableInfo Table::Info() const {
  absl::MutexLock lock(&mu_);
  v1::TableInfo info;
  info.set_name(config_.name());
  info.set_size(SizeLocked());
  info.set_chunks(store_.chunks());
  info.set_bytes(store_.bytes());
  info.set_inserted_transitions(limiter_.inserted());
  info.set_sampled_transitions(limiter_.sampled());
  if (visit_counts_ != nullptr) info.set_visit_codes(visit_counts_->distinct());
  *info.mutable_config() = config_;
  return info;
}

bool Table::InsertReadyLocked() const {
  if (pending_inserts_.empty()) return false;
  const v1::TrajectoryChunk& chunk = pending_inserts_.front().chunk;
  const auto last = last_sequence_.find(chunk.actor_id());
  if (last != last_sequence_.end() && chunk.sequence() <= last->second) {
    return true;  // A duplicate stores nothing, so it never waits.
  }
  return limiter_.CanInsert(chunk.rewards().shape(0), SizeLocked());
}

int64_t Table::AvailableLocked() const {
  if (!selector_->ConsumesSamples()) return SizeLocked();
  return store_.end() - std::max(queue_next_, first_item_) +
         static_cast<int64_t>(queue_returned_.size());
}

bool Table::CanSampleLocked(int batch_size) const {
  // A consuming sampler cannot hand out more items than it has to hand out.
  if (selector_->ConsumesSamples() && AvailableLocked() < batch_size) {
    return false;
  }
  return AvailableLocked() > 0 && limiter_.CanSample(batch_size, SizeLocked());
}

bool Table::SampleReadyLocked() const {
  return !pending_samples_.empty() &&
         CanSampleLocked(pending_samples_.front().options.batch_size);
}

bool Table::WorkerHasWorkLocked() const {
  if (closed_ || InsertReadyLocked() || SampleReadyLocked()) return true;
  // An operation queued since the worker began waiting may expire sooner.
  if (NextDeadlineLocked() < worker_deadline_) return true;
  const absl::Time now = absl::Now();
  for (const PendingInsert& op : pending_inserts_) {
    if (op.deadline <= now || (op.cancel && op.cancel->load())) return true;
  }
  for (const PendingSample& op : pending_samples_) {
    if (op.deadline <= now || (op.cancel && op.cancel->load())) return true;
  }
  return false;
}

absl::Time Table::NextDeadlineLocked() const {
  absl::Time next = absl::InfiniteFuture();
  for (const PendingInsert& op : pending_inserts_) {
    next = std::min(next, op.deadline);
  }
  for (const PendingSample& op : pending_samples_) {
    next = std::min(next, op.deadline);
  }
  return next;
}

void Table::WorkerLoop() {
  std::vector<absl::AnyInvocable<void()>> completions;
  absl::MutexLock lock(&mu_);
  while (true) {
    worker_deadline_ = NextDeadlineLocked();
    mu_.AwaitWithDeadline(absl::Condition(this, &Table::WorkerHasWorkLocked),
                          worker_deadline_);
    const absl::Time now = absl::Now();

    // Operations that can no longer wait: expired, cancelled, or closed.
    auto should_end = [&](const auto& op) -> absl::Status {
      if (closed_) return absl::CancelledError("the table is closed");
      if (op.cancel && op.cancel->load()) {
        return absl::CancelledError("the call was cancelled");
      }
      if (op.deadline <= now) {
        return absl::DeadlineExceededError(
            "waited on the rate limiter until the deadline");
      }
      return absl::OkStatus();
    };
    for (auto it = pending_inserts_.begin(); it != pending_inserts_.end();) {
      absl::Status status = should_end(*it);
      if (status.ok()) {
        ++it;
        continue;
      }
      metrics_->insert_wait->Increment(
          absl::ToDoubleSeconds(now - it->enqueued));
      completions.push_back(
          [done = std::move(it->done), status]() mutable { done(status); });
      it = pending_inserts_.erase(it);
    }
    for (auto it = pending_samples_.begin(); it != pending_samples_.end();) {
      absl::Status status = should_end(*it);
      if (status.ok()) {
        ++it;
        continue;
      }
      metrics_->sample_wait->Increment(
          absl::ToDoubleSeconds(now - it->enqueued));
      completions.push_back(
          [done = std::move(it->done), status]() mutable { done(status); });
      it = pending_samples_.erase(it);
    }

    // Serve the heads of both queues, in order, while the limiter allows.
    bool progressed = true;
    while (progressed) {
      progressed = false;
      if (InsertReadyLocked()) {
        PendingInsert op = std::move(pending_inserts_.front());
        pending_inserts_.pop_front();
        metrics_->insert_wait->Increment(
            absl::ToDoubleSeconds(absl::Now() - op.enqueued));
        absl::StatusOr<Stored> stored =
            StoreLocked(std::move(op.chunk), /*log=*/true);
        completions.push_back([this, done = std::move(op.done),
                               stored = std::move(stored),
                               start = op.enqueued]() mutable {
          Acknowledge(std::move(stored), start, std::move(done));
        });
        progressed = true;
      }
      if (SampleReadyLocked()) {
        PendingSample op = std::move(pending_samples_.front());
        pending_samples_.pop_front();
        metrics_->sample_wait->Increment(
            absl::ToDoubleSeconds(absl::Now() - op.enqueued));
        completions.push_back([this, done = std::move(op.done),
                               batch = SampleLocked(op.options),
                               start = op.enqueued]() mutable {
          metrics_->sample_latency->Observe(
              absl::ToDoubleSeconds(absl::Now() - start));
          done(std::move(batch));
        });
        progressed = true;
      }
    }

    const bool finished =
        closed_ && pending_inserts_.empty() && pending_samples_.empty();
    mu_.Unlock();
    for (auto& completion : completions) completion();
    completions.clear();
    mu_.Lock();
    if (finished) return;
  }
}

absl::StatusOr<Table::Stored> Table::StoreLocked(v1::TrajectoryChunk chunk,
                                                 bool log) {
  Stored stored;
  InsertResult& result = stored.result;
  result.sequence = chunk.sequence();
  // Once the log failed nothing is acknowledged, not even a resend of a
  // chunk stored before: it may be one the log lost.
  if (log && log_ != nullptr) RETURN_IF_ERROR(log_->status());
  const auto last = last_sequence_.find(chunk.actor_id());
  if (last != last_sequence_.end() && chunk.sequence() <= last->second) {
    result.duplicate = true;
    metrics_->duplicate_chunks->Increment();
    return stored;
  }
  if (log && log_ != nullptr) {
    // Logged before it is stored: what the log lacks was never acknowledged.
    v1::LogRecord record;
    record.mutable_insert()->Swap(&chunk);
    record.mutable_insert()->set_job_id(job_id_);
    record.mutable_insert()->set_table(config_.name());
    absl::StatusOr<uint64_t> position = log_->Append(record);
    record.mutable_insert()->Swap(&chunk);
    if (!position.ok()) return position.status();
    stored.log_position = *position;
    stored.log = log_;
  }
  last_sequence_[chunk.actor_id()] = chunk.sequence();
  const int64_t length = chunk.rewards().shape(0);
  newest_policy_version_ =
      std::max(newest_policy_version_, chunk.policy_version());
  // Each stored transition's observation is counted once, here, after
  // de-duplication: a resend is never counted again.
  std::vector<std::string> derived;
  if (visit_counts_ != nullptr) {
    derived.push_back(
        visit_counts_->Codes(chunk.observations().data(), length));
    visit_counts_->Count(derived.back());
  }
  const int64_t first = store_.Append(chunk, std::move(derived));
  for (int64_t key = first; key < first + length; ++key) {
    selector_->Insert(key);
  }
  limiter_.RecordInsert(length);
  metrics_->inserted_chunks->Increment();
  metrics_->inserted_transitions->Increment(length);
  EvictLocked();
  UpdateGaugesLocked();
  return stored;
}

void Table::EvictFrontLocked() {
  const int64_t chunk_first = store_.first();
  const int64_t length = store_.PopFront();
  for (int64_t key = std::max(first_item_, chunk_first);
       key < chunk_first + length; ++key) {
    selector_->Delete(key);
    metrics_->evicted_transitions->Increment();
  }
  first_item_ = store_.first();
  // Evicted items handed out by a queue are settled already.
  queue_returned_.erase(queue_returned_.begin(),
                        queue_returned_.lower_bound(first_item_));
  queue_finished_.erase(queue_finished_.begin(),
                        queue_finished_.lower_bound(first_item_));
}

std::optional<int64_t> Table::NextQueuedLocked() {
  if (!queue_returned_.empty()) {
    const int64_t key = *queue_returned_.begin();
    queue_returned_.erase(queue_returned_.begin());
    return key;
  }
  queue_next_ = std::max(queue_next_, first_item_);
  if (queue_next_ >= store_.end()) return std::nullopt;
  return queue_next_++;
}

void Table::FinishQueuedLocked(int64_t key) {
  if (key < first_item_) return;  // evicted meanwhile
  queue_finished_.insert(key);
  while (!queue_finished_.empty() && *queue_finished_.begin() == first_item_) {
    queue_finished_.erase(queue_finished_.begin());
    ConsumeLocked(first_item_);
  }
}

void Table::LogConsumedLocked() {
  if (log_ == nullptr || !last_consumed_.has_value()) return;
  // Best effort: if it is lost, a restart hands these items out again.
  v1::LogRecord record;
  *record.mutable_consume() = *last_consumed_;
  record.mutable_consume()->set_job_id(job_id_);
  record.mutable_consume()->set_table(config_.name());
  (void)log_->Append(record);
  last_consumed_.reset();
}

void Table::Settle(uint64_t delivery, bool delivered) {
  absl::MutexLock lock(&mu_);
  auto found = in_flight_.find(delivery);
  if (found == in_flight_.end()) return;
  InFlight batch = std::move(found->second);
  in_flight_.erase(found);
  if (delivered) {
    for (int64_t key : batch.queued_keys) FinishQueuedLocked(key);
    LogConsumedLocked();
  } else {
    limiter_.ForgetSample(batch.transitions);
    metrics_->undelivered_transitions->Increment(batch.transitions);
    for (int64_t key : batch.queued_keys) {
      if (key >= first_item_) queue_returned_.insert(key);
    }
  }
  UpdateGaugesLocked();
}

void Table::ConsumeLocked(int64_t key) {
  const ChunkStore::Identity chunk = store_.ChunkIdentity(key);
  last_consumed_.emplace();
  last_consumed_->set_actor_id(chunk.actor_id);
  last_consumed_->set_sequence(chunk.sequence);
  last_consumed_->set_offset(key + 1 - chunk.first);
  selector_->Delete(key);
  first_item_ = key + 1;
  // Chunks whose every item was consumed go.
  while (store_.chunks() > 0 && first_item_ >= store_.FrontEnd()) {
    store_.PopFront();
  }
}

bool Table::IsStaleLocked(int64_t policy_version) const {
  return config_.max_policy_lag() > 0 &&
         policy_version < newest_policy_version_ - config_.max_policy_lag();
}

void Table::EvictLocked() {
  // Always keep the newest chunk: a single chunk never exceeds the limits.
  while (store_.chunks() > 1 && (SizeLocked() > config_.capacity() ||
                                 (config_.capacity_bytes() > 0 &&
                                  store_.bytes() > config_.capacity_bytes()) ||
                                 IsStaleLocked(store_.FrontPolicyVersion()))) {
    EvictFrontLocked();
  }
}

void Table::UpdateGaugesLocked() {
  metrics_->items->Set(SizeLocked());
  metrics_->chunks->Set(store_.chunks());
  metrics_->bytes->Set(store_.bytes());
  if (visit_counts_ != nullptr) {
    metrics_->visit_codes->Set(static_cast<double>(visit_counts_->distinct()));
  }
}

absl::Status Table::NoFittingItemsLocked(const SampleOptions& options) const {
  return absl::FailedPreconditionError(absl::StrCat(
      "table ", config_.name(), " holds no items that fit the request (",
      options.shape.sequence_length > 0
          ? absl::StrCat("sequences of ", options.shape.sequence_length,
                         " steps")
          : std::string("transitions"),
      config_.max_policy_lag() > 0
          ? absl::StrCat(" within ", config_.max_policy_lag(),
                         " versions of the newest policy")
          : std::string(),
      ")"));
}

absl::StatusOr<SampledBatch> Table::SampleLocked(const SampleOptions& options) {
  const int b = options.batch_size;
  // The stored column that fills each of the batch's extra columns (-1:
  // zeros), and their bytes per step.
  absl::Span<const int> columns = own_columns_;
  absl::Span<const int64_t> column_bytes = column_bytes_;
  std::vector<int> asked_columns;
  std::vector<int64_t> asked_bytes;
  if (options.columns.has_value()) {
    for (const v1::ColumnSpec& asked : *options.columns) {
      asked_columns.push_back(FindSampleColumn(sample_columns_, asked));
      asked_bytes.push_back(SpecBytes(asked.spec()));
    }
    columns = asked_columns;
    column_bytes = asked_bytes;
  }
  SampledBatch batch;
  batch.Allocate(b, options.shape.sequence_length, observation_bytes_,
                 action_bytes_, column_bytes);
  batch.table_size = SizeLocked();
  const double beta = options.importance_exponent > 0
                          ? options.importance_exponent
                          : importance_exponent_;
  const bool prioritized = config_.sampler() == v1::TableConfig::PRIORITIZED;
  int draws_left = kMaxDrawsPerItem * b;
  const std::vector<double>& lag_buckets = PolicyLagBuckets();
  std::vector<double> lag_counts(lag_buckets.size() + 1, 0.0);
  double lag_sum = 0;
  // Draw in rounds: select every row still missing, locate the chunks and
  // prefetch them, then the rows they hold, then gather. A queue consumes
  // what it hands out, so it draws one item per round.
  struct Candidate {
    Selection selection;
    size_t chunk;
  };
  std::vector<Candidate> candidates;
  const bool queue = selector_->ConsumesSamples();
  InFlight in_flight;
  in_flight.transitions = b;
  // A queue that cannot fill the batch puts back what it took.
  auto fail = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (int64_t key : in_flight.queued_keys) queue_returned_.insert(key);
    return NoFittingItemsLocked(options);
  };
  for (int row = 0; row < b;) {
    const int wanted = queue ? 1 : b - row;
    if (AvailableLocked() == 0 || draws_left < wanted) return fail();
    draws_left -= wanted;
    candidates.clear();
    for (int i = 0; i < wanted; ++i) {
      Selection selection;
      if (queue) {
        selection = {*NextQueuedLocked(), 1.0};
      } else {
        selection = selector_->Sample(rng_);
      }
      candidates.push_back({selection, store_.IndexOf(selection.key)});
      store_.PrefetchChunk(candidates.back().chunk);
    }
    for (const Candidate& candidate : candidates) {
      store_.PrefetchRows(candidate.chunk, candidate.selection.key);
    }
    for (const auto& [selection, chunk] : candidates) {
      const int64_t version = store_.PolicyVersionAt(chunk);
      const bool stale = IsStaleLocked(version);
      if (stale && queue) {
        FinishQueuedLocked(selection.key);  // a queue drops what it may not serve
        continue;
      }
      if (stale || !store_.Gather(chunk, selection.key, options.shape, columns,
                                  row, batch)) {
        if (queue) queue_returned_.insert(selection.key);  // still first
        continue;
      }
      // Bucket counts, added to the histogram once per batch: cheaper than
      // an Observe per item.
      const double lag = static_cast<double>(newest_policy_version_ - version);
      const auto bucket =
          std::lower_bound(lag_buckets.begin(), lag_buckets.end(), lag);
      lag_counts[bucket - lag_buckets.begin()] += 1;
      lag_sum += lag;
      std::memcpy(&batch.probabilities[row * sizeof(double)],
                  &selection.probability, sizeof(double));
      const float weight =
          prioritized
              ? static_cast<float>(std::pow(
                    static_cast<double>(SizeLocked()) * selection.probability,
                    -beta))
              : 1.0f;
      std::memcpy(&batch.weights[row * sizeof(float)], &weight, sizeof(float));
      ++row;
      if (queue) in_flight.queued_keys.push_back(selection.key);
    }
  }
  // The visit codes gathered become their counts, as of now.
  for (size_t i = 0; i < columns.size(); ++i) {
    if (visit_counts_ != nullptr && columns[i] == code_column_) {
      visit_counts_->CodesToCounts(batch.extra_columns[i]);
    }
  }
  // Stale items a queue dropped are consumed at once.
  LogConsumedLocked();
  batch.delivery = next_delivery_++;
  in_flight_.emplace(batch.delivery, std::move(in_flight));
  metrics_->policy_lag->ObserveMultiple(lag_counts, lag_sum);
  limiter_.RecordSample(b);
  metrics_->samples->Increment();
  metrics_->sampled_transitions->Increment(b);
  UpdateGaugesLocked();
  return batch;
}

absl::Status Table::UpdatePriorities(const std::vector<int64_t>& keys,
                                     const std::vector<double>& priorities) {
  if (keys.size() != priorities.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("priorities: ", priorities.size(), " values for ",
                     keys.size(), " keys"));
  }
  if (config_.sampler() != v1::TableConfig::PRIORITIZED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "table ", config_.name(), " is not PRIORITIZED; it has no priorities"));
  }
  for (size_t i = 0; i < priorities.size(); ++i) {
    if (!(std::isfinite(priorities[i]) && priorities[i] >= 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "priorities[", i, "]: must be finite and >= 0, got ", priorities[i]));
    }
  }
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < keys.size(); ++i) {
    RETURN_IF_ERROR(selector_->Update(keys[i], priorities[i]));
  }
  return absl::OkStatus();
}

absl::Status Table::WriteSnapshot(SnapshotWriter& writer) const {
  // Take a consistent view under the lock (the chunks' data is shared, not
  // copied), then write it without holding up inserts and samples.
  std::optional<ChunkStore::Frozen> chunks;
  std::optional<v1::LogRecord> consume;
  v1::LogRecord sequences;
  std::vector<v1::VisitCountRecord> counts;
  {
    absl::MutexLock lock(&mu_);
    chunks = store_.Freeze();
    // Evicted transitions stay counted, so the counts are part of the
    // snapshot: its chunks alone would not give them back.
    if (visit_counts_ != nullptr) {
      counts = visit_counts_->Records(kVisitCodesPerRecord);
    }
    if (first_item_ > store_.first()) {
      const ChunkStore::Identity chunk = store_.ChunkIdentity(first_item_);
      consume.emplace();
      consume->mutable_consume()->set_job_id(job_id_);
      consume->mutable_consume()->set_table(config_.name());
      consume->mutable_consume()->set_actor_id(chunk.actor_id);
      consume->mutable_consume()->set_sequence(chunk.sequence);
      consume->mutable_consume()->set_offset(first_item_ - chunk.first);
    }
    sequences.mutable_sequences()->set_job_id(job_id_);
    sequences.mutable_sequences()->set_table(config_.name());
    for (const auto& [actor, sequence] : last_sequence_) {
      (*sequences.mutable_sequences()->mutable_last_sequence())[actor] =
          sequence;
    }
  }
  v1::LogRecord create;
  create.mutable_create_tables()->set_job_id(job_id_);
  *create.mutable_create_tables()->add_tables() = config_;
  RETURN_IF_ERROR(writer.Write(create));
  for (size_t i = 0; i < chunks->chunks(); ++i) {
    v1::LogRecord insert;
    *insert.mutable_insert() = chunks->Export(i, config_);
    insert.mutable_insert()->set_job_id(job_id_);
    insert.mutable_insert()->set_table(config_.name());
    RETURN_IF_ERROR(writer.Write(insert));
  }
  if (consume) RETURN_IF_ERROR(writer.Write(*consume));
  RETURN_IF_ERROR(writer.Write(sequences));
  // After the chunks: restoring them counts them, and these records then
  // set every code's count to the snapshot's.
  for (v1::VisitCountRecord& record : counts) {
    v1::LogRecord log_record;
    record.set_job_id(job_id_);
    record.set_table(config_.name());
    log_record.mutable_visit_counts()->Swap(&record);
    RETURN_IF_ERROR(writer.Write(log_record));
  }
  return absl::OkStatus();
}

absl::Status Table::Restore(v1::TrajectoryChunk chunk) {
  RETURN_IF_ERROR(Validate(chunk));
  absl::MutexLock lock(&mu_);
  return StoreLocked(std::move(chunk), /*log=*/false).status();
}

void Table::RestoreConsumed(const v1::ConsumeRecord& record) {
  absl::MutexLock lock(&mu_);
  const std::optional<int64_t> first =
      store_.FindChunk(record.actor_id(), record.sequence());
  if (!first.has_value()) return;  // superseded by later consumption
  const int64_t until = *first + record.offset();
  while (first_item_ < until && first_item_ < store_.end()) {
    ConsumeLocked(first_item_);
  }
  UpdateGaugesLocked();
}

void Table::RestoreSequences(const v1::SequenceRecord& record) {
  absl::MutexLock lock(&mu_);
  for (const auto& [actor, sequence] : record.last_sequence()) {
    uint64_t& last = last_sequence_[actor];
    last = std::max(last, sequence);
  }
}

absl::Status Table::RestoreVisitCounts(const v1::VisitCountRecord& record) {
  absl::MutexLock lock(&mu_);
  if (visit_counts_ == nullptr) return absl::OkStatus();
  RETURN_IF_ERROR(visit_counts_->Restore(record));
  UpdateGaugesLocked();
  return absl::OkStatus();
}

void Table::AttachLog(WriteAheadLog* log) {
  absl::MutexLock lock(&mu_);
  if (config_.durable()) log_ = log;
}

void Table::FinishRecovery() {
  absl::MutexLock lock(&mu_);
  limiter_.Rebalance(SizeLocked());
}

}  // namespace entropic
