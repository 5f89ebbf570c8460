#include "replay/replay_service.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc_status.h"
#include "common/message_size.h"
#include "common/status_macros.h"
#include "common/tensor.h"
#include "replay/sample_wire.h"

namespace entropic {
namespace {

// Chunks of one stream handed to tables but not yet acknowledged. Bounds the
// memory one stream can hold while its table's rate limiter makes it wait.
constexpr int kMaxInsertsInFlight = 16;
constexpr size_t kMaxAcksQueued = 256;
// A sample's answer beyond its tensor data: shapes, dtypes, table names.
constexpr int64_t kResponseOverheadBytes = kMessageOverheadBytes;

// The call's deadline, capped so a sample without one cannot wait forever.
absl::Time SampleDeadline(const grpc::CallbackServerContext& context) {
  const absl::Time cap = absl::Now() + absl::Minutes(10);
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return cap;
  return std::min(cap, absl::FromChrono(deadline));
}

// One Insert stream. Reads chunks, hands each to its table, writes one
// acknowledgement per chunk in the order they were sent, and finishes once
// the client is done (OK) or a chunk fails (with that chunk's status, after
// the acknowledgements of the chunks stored before it).
//
// Reactions and table completions run on different threads; all state is
// under mu_. Finish() is always the last thing a method does, outside the
// lock, because OnDone may delete the reactor as soon as it is called.
class InsertReactor final
    : public grpc::ServerBidiReactor<v1::InsertRequest, v1::InsertResponse> {
 public:
  InsertReactor(TableStore* store, ReplayMetrics* metrics)
      : store_(store),
        metrics_(metrics),
        cancel_(std::make_shared<std::atomic<bool>>(false)) {
    metrics_->open_insert_streams().Increment();
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      std::optional<grpc::Status> finish;
      {
        absl::MutexLock lock(&mu_);
        reads_done_ = true;
        finish = TakeFinishLocked();
      }
      if (finish) Finish(*finish);
      return;
    }
    v1::TrajectoryChunk chunk = std::move(*request_.mutable_chunk());
    absl::StatusOr<std::shared_ptr<Table>> table = FindTable(chunk);
    uint64_t slot = 0;
    {
      std::optional<grpc::Status> finish;
      {
        absl::MutexLock lock(&mu_);
        if (!status_.ok()) return;  // Failed already; nothing more is stored.
        if (!table.ok()) {
          metrics_->refused_chunks().Increment();
          status_ = table.status();
          finish = TakeFinishLocked();
        } else {
          ++in_flight_;
          slot = first_slot_ + slots_.size();
          slots_.push_back(Slot{chunk.sequence(), std::nullopt});
        }
      }
      if (finish) {
        Finish(*finish);
        return;
      }
    }
    // May complete inline; OnDone cannot run before this reaction returns.
    (*table)->InsertAsync(std::move(chunk), absl::InfiniteFuture(), cancel_,
                          [this, slot](absl::StatusOr<InsertResult> result) {
                            OnInserted(slot, std::move(result));
                          });
    absl::MutexLock lock(&mu_);
    if (CanReadLocked()) {
      StartRead(&request_);
    } else {
      read_paused_ = true;
    }
  }

