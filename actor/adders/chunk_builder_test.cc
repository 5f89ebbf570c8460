#include "actor/adders/chunk_builder.h"

#include <cstring>

#include "common/tensor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

using ::testing::ElementsAre;

ChunkLayout Layout() {
  ChunkLayout layout;
  layout.job_id = "job";
  layout.table = "agent";
  layout.actor_id = "job/actor-0";
  layout.observation_size = 2;
  return layout;
}

TEST(ChunkBuilderTest, StoresEachObservationOnce) {
  ChunkBuilder builder(Layout(), /*env_index=*/0);
  const std::vector<float> o0 = {0, 0}, o1 = {1, 1}, o2 = {2, 2}, o3 = {3, 3};
  builder.Begin(o0, /*episode_id=*/5, /*start_step=*/32, /*policy_version=*/9);
  builder.Append(Action{1, {}}, 1.0f, o1);
  builder.Append(Action{0, {}}, 0.5f, o2);
  builder.Append(Action{1, {}}, 0.25f, o3);
  EXPECT_EQ(builder.length(), 3);
  const v1::TrajectoryChunk chunk =
      builder.Finish(/*terminated=*/false, /*truncated=*/false);
  EXPECT_FALSE(builder.active());
  EXPECT_THAT(chunk.observations().shape(), ElementsAre(4, 2));
  EXPECT_EQ(TensorValues<float>(chunk.observations()),
            (std::vector<float>{0, 0, 1, 1, 2, 2, 3, 3}));
  EXPECT_EQ(TensorValues<int64_t>(chunk.actions()),
            (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(TensorValues<float>(chunk.rewards()),
            (std::vector<float>{1.0f, 0.5f, 0.25f}));
  EXPECT_EQ(chunk.episode_id(), 5u);
  EXPECT_EQ(chunk.start_step(), 32);
  EXPECT_EQ(chunk.policy_version(), 9);
  EXPECT_EQ(chunk.actor_id(), "job/actor-0");
  EXPECT_EQ(chunk.env_index(), 0u);
}

TEST(ChunkBuilderTest, ChunksCarryTheirEnvironmentsIndex) {
  ChunkBuilder builder(Layout(), /*env_index=*/3);
  const std::vector<float> o = {0, 0};
  for (int chunk = 0; chunk < 2; ++chunk) {
    builder.Begin(o, 0, chunk, 0);
    builder.Append(Action{0, {}}, 1.0f, o);
    EXPECT_EQ(builder.Finish(false, false).env_index(), 3u);
  }
}

TEST(ChunkBuilderTest, TruncationIsNotTermination) {
  ChunkBuilder builder(Layout(), /*env_index=*/0);
  const std::vector<float> o = {0, 0};
  builder.Begin(o, 0, 0, 0);
  builder.Append(Action{0, {}}, 1.0f, o);
  const v1::TrajectoryChunk truncated = builder.Finish(false, true);
  EXPECT_FALSE(truncated.terminated());
  EXPECT_TRUE(truncated.truncated());
  builder.Begin(o, 0, 0, 0);
  builder.Append(Action{0, {}}, 1.0f, o);
  // Both flags at the time limit: the state was terminal, no bootstrap.
  const v1::TrajectoryChunk both = builder.Finish(true, true);
  EXPECT_TRUE(both.terminated());
  EXPECT_FALSE(both.truncated());
}

TEST(ChunkBuilderTest, BoxActionsTravelAsFloatRows) {
  ChunkLayout layout = Layout();
  layout.discrete_actions = false;
  layout.action_size = 2;
  ChunkBuilder builder(layout, /*env_index=*/0);
  const std::vector<float> o = {0, 0}, a = {0.5f, -0.5f};
  builder.Begin(o, 0, 0, 0);
  builder.Append(Action{0, a}, 1.0f, o);
  const v1::TrajectoryChunk chunk = builder.Finish(false, false);
  EXPECT_EQ(chunk.actions().dtype(), v1::DTYPE_FLOAT32);
  EXPECT_THAT(chunk.actions().shape(), ElementsAre(1, 2));
}

TEST(ChunkBuilderTest, BehaviourLogProbsTravelAsAnExtraColumn) {
  ChunkLayout layout = Layout();
  layout.extra_columns = {{kBehaviourLogProbColumn, {}}};
  ChunkBuilder builder(layout, /*env_index=*/0);
  const std::vector<float> o = {0, 0};
  builder.Begin(o, 0, 0, 0);
  builder.Append(Action{1, {}}, 1.0f, o, {-0.25f});
  builder.Append(Action{0, {}}, 1.0f, o, {-1.5f});
  const v1::TrajectoryChunk chunk = builder.Finish(false, false);
  ASSERT_EQ(chunk.extra_columns_size(), 1);
  EXPECT_EQ(chunk.extra_columns(0).name(), kBehaviourLogProbColumn);
  EXPECT_EQ(chunk.extra_columns(0).tensor().dtype(), v1::DTYPE_FLOAT32);
  EXPECT_THAT(chunk.extra_columns(0).tensor().shape(), ElementsAre(2));
  float values[2];
  std::memcpy(values, chunk.extra_columns(0).tensor().data().data(),
              sizeof(values));
  EXPECT_EQ(values[0], -0.25f);
  EXPECT_EQ(values[1], -1.5f);
  // The next chunk starts empty; without the layout flag there is none.
  builder.Begin(o, 0, 2, 0);
  builder.Append(Action{1, {}}, 1.0f, o, {-0.5f});
  EXPECT_THAT(builder.Finish(false, false).extra_columns(0).tensor().shape(),
              ElementsAre(1));
  ChunkBuilder plain(Layout(), /*env_index=*/0);
  plain.Begin(o, 0, 0, 0);
  plain.Append(Action{1, {}}, 1.0f, o, {-0.5f});
  EXPECT_EQ(plain.Finish(false, false).extra_columns_size(), 0);
}

TEST(ChunkBuilderTest, ColumnsOfSeveralValuesPerStepGetTheirShape) {
  ChunkLayout layout = Layout();
  layout.extra_columns = {{kBehaviourLogProbColumn, {}},
                          {kBootstrapMaskColumn, {3}}};
  EXPECT_EQ(layout.extra_elements(), 4);
  ChunkBuilder builder(layout, /*env_index=*/0);
  const std::vector<float> o = {0, 0};
  builder.Begin(o, 0, 0, 0);
  builder.Append(Action{1, {}}, 1.0f, o, {-0.5f, 1, 0, 1});
  builder.Append(Action{0, {}}, 1.0f, o, {-2.0f, 0, 0, 1});
  const v1::TrajectoryChunk chunk = builder.Finish(false, false);
  ASSERT_EQ(chunk.extra_columns_size(), 2);
  EXPECT_EQ(chunk.extra_columns(0).name(), kBehaviourLogProbColumn);
  EXPECT_THAT(TensorValues<float>(chunk.extra_columns(0).tensor()),
              ElementsAre(-0.5f, -2.0f));
  EXPECT_EQ(chunk.extra_columns(1).name(), kBootstrapMaskColumn);
  EXPECT_EQ(chunk.extra_columns(1).tensor().dtype(), v1::DTYPE_FLOAT32);
  EXPECT_THAT(chunk.extra_columns(1).tensor().shape(), ElementsAre(2, 3));
  EXPECT_THAT(TensorValues<float>(chunk.extra_columns(1).tensor()),
              ElementsAre(1, 0, 1, 0, 0, 1));
}

}  // namespace
}  // namespace entropic
