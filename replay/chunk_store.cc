#include "replay/chunk_store.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace entropic {
namespace {

std::string TakeData(v1::Tensor* tensor) {
  std::string data;
  tensor->mutable_data()->swap(data);
  return data;
}

template <typename T>
void Put(std::string& bytes, int64_t index, T value) {
  std::memcpy(&bytes[index * sizeof(T)], &value, sizeof(T));
}

}  // namespace

void SampledBatch::Allocate(int b, int length, int64_t observation_bytes,
                            int64_t action_bytes,
                            absl::Span<const int64_t> column_bytes) {
  batch_size = b;
  sequence_length = length;
  const int64_t steps = length > 0 ? length : 1;
  observations.Allocate(b * (length > 0 ? length + 1 : 1), observation_bytes);
  actions.resize(b * steps * action_bytes);
  rewards.resize(b * steps * sizeof(float));
  terminated.resize(b * steps);
  if (length > 0) {
    truncated.resize(b * steps);
  } else {
    next_observations.Allocate(b, observation_bytes);
    discounts.resize(b * sizeof(float));
  }
  policy_versions.resize(b * sizeof(int64_t));
  keys.resize(b * sizeof(int64_t));
  probabilities.resize(b * sizeof(double));
  weights.resize(b * sizeof(float));
  extra_columns.resize(column_bytes.size());
  for (size_t i = 0; i < column_bytes.size(); ++i) {
    extra_columns[i].resize(b * steps * column_bytes[i]);
  }
}

void SampledBatch::Append(const SampledBatch& other) {
  batch_size += other.batch_size;
  observations.Append(other.observations);
  next_observations.Append(other.next_observations);
  for (auto [mine, theirs] :
       {std::pair{&actions, &other.actions},
        std::pair{&rewards, &other.rewards},
        std::pair{&terminated, &other.terminated},
        std::pair{&truncated, &other.truncated},
        std::pair{&discounts, &other.discounts},
        std::pair{&policy_versions, &other.policy_versions},
        std::pair{&keys, &other.keys},
        std::pair{&probabilities, &other.probabilities},
        std::pair{&weights, &other.weights}}) {
    mine->append(*theirs);
  }
  for (size_t i = 0; i < extra_columns.size(); ++i) {
    extra_columns[i].append(other.extra_columns[i]);
  }
}

ChunkStore::ChunkStore(int64_t observation_bytes, int64_t action_bytes,
                       std::vector<Column> columns)
    : observation_bytes_(observation_bytes),
      action_bytes_(action_bytes),
      columns_(std::move(columns)) {}

int64_t ChunkStore::DataBytes(const StoredChunk& chunk) const {
  int64_t bytes =
      chunk.observations.size() + chunk.actions.size() + chunk.rewards.size();
  if (!columns_.empty()) {
    for (const std::string& column : chunk.data->columns) {
      bytes += column.size();
    }
  }
  return bytes;
}

int64_t ChunkStore::Append(v1::TrajectoryChunk& chunk,
                           std::vector<std::string> derived) {
  StoredChunk stored;
  stored.first = end_;
  stored.length = static_cast<int32_t>(chunk.rewards().shape(0));
  stored.terminated = chunk.terminated();
  stored.truncated = chunk.truncated();
  stored.episode_id = chunk.episode_id();
  stored.policy_version = chunk.policy_version();
  stored.actor_id = chunk.actor_id();
  stored.sequence = chunk.sequence();
  stored.env_index = chunk.env_index();
  stored.start_step = chunk.start_step();
  auto data = std::make_shared<ChunkData>();
  data->observations = TakeData(chunk.mutable_observations());
  data->actions = TakeData(chunk.mutable_actions());
  data->rewards = TakeData(chunk.mutable_rewards());
  if (!columns_.empty()) {
    // The chunk names its columns in any order; they are kept in the
    // table's.
    data->columns.resize(columns_.size());
    for (v1::NamedTensor& named : *chunk.mutable_extra_columns()) {
      for (size_t i = 0; i < columns_.size(); ++i) {
        if (!columns_[i].derived && columns_[i].name == named.name()) {
          data->columns[i] = TakeData(named.mutable_tensor());
          break;
        }
      }
    }
    size_t next_derived = 0;
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].derived && next_derived < derived.size()) {
        data->columns[i] = std::move(derived[next_derived++]);
      }
    }
  }
  stored.observations = data->observations;
  stored.actions = data->actions;
  stored.rewards = data->rewards;
  stored.data = std::move(data);
  bytes_ += DataBytes(stored);

  const std::string stream =
      absl::StrCat(chunk.actor_id(), "#", chunk.env_index());
  auto [tail, inserted] = stream_tails_.try_emplace(stream, stored.first);
  if (!inserted) {
    if (tail->second >= first_) {
      auto& previous = const_cast<StoredChunk&>(ChunkOf(tail->second));
      previous.next = stored.first;
    }
    tail->second = stored.first;
  }
  end_ += stored.length;
  first_keys_.push_back(stored.first);
  chunks_.push_back(std::move(stored));
  return chunks_.back().first;
}

