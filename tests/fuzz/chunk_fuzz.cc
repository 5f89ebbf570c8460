// Trajectory chunks against small fixed tables (replay/table.h): validation
// of what actors send, then inserts, eviction, de-duplication and samples
// (n-step transitions, sequences) on what validates, as the Insert and
// SampleStream rpcs and recovery do.
//
// Input: a 4-byte header, then records of a uint16 length L (little-endian)
// and L bytes each:
//   header[0] % 5  the table: uniform, prioritized, FIFO, uint8 [2, 3]
//                  observations with float32 [2] actions and byte limits, or
//                  uniform with extra columns (float32 behaviour_log_prob,
//                  int64 [2] task)
//   header[1]      n_step 1 + h % 8;  header[2]: sequence length h % 8,
//                  bit 7 cross_episodes;  header[3]: batch size 1 + h % 32,
//                  bit 7 asks for other columns (as demonstration mixing
//                  does: task as int32, and one the table lacks)
//   L < 0x8000     a serialized TrajectoryChunk
//   L >= 0x8000    a chunk made from the L & 0x7fff bytes (well-formed tensors,
//                  so mutations reach the table and the samplers)
// After each record the table samples once with the header's shape (never
// waiting) and, if prioritized, sets the sampled items' priorities.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "common/tensor.h"
#include "google/protobuf/stubs/logging.h"
#include "prometheus/registry.h"
#include "replay/replay_metrics.h"
#include "replay/table.h"

namespace entropic {
namespace {

v1::TableConfig FuzzTable(int which) {
  v1::TableConfig config;
  config.set_name("agent");
  config.set_capacity(48);
  config.set_max_chunk_length(16);
  config.mutable_rate_limit()->set_min_size_to_sample(1);
  if (which == 3) {
    config.mutable_observation()->set_dtype(v1::DTYPE_UINT8);
    config.mutable_observation()->add_shape(2);
    config.mutable_observation()->add_shape(3);
    config.mutable_action()->set_dtype(v1::DTYPE_FLOAT32);
    config.mutable_action()->add_shape(2);
    config.set_max_chunk_bytes(400);
    config.set_capacity_bytes(1200);
    config.set_max_policy_lag(4);
    return config;
  }
  config.mutable_observation()->set_dtype(v1::DTYPE_FLOAT32);
  config.mutable_observation()->add_shape(4);
  config.mutable_action()->set_dtype(v1::DTYPE_INT64);
  if (which == 1) config.set_sampler(v1::TableConfig::PRIORITIZED);
  if (which == 2) config.set_sampler(v1::TableConfig::FIFO);
  if (which == 4) {
    v1::ColumnSpec* log_prob = config.add_extra_columns();
    log_prob->set_name("behaviour_log_prob");
    log_prob->mutable_spec()->set_dtype(v1::DTYPE_FLOAT32);
    v1::ColumnSpec* task = config.add_extra_columns();
    task->set_name("task");
    task->mutable_spec()->set_dtype(v1::DTYPE_INT64);
    task->mutable_spec()->add_shape(2);
  }
  return config;
}

// The columns a sample with header[3] bit 7 asks for: task with another
// dtype, behaviour_log_prob as the table has it, and one no table has.
std::vector<v1::ColumnSpec> OtherColumns() {
  v1::TableConfig config = FuzzTable(4);
  config.mutable_extra_columns(1)->mutable_spec()->set_dtype(v1::DTYPE_INT32);
  v1::ColumnSpec* mask = config.add_extra_columns();
  mask->set_name("mask");
  mask->mutable_spec()->set_dtype(v1::DTYPE_BOOL);
  mask->mutable_spec()->add_shape(3);
  return {config.extra_columns().rbegin(), config.extra_columns().rend()};
}

// Reads bytes, then zeros once they run out.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t Next() { return at_ < size_ ? data_[at_++] : 0; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

v1::TrajectoryChunk MadeChunk(const v1::TableConfig& config, Bytes bytes) {
  v1::TrajectoryChunk chunk;
  chunk.set_job_id("job");
  chunk.set_table("agent");
  const uint8_t flags = bytes.Next();
  const int n = 1 + bytes.Next() % 18;  // 17, 18: over max_chunk_length
  chunk.set_actor_id(std::string(1, static_cast<char>('a' + flags % 3)));
  chunk.set_sequence(bytes.Next());
  chunk.set_policy_version(bytes.Next());
  chunk.set_env_index((flags >> 2) & 1);
  chunk.set_episode_id((flags >> 3) & 3);
  chunk.set_start_step(bytes.Next());
  chunk.set_terminated(flags & 0x20);
  chunk.set_truncated(flags & 0x40);
  const bool raw = flags & 0x80;  // raw float bits: NaN and infinities too
  auto value = [&]() -> float {
    if (!raw) return static_cast<float>(static_cast<int8_t>(bytes.Next()));
    uint32_t bits = 0;
    for (int i = 0; i < 4; ++i) bits = bits << 8 | bytes.Next();
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  };
  std::vector<float> rewards(n);
  for (float& r : rewards) r = value();
  *chunk.mutable_rewards() = MakeTensor<float>(rewards, {n});
  if (config.observation().dtype() == v1::DTYPE_UINT8) {
    std::vector<uint8_t> observations((n + 1) * 6);
    for (uint8_t& o : observations) o = bytes.Next();
    *chunk.mutable_observations() =
        MakeTensor<uint8_t>(observations, {n + 1, 2, 3});
    std::vector<float> actions(n * 2);
    for (float& a : actions) a = value();
    *chunk.mutable_actions() = MakeTensor<float>(actions, {n, 2});
  } else {
    std::vector<float> observations((n + 1) * 4);
    for (float& o : observations) o = value();
    *chunk.mutable_observations() = MakeTensor<float>(observations, {n + 1, 4});
    std::vector<int64_t> actions(n);
    for (int64_t& a : actions) a = bytes.Next() % 3;
    *chunk.mutable_actions() = MakeTensor<int64_t>(actions, {n});
  }
  if (config.extra_columns_size() > 0) {
    // Task first: a chunk lists its columns in any order.
    std::vector<int64_t> tasks(n * 2);
    for (int64_t& t : tasks) t = bytes.Next();
    v1::NamedTensor* task = chunk.add_extra_columns();
    task->set_name("task");
    *task->mutable_tensor() = MakeTensor<int64_t>(tasks, {n, 2});
    std::vector<float> log_probs(n);
    for (float& l : log_probs) l = value();
    v1::NamedTensor* log_prob = chunk.add_extra_columns();
    log_prob->set_name("behaviour_log_prob");
    *log_prob->mutable_tensor() = MakeTensor<float>(log_probs, {n});
  }
  return chunk;
}

}  // namespace
}  // namespace entropic

