#include "replay/chunk_store.h"

#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "replay/testing/chunks.h"

namespace entropic {
namespace {

float GatheredObservation(const ChunkStore& store, int64_t key) {
  SampledBatch batch;
  batch.Allocate(1, 0, 4 * sizeof(float), sizeof(int64_t));
  EXPECT_TRUE(store.Gather(key, SampleShape{}, /*columns=*/{}, 0, batch));
  float value;
  std::memcpy(&value, batch.observations.Row(0).data(), sizeof(float));
  return value;
}

// Chunks of uneven lengths, some evicted: every key still finds its own
// chunk and step (the lookup's guess is wrong for most of them).
TEST(ChunkStoreTest, EveryKeyFindsItsChunkWhateverTheChunkLengths) {
  ChunkStore store(4 * sizeof(float), sizeof(int64_t));
  std::vector<float> expected;  // observation of each key, from key 0
  for (int sequence = 1; sequence <= 60; ++sequence) {
    const int length = 1 + (sequence * 7) % 13;
    v1::TrajectoryChunk chunk =
        testing::MakeChunk("a", sequence, length, sequence * 100.0f);
    chunk.set_env_index(sequence % 3);  // separate streams: no linking
    store.Append(chunk);
    for (int t = 0; t < length; ++t) expected.push_back(sequence * 100.0f + t);
  }
  for (int i = 0; i < 35; ++i) store.PopFront();  // compacts once
  ASSERT_GT(store.first(), 0);
  ASSERT_EQ(store.end(), static_cast<int64_t>(expected.size()));
  for (int64_t key = store.first(); key < store.end(); ++key) {
    ASSERT_EQ(GatheredObservation(store, key), expected[key]) << "key " << key;
  }
}

}  // namespace
}  // namespace entropic