int64_t ChunkStore::PopFront() {
  StoredChunk& front = chunks_[head_];
  const int64_t length = front.length;
  bytes_ -= DataBytes(front);
  first_ += length;
  front = StoredChunk();  // frees its data now
  if (++head_ * 2 >= chunks_.size()) {
    chunks_.erase(chunks_.begin(), chunks_.begin() + head_);
    first_keys_.erase(first_keys_.begin(), first_keys_.begin() + head_);
    head_ = 0;
  }
  if (chunks() == 0) stream_tails_.clear();
  return length;
}

size_t ChunkStore::IndexOf(int64_t key) const {
  const auto begin = first_keys_.begin() + head_;
  const size_t count = chunks();
  // Chunks mostly have the same length, so the key's share of the live range
  // usually points straight at its chunk: one cache miss, not a dozen.
  const size_t guess = std::min(
      count - 1, static_cast<size_t>(static_cast<double>(key - first_) /
                                     static_cast<double>(end_ - first_) *
                                     static_cast<double>(count)));
  if (begin[guess] <= key && (guess + 1 == count || key < begin[guess + 1])) {
    return guess;
  }
  // Otherwise the owner is the last chunk that starts at or before `key`.
  const auto after = std::upper_bound(begin, first_keys_.end(), key);
  return (after - begin) - 1;
}

void ChunkStore::PrefetchChunk(size_t index) const {
  __builtin_prefetch(&chunks_[head_ + index]);
}

void ChunkStore::PrefetchRows(size_t index, int64_t key) const {
  const StoredChunk& chunk = chunks_[head_ + index];
  const int64_t step = key - chunk.first;
  __builtin_prefetch(chunk.observations.data() + step * observation_bytes_);
  __builtin_prefetch(chunk.actions.data() + step * action_bytes_);
  __builtin_prefetch(chunk.rewards.data() + step * sizeof(float));
}

const ChunkStore::StoredChunk* ChunkStore::Next(
    const StoredChunk& chunk) const {
  if (chunk.next < first_ || chunk.next < 0) return nullptr;
  return &ChunkOf(chunk.next);
}

v1::TrajectoryChunk ChunkStore::Export(size_t index,
                                       const v1::TableConfig& config) const {
  return ExportChunk(chunks_[head_ + index], config);
}

ChunkStore::Frozen ChunkStore::Freeze() const {
  Frozen frozen;
  frozen.chunks_.assign(chunks_.begin() + head_, chunks_.end());
  return frozen;
}

v1::TrajectoryChunk ChunkStore::ExportChunk(const StoredChunk& stored,
                                            const v1::TableConfig& config) {
  v1::TrajectoryChunk chunk;
  chunk.set_actor_id(stored.actor_id);
  chunk.set_sequence(stored.sequence);
  chunk.set_policy_version(stored.policy_version);
  chunk.set_episode_id(stored.episode_id);
  chunk.set_start_step(stored.start_step);
  chunk.set_env_index(stored.env_index);
  chunk.set_terminated(stored.terminated);
  chunk.set_truncated(stored.truncated);
  auto fill = [](v1::Tensor* tensor, const v1::TensorSpec& spec, int64_t rows,
                 std::string_view data) {
    tensor->set_dtype(spec.dtype());
    tensor->add_shape(rows);
    for (int64_t dim : spec.shape()) tensor->add_shape(dim);
    tensor->set_data(data.data(), data.size());
  };
  fill(chunk.mutable_observations(), config.observation(), stored.length + 1,
       stored.observations);
  fill(chunk.mutable_actions(), config.action(), stored.length, stored.actions);
  v1::TensorSpec reward;
  reward.set_dtype(v1::DTYPE_FLOAT32);
  fill(chunk.mutable_rewards(), reward, stored.length, stored.rewards);
  for (int i = 0; i < config.extra_columns_size(); ++i) {
    v1::NamedTensor* named = chunk.add_extra_columns();
    named->set_name(config.extra_columns(i).name());
    fill(named->mutable_tensor(), config.extra_columns(i).spec(), stored.length,
         stored.data->columns[i]);
  }
  return chunk;
}

std::optional<int64_t> ChunkStore::FindChunk(const std::string& actor_id,
                                             uint64_t sequence) const {
  for (size_t i = head_; i < chunks_.size(); ++i) {
    const StoredChunk& chunk = chunks_[i];
    if (chunk.sequence == sequence && chunk.actor_id == actor_id) {
      return chunk.first;
    }
  }
  return std::nullopt;
}