  void OnWriteDone(bool ok) override {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) {
        if (status_.ok())
          status_ = absl::CancelledError("the client went away");
        acks_.clear();
      }
      MaybeWriteLocked();
      MaybeResumeReadingLocked();
      finish = TakeFinishLocked();
    }
    if (finish) Finish(*finish);
  }

  void OnCancel() override {
    cancel_->store(true);
    std::vector<std::shared_ptr<Table>> tables;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [key, table] : tables_) tables.push_back(table);
    }
    for (auto& table : tables) table->Wake();
  }

  void OnDone() override {
    metrics_->open_insert_streams().Decrement();
    delete this;
  }

 private:
  absl::StatusOr<std::shared_ptr<Table>> FindTable(
      const v1::TrajectoryChunk& chunk) {
    const std::string key = absl::StrCat(chunk.job_id(), "/", chunk.table());
    {
      absl::MutexLock lock(&mu_);
      auto found = tables_.find(key);
      if (found != tables_.end()) return found->second;
    }
    absl::StatusOr<std::shared_ptr<Table>> table =
        store_->Find(chunk.job_id(), chunk.table());
    if (!table.ok()) {
      // An unknown job or table is a malformed chunk for its sender.
      return absl::InvalidArgumentError(
          absl::StrCat("chunk.job_id/chunk.table: ", table.status().message()));
    }
    absl::MutexLock lock(&mu_);
    tables_[key] = *table;
    return table;
  }

  // Runs on a table's worker, or inline in OnReadDone. Tables may complete
  // a stream's chunks out of order (another table, or an inline insert
  // overtaking the worker's acknowledgement), so results wait in their slot
  // and acknowledgements go out in the order the chunks arrived.
  void OnInserted(uint64_t slot, absl::StatusOr<InsertResult> result) {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      slots_[slot - first_slot_].result = std::move(result);
      while (!slots_.empty() && slots_.front().result.has_value()) {
        Slot done = std::move(slots_.front());
        slots_.pop_front();
        ++first_slot_;
        --in_flight_;
        AcknowledgeLocked(done.sequence, *done.result);
      }
      MaybeResumeReadingLocked();
      finish = TakeFinishLocked();
    }
    if (finish) Finish(*finish);
  }

  void AcknowledgeLocked(uint64_t sequence,
                         const absl::StatusOr<InsertResult>& result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!result.ok()) {
      if (result.status().code() == absl::StatusCode::kInvalidArgument) {
        metrics_->refused_chunks().Increment();
      }
      if (status_.ok()) {
        status_ = absl::Status(result.status().code(),
                               absl::StrCat("chunk with sequence ", sequence,
                                            ": ", result.status().message()));
      }
      return;
    }
    // After a failure nothing more is acknowledged: the client resends from
    // its first unacknowledged chunk.
    if (!status_.ok()) return;
    v1::InsertResponse ack;
    ack.set_sequence(result->sequence);
    ack.set_duplicate(result->duplicate);
    acks_.push_back(std::move(ack));
    MaybeWriteLocked();
  }

  // Reading stops while the tables hold kMaxInsertsInFlight of this stream's
  // chunks or kMaxAcksQueued acknowledgements wait for a client that does
  // not read them: a stream's memory stays bounded whatever its client does.
  bool CanReadLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return status_.ok() && in_flight_ < kMaxInsertsInFlight &&
           acks_.size() < kMaxAcksQueued;
  }

  void MaybeResumeReadingLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (read_paused_ && !reads_done_ && CanReadLocked()) {
      read_paused_ = false;
      StartRead(&request_);
    }
  }

  void MaybeWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || acks_.empty() || finished_) return;
    writing_ = true;
    current_ack_ = std::move(acks_.front());
    acks_.pop_front();
    StartWrite(&current_ack_);
  }

  // The status to finish with, once: when nothing is in flight (every chunk
  // handed to a table has completed and every acknowledgement due has been
  // written) and the client is done or the stream failed.
  std::optional<grpc::Status> TakeFinishLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || in_flight_ > 0 || writing_ || !acks_.empty()) {
      return std::nullopt;
    }
    if (status_.ok() && !reads_done_) return std::nullopt;
    finished_ = true;
    return ToGrpcStatus(status_);
  }

  TableStore* const store_;
  ReplayMetrics* const metrics_;
  const CancelFlag cancel_;
  v1::InsertRequest request_;  // Target of the one outstanding read.

  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Table>> tables_ ABSL_GUARDED_BY(mu_);
  // A chunk handed to a table, until it is acknowledged in arrival order.
  struct Slot {
    uint64_t sequence;
    std::optional<absl::StatusOr<InsertResult>> result;
  };
  std::deque<Slot> slots_ ABSL_GUARDED_BY(mu_);
  uint64_t first_slot_ ABSL_GUARDED_BY(mu_) = 0;  // slots_.front()'s number
  std::deque<v1::InsertResponse> acks_ ABSL_GUARDED_BY(mu_);
  v1::InsertResponse current_ack_ ABSL_GUARDED_BY(mu_);
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

// The sampled batches behind one answer, settled once with their tables:
// delivered, or not (the default when dropped unsettled: a batch nobody
// confirmed was sent is not consumed).
class Delivery {
 public:
  Delivery() = default;
  Delivery(Delivery&& other) noexcept : batches_(std::move(other.batches_)) {
    other.batches_.clear();
  }
  Delivery& operator=(Delivery&& other) noexcept {
    if (this != &other) {
      Settle(false);
      batches_ = std::move(other.batches_);
      other.batches_.clear();
    }
    return *this;
  }
  ~Delivery() { Settle(false); }

