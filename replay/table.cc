#include "replay/table.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/status_macros.h"
#include "common/tensor.h"

namespace entropic {
namespace {

absl::Status CheckSpec(const v1::TensorSpec& spec, absl::string_view field) {
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
  return absl::OkStatus();
}

absl::Status CheckConfig(const v1::TableConfig& config) {
  if (config.name().empty()) {
    return absl::InvalidArgumentError("table.name: is required");
  }
  const std::string prefix = absl::StrCat("table ", config.name(), ": ");
  RETURN_IF_ERROR(CheckSpec(config.observation(), prefix + "observation"));
  RETURN_IF_ERROR(CheckSpec(config.action(), prefix + "action"));
  if (config.max_chunk_length() < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "max_chunk_length: must be at least 1"));
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
  return absl::OkStatus();
}

int64_t SpecBytes(const v1::TensorSpec& spec) {
  return NumElements(ShapeOf(spec.shape())) * DTypeSize(spec.dtype());
}

// Moves the bytes out of a tensor the request no longer needs.
std::string TakeData(v1::Tensor* tensor) {
  std::string data;
  tensor->mutable_data()->swap(data);
  return data;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Table>> Table::Create(
    std::string job_id, const v1::TableConfig& config, TableMetrics* metrics,
    uint64_t seed) {
  RETURN_IF_ERROR(CheckConfig(config));
  return std::unique_ptr<Table>(
      new Table(std::move(job_id), config, metrics, seed));
}

Table::Table(std::string job_id, const v1::TableConfig& config,
             TableMetrics* metrics, uint64_t seed)
    : job_id_(std::move(job_id)),
      config_(config),
      metrics_(metrics),
      observation_bytes_(SpecBytes(config.observation())),
      action_bytes_(SpecBytes(config.action())),
      limiter_(config.rate_limit()),
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
  RETURN_IF_ERROR(CheckFinite(rewards, "chunk.rewards"));
  RETURN_IF_ERROR(CheckFinite(chunk.observations(), "chunk.observations"));
  RETURN_IF_ERROR(CheckFinite(chunk.actions(), "chunk.actions"));
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
  absl::StatusOr<InsertResult> result;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) {
      result = absl::CancelledError("the table is closed");
    } else {
      pending_inserts_.push_back(PendingInsert{std::move(chunk), start,
                                               deadline, std::move(cancel),
                                               std::move(done)});
      if (pending_inserts_.size() > 1 || !InsertReadyLocked()) {
        return;  // The worker completes it.
      }
      PendingInsert ready = std::move(pending_inserts_.front());
      pending_inserts_.pop_front();
      result = StoreLocked(std::move(ready.chunk));
      done = std::move(ready.done);
    }
  }
  metrics_->insert_latency->Observe(absl::ToDoubleSeconds(absl::Now() - start));
  done(std::move(result));
}