ChunkStore::Identity ChunkStore::ChunkIdentity(int64_t key) const {
  const StoredChunk& chunk = ChunkOf(key);
  return {chunk.actor_id, chunk.sequence, chunk.first};
}

float ChunkStore::Reward(const StoredChunk& chunk, int step) const {
  float reward;
  std::memcpy(&reward, &chunk.rewards[step * sizeof(float)], sizeof(float));
  return reward;
}

bool ChunkStore::Gather(size_t index, int64_t key, const SampleShape& shape,
                        absl::Span<const int> columns, int row,
                        SampledBatch& batch) const {
  const StoredChunk& chunk = chunks_[head_ + index];
  const int step = static_cast<int>(key - chunk.first);
  Put<int64_t>(batch.policy_versions, row, chunk.policy_version);
  Put<int64_t>(batch.keys, row, key);
  if (shape.sequence_length > 0) {
    return GatherSequence(chunk, step, shape, columns, row, batch);
  }
  GatherTransition(chunk, step, shape, columns, row, batch);
  return true;
}

void ChunkStore::GatherColumns(const StoredChunk& chunk, int step,
                               absl::Span<const int> columns, int64_t cell,
                               SampledBatch& batch) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] < 0) continue;
    const int64_t bytes = columns_[columns[i]].step_bytes;
    std::memcpy(&batch.extra_columns[i][cell * bytes],
                &chunk.data->columns[columns[i]][step * bytes], bytes);
  }
}

void ChunkStore::GatherTransition(const StoredChunk& start, int start_step,
                                  const SampleShape& shape,
                                  absl::Span<const int> columns, int row,
                                  SampledBatch& batch) const {
  batch.observations.Put(
      row, &start.observations[start_step * observation_bytes_], start.data);
  std::memcpy(&batch.actions[row * action_bytes_],
              &start.actions[start_step * action_bytes_], action_bytes_);
  // Extra columns, like the action, belong to the first step (n-step too).
  GatherColumns(start, start_step, columns, row, batch);
  // Walk up to n steps within the episode, summing discounted rewards.
  const StoredChunk* chunk = &start;
  int step = start_step;
  double reward_sum = 0;
  double scale = 1;
  bool terminal = false;
  for (int k = 0; k < std::max(shape.n_step, 1); ++k) {
    if (step == chunk->length) {
      // Continue only into the same episode's next chunk, if stored.
      const StoredChunk* next = Next(*chunk);
      if (next == nullptr || next->episode_id != chunk->episode_id) break;
      chunk = next;
      step = 0;
    }
    reward_sum += scale * Reward(*chunk, step);
    scale *= shape.gamma;
    ++step;
    if (step == chunk->length && (chunk->terminated || chunk->truncated)) {
      terminal = chunk->terminated;
      break;
    }
  }
  batch.next_observations.Put(
      row, &chunk->observations[step * observation_bytes_], chunk->data);
  Put<float>(batch.rewards, row, static_cast<float>(reward_sum));
  batch.terminated[row] = terminal;
  Put<float>(batch.discounts, row, terminal ? 0.0f : static_cast<float>(scale));
}

bool ChunkStore::GatherSequence(const StoredChunk& start, int start_step,
                                const SampleShape& shape,
                                absl::Span<const int> columns, int row,
                                SampledBatch& batch) const {
  const int length = shape.sequence_length;
  const StoredChunk* chunk = &start;
  int step = start_step;
  for (int t = 0; t < length; ++t) {
    if (step == chunk->length) {
      const StoredChunk* next = Next(*chunk);
      if (next == nullptr) return false;
      const bool same_episode = next->episode_id == chunk->episode_id &&
                                !chunk->terminated && !chunk->truncated;
      if (!same_episode && !shape.cross_episodes) return false;
      chunk = next;
      step = 0;
    }
    const int64_t cell = static_cast<int64_t>(row) * length + t;
    batch.observations.Put(row * (length + 1) + t,
                           &chunk->observations[step * observation_bytes_],
                           chunk->data);
    std::memcpy(&batch.actions[cell * action_bytes_],
                &chunk->actions[step * action_bytes_], action_bytes_);
    Put<float>(batch.rewards, cell, Reward(*chunk, step));
    GatherColumns(*chunk, step, columns, cell, batch);
    const bool last = step == chunk->length - 1;
    batch.terminated[cell] = last && chunk->terminated;
    batch.truncated[cell] = last && chunk->truncated && !chunk->terminated;
    ++step;
  }
  batch.observations.Put(row * (length + 1) + length,
                         &chunk->observations[step * observation_bytes_],
                         chunk->data);
  return true;
}

}  // namespace entropic