  void Add(std::shared_ptr<Table> table, uint64_t ticket) {
    batches_.emplace_back(std::move(table), ticket);
  }
  void Settle(bool delivered) {
    for (auto& [table, ticket] : batches_) table->Settle(ticket, delivered);
    batches_.clear();
  }

 private:
  std::vector<std::pair<std::shared_ptr<Table>, uint64_t>> batches_;
};

// The parts of one Sample call: the main table and, optionally, a share of
// the batch from a demonstrations table.
struct SamplePart {
  std::shared_ptr<Table> table;
  SampleOptions options;
};

// Importance weights are divided by the batch's largest, so they are <= 1.
void NormaliseWeights(SampledBatch& batch) {
  float* weights = reinterpret_cast<float*>(batch.weights.data());
  float largest = 0;
  for (int i = 0; i < batch.batch_size; ++i) {
    largest = std::max(largest, weights[i]);
  }
  if (largest <= 0) return;
  for (int i = 0; i < batch.batch_size; ++i) weights[i] /= largest;
}

// The extra columns a part's batch carries, in order: those it asked for,
// or its table's own.
std::vector<const v1::ColumnSpec*> ColumnsOf(const SamplePart& part) {
  std::vector<const v1::ColumnSpec*> columns;
  if (part.options.columns.has_value()) {
    for (const v1::ColumnSpec& column : *part.options.columns) {
      columns.push_back(&column);
    }
  } else {
    for (const v1::ColumnSpec& column : part.table->sample_columns()) {
      columns.push_back(&column);
    }
  }
  return columns;
}

// Moves a merged batch into an answer, shaped by the first table's
// signature, with the extra columns `columns` (the batch's, in order).
void FillAnswer(const v1::TableConfig& config,
                const std::vector<const v1::ColumnSpec*>& columns,
                SampledBatch batch, std::string sources,
                const std::vector<std::string>& names, SampleAnswer& answer) {
  v1::SampleResponse& response = answer.response;
  const int64_t b = batch.batch_size;
  const int64_t length = batch.sequence_length;
  auto fill = [](v1::Tensor* tensor, v1::DType dtype,
                 std::vector<int64_t> shape,
                 const google::protobuf::RepeatedField<int64_t>& tail,
                 std::string data) {
    tensor->set_dtype(dtype);
    for (int64_t dim : shape) tensor->add_shape(dim);
    for (int64_t dim : tail) tensor->add_shape(dim);
    tensor->set_data(std::move(data));
  };
  const google::protobuf::RepeatedField<int64_t> none;
  const std::vector<int64_t> steps =
      length > 0 ? std::vector<int64_t>{b, length} : std::vector<int64_t>{b};
  fill(response.mutable_observations(), config.observation().dtype(),
       length > 0 ? std::vector<int64_t>{b, length + 1}
                  : std::vector<int64_t>{b},
       config.observation().shape(), std::string());
  answer.observations = std::move(batch.observations);
  fill(response.mutable_actions(), config.action().dtype(), steps,
       config.action().shape(), std::move(batch.actions));
  fill(response.mutable_rewards(), v1::DTYPE_FLOAT32, steps, none,
       std::move(batch.rewards));
  fill(response.mutable_terminated(), v1::DTYPE_BOOL, steps, none,
       std::move(batch.terminated));
  if (length > 0) {
    fill(response.mutable_truncated(), v1::DTYPE_BOOL, steps, none,
         std::move(batch.truncated));
  } else {
    fill(response.mutable_next_observations(), config.observation().dtype(),
         {b}, config.observation().shape(), std::string());
    answer.next_observations = std::move(batch.next_observations);
    fill(response.mutable_discounts(), v1::DTYPE_FLOAT32, {b}, none,
         std::move(batch.discounts));
  }
  fill(response.mutable_policy_versions(), v1::DTYPE_INT64, {b}, none,
       std::move(batch.policy_versions));
  fill(response.mutable_keys(), v1::DTYPE_INT64, {b}, none,
       std::move(batch.keys));
  fill(response.mutable_probabilities(), v1::DTYPE_FLOAT64, {b}, none,
       std::move(batch.probabilities));
  fill(response.mutable_weights(), v1::DTYPE_FLOAT32, {b}, none,
       std::move(batch.weights));
  fill(response.mutable_sources(), v1::DTYPE_UINT8, {b}, none,
       std::move(sources));
  for (size_t i = 0; i < columns.size(); ++i) {
    v1::NamedTensor* column = response.add_extra_columns();
    column->set_name(columns[i]->name());
    fill(column->mutable_tensor(), columns[i]->spec().dtype(), steps,
         columns[i]->spec().shape(), std::move(batch.extra_columns[i]));
  }
  for (const std::string& name : names) response.add_source_tables(name);
  response.set_table_size(batch.table_size);
}

