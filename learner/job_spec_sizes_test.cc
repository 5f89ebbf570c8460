// The sizes ValidateJobSpec checks a spec by (common/job_spec.h), against
// what is really sent: the weights each algorithm publishes and the batches
// replay answers with. common/ computes them without LibTorch or replay;
// these tests keep the arithmetic from drifting from the code.
#include <memory>
#include <string>
#include <vector>

#include "common/env/registry.h"
#include "common/job_spec.h"
#include "common/message_size.h"
#include "common/replay_columns.h"
#include "gtest/gtest.h"
#include "learner/algorithms/factory.h"
#include "prometheus/registry.h"
#include "replay/replay_metrics.h"
#include "replay/table.h"
#include "replay/testing/chunks.h"

namespace entropic {
namespace {

// The policy weights `job`'s algorithm publishes, in bytes of tensor data;
// their message is no more than kMessageOverheadBytes larger.
int64_t PublishedTensorBytes(const v1::JobSpec& job) {
  absl::StatusOr<std::unique_ptr<Environment>> env =
      MakeEnvironment(job.env());
  EXPECT_TRUE(env.ok()) << env.status();
  absl::StatusOr<std::unique_ptr<Algorithm>> algorithm =
      MakeAlgorithm(job, (*env)->info(), "cpu");
  EXPECT_TRUE(algorithm.ok()) << algorithm.status();
  if (!algorithm.ok()) return -1;
  const v1::Weights weights = (*algorithm)->Weights();
  int64_t bytes = 0;
  for (const v1::NamedTensor& named : weights.tensors()) {
    bytes += static_cast<int64_t>(named.tensor().data().size());
  }
  EXPECT_LE(static_cast<int64_t>(weights.ByteSizeLong()),
            bytes + kMessageOverheadBytes);
  return bytes;
}

TEST(JobSpecSizesTest, SoftQPublishesMlpWeightBytesOfItsQNetwork) {
  v1::JobSpec job;
  job.mutable_env()->set_id("CartPole-v1");
  v1::SoftQSpec& q = *job.mutable_algorithm()->mutable_soft_q();
  for (int width : {32, 16, 8}) q.add_hidden(width);
  ApplyJobDefaults(job);
  // 4 observations -> 2 Q values.
  EXPECT_EQ(PublishedTensorBytes(job), MlpWeightBytes(4, q.hidden(), 2));
}

TEST(JobSpecSizesTest, SacPublishesMlpWeightBytesOfItsGaussianActor) {
  v1::JobSpec job;
  job.mutable_env()->set_id("Pendulum-v1");
  v1::SacSpec& sac = *job.mutable_algorithm()->mutable_sac();
  for (int width : {32, 16}) sac.add_hidden(width);
  ApplyJobDefaults(job);
  // 3 observations -> a mean and a log std for the 1 action dimension.
  EXPECT_EQ(PublishedTensorBytes(job), MlpWeightBytes(3, sac.hidden(), 2));
}

TEST(JobSpecSizesTest, SampledBatchesTakeSampleBatchBytes) {
  prometheus::Registry registry;
  ReplayMetrics replay_metrics(registry);
  // Float32[4] observations and int64 actions, as a CartPole job's table;
  // float32[3] and float32[1] actions, as a Pendulum job's; both with the
  // behaviour log-probability column the trainer gives its agent tables.
  v1::TableConfig cart_pole = testing::CartPoleTable(100);
  v1::ColumnSpec& column = *cart_pole.add_extra_columns();
  column.set_name(kBehaviourLogProbColumn);
  column.mutable_spec()->set_dtype(v1::DTYPE_FLOAT32);
  v1::TableConfig pendulum = cart_pole;
  pendulum.mutable_observation()->set_shape(0, 3);
  pendulum.mutable_action()->set_dtype(v1::DTYPE_FLOAT32);
  pendulum.mutable_action()->add_shape(1);
  const struct {
    v1::TableConfig config;
    int64_t observation_bytes;
    int64_t action_bytes;
  } tables[] = {{cart_pole, 4 * 4, 8}, {pendulum, 3 * 4, 4}};
  for (const auto& [config, observation_bytes, action_bytes] : tables) {
    std::unique_ptr<TableMetrics> metrics =
        replay_metrics.AddTable("job", config.name());
    absl::StatusOr<std::unique_ptr<Table>> table =
        Table::Create("job", config, metrics.get());
    ASSERT_TRUE(table.ok()) << table.status();
    for (int n_step : {1, 3}) {
      SampleOptions options;
      options.batch_size = 256;
      options.shape.n_step = n_step;
      EXPECT_EQ((*table)->SampleBytes(options),
                SampleBatchBytes(256, observation_bytes, action_bytes,
                                 /*column_bytes=*/4));
    }
  }
}

}  // namespace
}  // namespace entropic