// Parse failures (invalid UTF-8 in string fields) are expected here, not
// worth a log line each.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace entropic;
  static prometheus::Registry* registry = new prometheus::Registry;
  static ReplayMetrics* metrics = new ReplayMetrics(*registry);
  static std::unique_ptr<TableMetrics> table_metrics =
      metrics->AddTable("job", "agent");
  if (size < 4) return 0;
  const v1::TableConfig config = FuzzTable(data[0] % 5);
  SampleOptions sample;
  sample.shape.n_step = 1 + data[1] % 8;
  sample.shape.gamma = 0.9;
  sample.shape.sequence_length = (data[2] & 0x7f) % 8;
  sample.shape.cross_episodes = data[2] & 0x80;
  sample.batch_size = 1 + data[3] % 32;
  if (data[3] & 0x80) sample.columns = OtherColumns();
  if (!Table::ValidateSample(sample).ok()) return 0;
  absl::StatusOr<std::unique_ptr<Table>> table =
      Table::Create("job", config, table_metrics.get(), /*seed=*/7);
  if (!table.ok()) abort();  // the fixed configurations are valid

  size_t at = 4;
  while (at + 2 <= size) {
    const uint16_t length = data[at] | data[at + 1] << 8;
    at += 2;
    const size_t take = std::min<size_t>(length & 0x7fff, size - at);
    v1::TrajectoryChunk chunk;
    if (length & 0x8000) {
      chunk = MadeChunk(config, Bytes(data + at, take));
    } else if (!chunk.ParseFromArray(data + at, static_cast<int>(take))) {
      chunk.Clear();
    }
    at += take;
    const bool valid = (*table)->Validate(chunk).ok();
    absl::StatusOr<InsertResult> inserted =
        (*table)->Insert(chunk, absl::Now());
    if (valid != inserted.ok() &&
        inserted.status().code() != absl::StatusCode::kDeadlineExceeded) {
      fprintf(stderr, "Validate and Insert disagree: %s\n",
              inserted.status().ToString().c_str());
      abort();
    }
    absl::StatusOr<SampledBatch> batch = (*table)->Sample(sample, absl::Now());
    if (batch.ok() && config.sampler() == v1::TableConfig::PRIORITIZED) {
      std::vector<int64_t> keys(batch->batch_size);
      std::memcpy(keys.data(), batch->keys.data(), keys.size() * 8);
      std::vector<double> priorities;
      for (size_t i = 0; i < keys.size(); ++i) {
        priorities.push_back(data[(at + i) % size] / 16.0);
      }
      (void)(*table)->UpdatePriorities(keys, priorities);
    }
  }
  (void)(*table)->Info();
  return 0;
}