// One sample: its parts wait on their tables' workers (or complete inline),
// then the merged batch fills `response` and `done` runs, on whichever
// thread completed the last part. Owned by a reactor, which keeps it (and so
// the tables) alive until `done` has run.
class SampleCall {
 public:
  // Gets the batches to settle once the answer is (or is not) delivered.
  using Done = absl::AnyInvocable<void(absl::Status, Delivery)>;

  SampleCall(std::vector<SamplePart> parts, CancelFlag cancel,
             SampleAnswer* answer, Done done)
      : parts_(std::move(parts)),
        cancel_(std::move(cancel)),
        answer_(answer),
        done_(std::move(done)),
        results_(parts_.size()),
        remaining_(static_cast<int>(parts_.size())) {}

  // Starts every part. `done` may have run, and this call been destroyed by
  // its owner, before the last SampleAsync returns: nothing here touches a
  // member after starting a part.
  void Start(absl::Time deadline) {
    const std::vector<SamplePart> parts = parts_;
    const CancelFlag cancel = cancel_;
    for (size_t i = 0; i < parts.size(); ++i) {
      parts[i].table->SampleAsync(
          parts[i].options, deadline, cancel,
          [this, i](absl::StatusOr<SampledBatch> batch) {
            OnPart(i, std::move(batch));
          });
    }
  }

  // Makes waiting parts notice a cancellation.
  void Wake() {
    for (SamplePart& part : parts_) part.table->Wake();
  }

 private:
  void OnPart(size_t index, absl::StatusOr<SampledBatch> batch) {
    {
      absl::MutexLock lock(&mu_);
      results_[index] = std::move(batch);
      if (--remaining_ > 0) return;
    }
    // `done` may end the reactor that owns this call: run it from the
    // stack, as the very last thing.
    Done done = std::move(done_);
    Delivery delivery;
    for (size_t i = 0; i < results_.size(); ++i) {
      if (results_[i].ok()) {
        delivery.Add(parts_[i].table, results_[i]->delivery);
      }
    }
    for (auto& result : results_) {
      if (!result.ok()) {
        delivery.Settle(false);
        done(result.status(), Delivery());
        return;
      }
    }
    SampledBatch merged = std::move(*results_[0]);
    std::string sources(merged.batch_size, '\0');
    std::vector<std::string> names = {parts_[0].table->config().name()};
    for (size_t i = 1; i < results_.size(); ++i) {
      merged.Append(*results_[i]);
      sources.append(results_[i]->batch_size, static_cast<char>(i));
      names.push_back(parts_[i].table->config().name());
    }
    NormaliseWeights(merged);
    // Every part carries the sampled table's columns (PlanSampleParts).
    FillAnswer(parts_[0].table->config(), ColumnsOf(parts_[0]),
               std::move(merged), std::move(sources), names, *answer_);
    done(absl::OkStatus(), std::move(delivery));
  }

  std::vector<SamplePart> parts_;
  const CancelFlag cancel_;
  SampleAnswer* const answer_;
  Done done_;
  absl::Mutex mu_;
  std::vector<absl::StatusOr<SampledBatch>> results_ ABSL_GUARDED_BY(mu_);
  int remaining_ ABSL_GUARDED_BY(mu_);
};

// One Sample call. Finish() is the last thing the completion does. The
// batch counts as delivered unless the call was cancelled (the client went
// away) before it was done.
class SampleReactor final : public grpc::ServerUnaryReactor {
 public:
  SampleReactor(std::vector<SamplePart> parts, absl::Time deadline,
                v1::SampleResponse* response)
      : cancel_(std::make_shared<std::atomic<bool>>(false)),
        response_(response),
        call_(std::move(parts), cancel_, &answer_,
              [this](absl::Status status, Delivery delivery) {
                if (status.ok()) *response_ = std::move(answer_).TakeResponse();
                delivery_ = std::move(delivery);
                Finish(ToGrpcStatus(status));
              }) {
    call_.Start(deadline);
  }