void Table::SampleAsync(int batch_size, absl::Time deadline, CancelFlag cancel,
                        SampleDone done) {
  if (batch_size < 1 || batch_size > (1 << 20)) {
    done(absl::InvalidArgumentError(
        absl::StrCat("batch_size: must be in [1, 1048576], got ", batch_size)));
    return;
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<SampledBatch> result;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) {
      result = absl::CancelledError("the table is closed");
    } else if (pending_samples_.empty() &&
               limiter_.CanSample(batch_size, size_)) {
      result = SampleLocked(batch_size);
    } else {
      pending_samples_.push_back(PendingSample{
          batch_size, start, deadline, std::move(cancel), std::move(done)});
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
  absl::Notification finished;
  absl::StatusOr<SampledBatch> out;
  SampleAsync(batch_size, deadline, nullptr,
              [&](absl::StatusOr<SampledBatch> result) {
                out = std::move(result);
                finished.Notify();
              });
  finished.WaitForNotification();
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
  info.set_size(size_);
  info.set_chunks(chunks_.size());
  info.set_inserted_transitions(limiter_.inserted());
  info.set_sampled_transitions(limiter_.sampled());
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
  return limiter_.CanInsert(chunk.rewards().shape(0), size_);
}

bool Table::SampleReadyLocked() const {
  return !pending_samples_.empty() &&
         limiter_.CanSample(pending_samples_.front().batch_size, size_);
}

bool Table::WorkerHasWorkLocked() const {
  if (closed_ || InsertReadyLocked() || SampleReadyLocked()) return true;
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
    mu_.AwaitWithDeadline(absl::Condition(this, &Table::WorkerHasWorkLocked),
                          NextDeadlineLocked());
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
        InsertResult result = StoreLocked(std::move(op.chunk));
        completions.push_back([this, done = std::move(op.done), result,
                               start = op.enqueued]() mutable {
          metrics_->insert_latency->Observe(
              absl::ToDoubleSeconds(absl::Now() - start));
          done(result);
        });
        progressed = true;
      }
      if (SampleReadyLocked()) {
        PendingSample op = std::move(pending_samples_.front());
        pending_samples_.pop_front();
        metrics_->sample_wait->Increment(
            absl::ToDoubleSeconds(absl::Now() - op.enqueued));
        completions.push_back([this, done = std::move(op.done),
                               batch = SampleLocked(op.batch_size),
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

InsertResult Table::StoreLocked(v1::TrajectoryChunk chunk) {
  InsertResult result;
  result.sequence = chunk.sequence();
  auto [last, inserted] =
      last_sequence_.try_emplace(chunk.actor_id(), chunk.sequence());
  if (!inserted) {
    if (chunk.sequence() <= last->second) {
      result.duplicate = true;
      metrics_->duplicate_chunks->Increment();
      return result;
    }
    last->second = chunk.sequence();
  }

  StoredChunk stored;
  stored.length = static_cast<int32_t>(chunk.rewards().shape(0));
  stored.first_transition = next_transition_;
  stored.terminated = chunk.terminated();
  stored.policy_version = chunk.policy_version();
  stored.observations = TakeData(chunk.mutable_observations());
  stored.actions = TakeData(chunk.mutable_actions());
  stored.rewards = TakeData(chunk.mutable_rewards());
  next_transition_ += stored.length;
  size_ += stored.length;
  limiter_.RecordInsert(stored.length);
  metrics_->inserted_chunks->Increment();
  metrics_->inserted_transitions->Increment(stored.length);
  chunks_.push_back(std::move(stored));
  EvictLocked();
  metrics_->items->Set(size_);
  metrics_->chunks->Set(chunks_.size());
  return result;
}

void Table::EvictLocked() {
  while (size_ > config_.capacity()) {
    const int32_t evicted = chunks_.front().length;
    size_ -= evicted;
    metrics_->evicted_transitions->Increment(evicted);
    chunks_.pop_front();
  }
}

const Table::StoredChunk& Table::ChunkOfTransitionLocked(int64_t index) const {
  // Chunks are ordered by first_transition: the owner is the last chunk that
  // starts at or before `index`.
  auto after = std::upper_bound(chunks_.begin(), chunks_.end(), index,
                                [](int64_t value, const StoredChunk& chunk) {
                                  return value < chunk.first_transition;
                                });
  return *std::prev(after);
}

SampledBatch Table::SampleLocked(int batch_size) {
  SampledBatch batch;
  batch.batch_size = batch_size;
  batch.table_size = size_;
  batch.observations.resize(batch_size * observation_bytes_);
  batch.next_observations.resize(batch_size * observation_bytes_);
  batch.actions.resize(batch_size * action_bytes_);
  batch.rewards.resize(batch_size * sizeof(float));
  batch.terminated.resize(batch_size);
  batch.policy_versions.resize(batch_size * sizeof(int64_t));

  const int64_t first = chunks_.front().first_transition;
  std::uniform_int_distribution<int64_t> pick(first, first + size_ - 1);
  for (int i = 0; i < batch_size; ++i) {
    const int64_t index = pick(rng_);
    const StoredChunk& chunk = ChunkOfTransitionLocked(index);
    const int64_t step = index - chunk.first_transition;
    std::memcpy(&batch.observations[i * observation_bytes_],
                &chunk.observations[step * observation_bytes_],
                observation_bytes_);
    std::memcpy(&batch.next_observations[i * observation_bytes_],
                &chunk.observations[(step + 1) * observation_bytes_],
                observation_bytes_);
    std::memcpy(&batch.actions[i * action_bytes_],
                &chunk.actions[step * action_bytes_], action_bytes_);
    std::memcpy(&batch.rewards[i * sizeof(float)],
                &chunk.rewards[step * sizeof(float)], sizeof(float));
    batch.terminated[i] = chunk.terminated && step == chunk.length - 1;
    std::memcpy(&batch.policy_versions[i * sizeof(int64_t)],
                &chunk.policy_version, sizeof(int64_t));
  }
  limiter_.RecordSample(batch_size);
  metrics_->samples->Increment();
  metrics_->sampled_transitions->Increment(batch_size);
  return batch;
}

}  // namespace entropic