  void OnCancel() override {
    cancel_->store(true);
    call_.Wake();
  }

  void OnDone() override {
    delivery_.Settle(/*delivered=*/!cancel_->load());
    delete this;
  }

 private:
  const CancelFlag cancel_;
  v1::SampleResponse* const response_;
  SampleAnswer answer_;
  Delivery delivery_;  // set before Finish, settled in OnDone
  SampleCall call_;
};

absl::StatusOr<std::vector<SamplePart>> PlanSample(
    const TableStore& store, const v1::SampleRequest& request,
    int64_t max_response_bytes);
absl::StatusOr<std::vector<SamplePart>> PlanSampleParts(
    const TableStore& store, const v1::SampleRequest& request);

// A SampleStream: one sample at a time, in request order. The next sample
// is taken while the previous response is being written, so gathering and
// sending overlap; at most one response waits for the write before it.
class SampleStreamReactor final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  SampleStreamReactor(const TableStore* store, int64_t max_response_bytes)
      : store_(store),
        max_response_bytes_(max_response_bytes),
        cancel_(std::make_shared<std::atomic<bool>>(false)) {
    StartRead(&request_bytes_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      std::optional<grpc::Status> finish;
      {
        absl::MutexLock lock(&mu_);
        reads_done_ = true;  // the client is done asking
        finish = TakeFinishLocked();
      }
      if (finish) Finish(*finish);
      return;
    }
    v1::SampleRequest request;
    absl::StatusOr<std::vector<SamplePart>> parts =
        grpc::SerializationTraits<v1::SampleRequest>::Deserialize(
            &request_bytes_, &request)
                .ok()
            ? PlanSample(*store_, request, max_response_bytes_)
            : absl::InvalidArgumentError("request: not a SampleRequest");
    SampleCall* call = nullptr;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (!parts.ok()) {
        status_ = parts.status();
        finish = TakeFinishLocked();
      } else {
        sampling_ = true;
        answer_ = SampleAnswer();
        call_ = std::make_unique<SampleCall>(
            std::move(parts).value(), cancel_, &answer_,
            [this](absl::Status status, Delivery delivery) {
              OnSampled(std::move(status), std::move(delivery));
            });
        call = call_.get();
      }
    }
    if (finish) Finish(*finish);
    // Waits like Sample without a deadline: until cancelled or closed.
    if (call != nullptr) call->Start(absl::InfiniteFuture());
  }

  void OnWriteDone(bool ok) override {
    std::optional<grpc::Status> finish;
    Delivery written;
    Delivery dropped;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      written = std::move(writing_delivery_);
      if (!ok && status_.ok()) {
        status_ = absl::CancelledError("the client went away");
      }
      if (ready_.has_value() && status_.ok()) {
        WriteLocked(std::move(*ready_), std::move(ready_delivery_));
        ready_.reset();
      } else {
        dropped = std::move(ready_delivery_);
      }
      finish = TakeFinishLocked();
    }
    // Settled outside the lock: tables take their own.
    written.Settle(ok);
    dropped.Settle(false);
    if (finish) Finish(*finish);
  }

  void OnCancel() override {
    cancel_->store(true);
    absl::MutexLock lock(&mu_);
    if (call_) call_->Wake();
  }

  void OnDone() override { delete this; }

 private:
  // Runs on a table's worker, or inline in OnReadDone.
  void OnSampled(absl::Status status, Delivery delivery) {
    grpc::ByteBuffer bytes;
    if (status.ok()) bytes = SerializeSampleAnswer(std::move(answer_));
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      sampling_ = false;
      if (!status.ok()) {
        if (status_.ok()) status_ = std::move(status);
      } else if (status_.ok()) {
        if (writing_) {
          ready_ = std::move(bytes);  // read on once this goes out
          ready_delivery_ = std::move(delivery);
        } else {
          WriteLocked(std::move(bytes), std::move(delivery));
        }
      }
      finish = TakeFinishLocked();
    }
    // A batch that is not written (the stream failed) is dropped unsettled
    // here, outside the lock, and so not consumed.
    delivery.Settle(false);
    if (finish) Finish(*finish);
  }

  // Writes `bytes` and, unless the stream is ending, reads the next request
  // to sample while they go out. `delivery` is settled when the write ends.
  void WriteLocked(grpc::ByteBuffer bytes, Delivery delivery)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    writing_ = true;
    writing_bytes_ = std::move(bytes);
    writing_delivery_ = std::move(delivery);
    StartWrite(&writing_bytes_);
    if (!reads_done_) StartRead(&request_bytes_);
  }

  // The status to finish with, once: when nothing is being sampled or
  // written and the client is done or the stream failed.
  std::optional<grpc::Status> TakeFinishLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || sampling_ || writing_) return std::nullopt;
    if (status_.ok() && (!reads_done_ || ready_.has_value())) {
      return std::nullopt;
    }
    finished_ = true;
    return ToGrpcStatus(status_);
  }

  const TableStore* const store_;
  const int64_t max_response_bytes_;
  const CancelFlag cancel_;
  grpc::ByteBuffer request_bytes_;  // target of the one outstanding read
  SampleAnswer answer_;             // filled by the sample in progress
  absl::Mutex mu_;
  std::unique_ptr<SampleCall> call_ ABSL_GUARDED_BY(mu_);
  grpc::ByteBuffer writing_bytes_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::ByteBuffer> ready_ ABSL_GUARDED_BY(mu_);
  Delivery writing_delivery_ ABSL_GUARDED_BY(mu_);
  Delivery ready_delivery_ ABSL_GUARDED_BY(mu_);
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  bool sampling_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

// The parts a request asks for, checked: InvalidArgument naming the field,
// NotFound for an unknown job or table, ResourceExhausted for an answer
// larger than `max_response_bytes`.
absl::StatusOr<std::vector<SamplePart>> PlanSample(
    const TableStore& store, const v1::SampleRequest& request,
    int64_t max_response_bytes) {
  ASSIGN_OR_RETURN(std::vector<SamplePart> parts, PlanSampleParts(store, request));
  // Each part is checked before it is added, so the sum cannot overflow.
  int64_t bytes = 0;
  for (const SamplePart& part : parts) {
    const int64_t part_bytes = part.table->SampleBytes(part.options);
    bytes = part_bytes > max_response_bytes ? part_bytes : bytes + part_bytes;
    if (bytes > max_response_bytes) break;
  }
  if (bytes > max_response_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "batch_size x (sequence_length + 1) x row bytes: the answer would "
        "take ",
        bytes, " bytes, over the server's limit of ", max_response_bytes,
        " bytes per message (entropic-replay --max_message_mb)"));
  }
  return parts;
}

// PlanSample's parts, before their size is checked.
absl::StatusOr<std::vector<SamplePart>> PlanSampleParts(
    const TableStore& store, const v1::SampleRequest& request) {
  if (request.n_step() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "n_step: must be >= 0 (0 and 1 both mean one step), got ",
        request.n_step()));
  }
  SampleOptions options;
  options.batch_size = request.batch_size();
  options.shape.n_step = std::max(request.n_step(), 1);
  options.shape.gamma = request.has_gamma() ? request.gamma() : 1.0;
  options.shape.sequence_length = request.sequence_length();
  options.shape.cross_episodes = request.cross_episodes();
  options.importance_exponent = request.importance_exponent();
  RETURN_IF_ERROR(Table::ValidateSample(options));
  ASSIGN_OR_RETURN(std::shared_ptr<Table> table,
                   store.Find(request.job_id(), request.table()));
  const double fraction = request.demonstration_fraction();
  if (request.demonstrations_table().empty()) {
    if (fraction != 0) {
      return absl::InvalidArgumentError(
          "demonstration_fraction: set without demonstrations_table");
    }
    return std::vector<SamplePart>{{std::move(table), options}};
  }
  if (!(fraction >= 0 && fraction <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "demonstration_fraction: must be in [0, 1], got ", fraction));
  }
  ASSIGN_OR_RETURN(
      std::shared_ptr<Table> demonstrations,
      store.Find(request.job_id(), request.demonstrations_table()));
  const v1::TableConfig& a = table->config();
  const v1::TableConfig& d = demonstrations->config();
  if (a.observation().SerializeAsString() !=
          d.observation().SerializeAsString() ||
      a.action().SerializeAsString() != d.action().SerializeAsString()) {
    return absl::InvalidArgumentError(
        "demonstrations_table: its observations or actions differ from the "
        "table's");
  }
  const std::vector<v1::ColumnSpec> table_columns = table->sample_columns();
  const int from_demonstrations =
      static_cast<int>(std::lround(request.batch_size() * fraction));
  std::vector<SamplePart> parts;
  if (from_demonstrations < request.batch_size()) {
    SampleOptions own = options;
    own.batch_size = request.batch_size() - from_demonstrations;
    parts.push_back({std::move(table), own});
  }
  if (from_demonstrations > 0) {
    SampleOptions theirs = options;
    theirs.batch_size = from_demonstrations;
    // The answer carries the sampled table's extra columns (its visit
    // counts too): demonstrations fill those they declare alike and leave
    // the others zero.
    theirs.columns.emplace(table_columns);
    parts.push_back({std::move(demonstrations), theirs});
  }
  return parts;
}

}  // namespace

ReplayServiceImpl::ReplayServiceImpl(TableStore* store, ReplayMetrics* metrics,
                                     Checkpointer* checkpointer,
                                     int64_t max_message_bytes)
    : store_(store),
      metrics_(metrics),
      checkpointer_(checkpointer),
      max_response_bytes_(max_message_bytes - kResponseOverheadBytes) {}

grpc::ServerUnaryReactor* ReplayServiceImpl::Checkpoint(
    grpc::CallbackServerContext* context, const v1::CheckpointRequest* request,
    v1::CheckpointResponse* response) {
  if (checkpointer_ == nullptr) {
    return FinishNow(context,
                     absl::FailedPreconditionError(
                         "replay runs without --checkpoint_dir: nothing is "
                         "durable"));
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // The snapshot runs on the checkpointer's thread, not this one.
  checkpointer_->Request(
      [reactor, response](absl::StatusOr<v1::CheckpointResponse> snapshot) {
        if (snapshot.ok()) *response = *snapshot;
        reactor->Finish(ToGrpcStatus(snapshot.status()));
      });
  return reactor;
}

grpc::ServerUnaryReactor* ReplayServiceImpl::CreateTables(
    grpc::CallbackServerContext* context,
    const v1::CreateTablesRequest* request,
    v1::CreateTablesResponse* response) {
  return FinishNow(context, store_->CreateTables(request->job_id(),
                                                 {request->tables().begin(),
                                                  request->tables().end()}));
}

grpc::ServerUnaryReactor* ReplayServiceImpl::DeleteTables(
    grpc::CallbackServerContext* context,
    const v1::DeleteTablesRequest* request,
    v1::DeleteTablesResponse* response) {
  return FinishNow(context, store_->DeleteTables(request->job_id()));
}

grpc::ServerBidiReactor<v1::InsertRequest, v1::InsertResponse>*
ReplayServiceImpl::Insert(grpc::CallbackServerContext* context) {
  return new InsertReactor(store_, metrics_);
}

grpc::ServerUnaryReactor* ReplayServiceImpl::Sample(
    grpc::CallbackServerContext* context, const v1::SampleRequest* request,
    v1::SampleResponse* response) {
  absl::StatusOr<std::vector<SamplePart>> parts =
      PlanSample(*store_, *request, max_response_bytes_);
  if (!parts.ok()) return FinishNow(context, parts.status());
  return new SampleReactor(std::move(parts).value(), SampleDeadline(*context),
                           response);
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
ReplayServiceImpl::SampleStream(grpc::CallbackServerContext* context) {
  return new SampleStreamReactor(store_, max_response_bytes_);
}

grpc::ServerUnaryReactor* ReplayServiceImpl::UpdatePriorities(
    grpc::CallbackServerContext* context,
    const v1::UpdatePrioritiesRequest* request,
    v1::UpdatePrioritiesResponse* response) {
  absl::StatusOr<std::shared_ptr<Table>> table =
      store_->Find(request->job_id(), request->table());
  if (!table.ok()) return FinishNow(context, table.status());
  return FinishNow(
      context,
      (*table)->UpdatePriorities(
          {request->keys().begin(), request->keys().end()},
          {request->priorities().begin(), request->priorities().end()}));
}

grpc::ServerUnaryReactor* ReplayServiceImpl::GetTableInfo(
    grpc::CallbackServerContext* context,
    const v1::GetTableInfoRequest* request,
    v1::GetTableInfoResponse* response) {
  absl::StatusOr<std::vector<v1::TableInfo>> infos =
      store_->Info(request->job_id());
  if (infos.ok()) {
    for (v1::TableInfo& info : *infos)
      *response->add_tables() = std::move(info);
  }
  return FinishNow(context, infos.status());
}

}  // namespace entropic
