#include "learner/reward_models/hashed_count_bonus.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "common/env/registry.h"
#include "common/job_spec.h"
#include "common/replay_columns.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "learner/algorithms/factory.h"
#include "learner/reward_models/factory.h"

namespace entropic {
namespace {

using ::testing::ElementsAre;

v1::JobSpec CountingJob() {
  v1::JobSpec job;
  job.set_name("counts");
  job.mutable_env()->set_id("MountainCar-v0");
  job.mutable_algorithm()->mutable_soft_q();
  job.mutable_exploration()->mutable_hashed_counts()->set_scale(0.5);
  job.mutable_stop()->set_env_steps(1000);
  ApplyJobDefaults(job);
  return job;
}

// A batch of four transitions whose rewards are all 1.
TransitionBatch Batch(std::vector<int64_t> counts,
                      std::vector<bool> from_demonstrations) {
  TransitionBatch batch;
  const int64_t b = static_cast<int64_t>(counts.size());
  batch.observations = torch::zeros({b, 2});
  batch.next_observations = torch::zeros({b, 2});
  batch.actions = torch::zeros({b}, torch::kInt64);
  batch.rewards = torch::ones({b});
  batch.terminated = torch::zeros({b});
  batch.discounts = torch::ones({b});
  batch.weights = torch::ones({b});
  batch.from_demonstrations = torch::zeros({b}, torch::kBool);
  for (int64_t i = 0; i < b; ++i) {
    batch.from_demonstrations[i] = static_cast<bool>(from_demonstrations[i]);
  }
  batch.extra[kVisitCountColumn] = torch::tensor(counts, torch::kInt64);
  return batch;
}

std::vector<float> Values(const torch::Tensor& tensor) {
  const torch::Tensor flat = tensor.contiguous().to(torch::kFloat32);
  return {flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel()};
}

TEST(HashedCountBonusTest, AddsBetaOverTheSquareRootOfTheCount) {
  const v1::JobSpec job = CountingJob();
  std::unique_ptr<Environment> env = *MakeEnvironment(job.env());
  std::unique_ptr<Algorithm> algorithm =
      *MakeAlgorithm(job, env->info(), "cpu");
  HashedCountBonus bonus(job.exploration().hashed_counts());
  // beta = 0.5: counts 1, 4, 0 (treated as 1) and 100, the last a
  // demonstration (no bonus).
  TransitionBatch batch = Batch({1, 4, 0, 100}, {false, false, false, true});
  const Statistics statistics = bonus.Process(batch, *algorithm);
  EXPECT_THAT(Values(batch.rewards), ElementsAre(1.5f, 1.25f, 1.5f, 1.0f));
  // Over the agent rows: mean (0.5 + 0.25 + 0.5) / 3, population std.
  EXPECT_NEAR(statistics.at("hashed_count_mean"), 1.25 / 3, 1e-6);
  const double mean = 1.25 / 3;
  const double variance = (2 * std::pow(0.5 - mean, 2) +
                           std::pow(0.25 - mean, 2)) / 3;
  EXPECT_NEAR(statistics.at("hashed_count_std"), std::sqrt(variance), 1e-6);
  // Everything else is as it was.
  EXPECT_TRUE(torch::equal(batch.observations, torch::zeros({4, 2})));
  EXPECT_TRUE(torch::equal(batch.discounts, torch::ones({4})));
  ASSERT_EQ(bonus.statistics().size(), 2u);
  EXPECT_EQ(bonus.statistics()[0].name, "hashed_count_mean");
  EXPECT_EQ(bonus.statistics()[1].name, "hashed_count_std");

  // A batch of demonstrations only reports nothing and changes nothing.
  TransitionBatch experts = Batch({3, 9}, {true, true});
  EXPECT_TRUE(bonus.Process(experts, *algorithm).empty());
  EXPECT_THAT(Values(experts.rewards), ElementsAre(1.0f, 1.0f));
}

TEST(HashedCountBonusTest, ABatchWithoutCountsIsAnError) {
  const v1::JobSpec job = CountingJob();
  std::unique_ptr<Environment> env = *MakeEnvironment(job.env());
  std::unique_ptr<Algorithm> algorithm =
      *MakeAlgorithm(job, env->info(), "cpu");
  HashedCountBonus bonus(job.exploration().hashed_counts());
  TransitionBatch batch = Batch({1}, {false});
  batch.extra.clear();
  EXPECT_THROW(bonus.Process(batch, *algorithm), c10::Error);
}

TEST(HashedCountBonusTest, TheFactoryStacksItAfterTheDiscriminator) {
  const v1::JobSpec job = CountingJob();
  std::unique_ptr<Environment> env = *MakeEnvironment(job.env());
  absl::StatusOr<std::vector<std::unique_ptr<RewardModel>>> models =
      MakeRewardModels(job, env->info(), torch::kCPU);
  ASSERT_TRUE(models.ok()) << models.status();
  ASSERT_EQ(models->size(), 1u);
  EXPECT_NE(dynamic_cast<HashedCountBonus*>((*models)[0].get()), nullptr);
}

TEST(HashedCountBonusTest, TheTableHashesTheObservationSpaceScaledToItsBounds) {
  v1::HashedCountSpec spec;
  spec.set_bits(20);
  spec.set_seed(9);
  // MountainCar: position in [-1.2, 0.6], velocity in [-0.07, 0.07].
  const v1::VisitCountConfig mountain_car = VisitCountConfigFor(
      spec, (*MakeEnvironment("MountainCar-v0"))->info().observation_space);
  EXPECT_EQ(mountain_car.bits(), 20);
  EXPECT_EQ(mountain_car.seed(), 9u);
  EXPECT_EQ(mountain_car.column(), kVisitCountColumn);
  ASSERT_EQ(mountain_car.center_size(), 2);
  EXPECT_NEAR(mountain_car.center(0), -0.3, 1e-6);
  EXPECT_NEAR(mountain_car.half_width(0), 0.9, 1e-6);
  EXPECT_NEAR(mountain_car.center(1), 0.0, 1e-6);
  EXPECT_NEAR(mountain_car.half_width(1), 0.07, 1e-6);
  // CartPole's velocities are "unbounded" (float32's largest): 0 and 1.
  const v1::VisitCountConfig cart_pole = VisitCountConfigFor(
      spec, (*MakeEnvironment("CartPole-v1"))->info().observation_space);
  ASSERT_EQ(cart_pole.center_size(), 4);
  EXPECT_NEAR(cart_pole.half_width(0), 4.8, 1e-5);
  EXPECT_EQ(cart_pole.center(1), 0.0);
  EXPECT_EQ(cart_pole.half_width(1), 1.0);
  EXPECT_EQ(cart_pole.half_width(3), 1.0);
  // A space without bounds at all.
  Space unbounded;
  unbounded.kind = Space::Kind::kBox;
  unbounded.shape = {3};
  unbounded.low.assign(3, -std::numeric_limits<float>::infinity());
  unbounded.high.assign(3, std::numeric_limits<float>::infinity());
  const v1::VisitCountConfig open = VisitCountConfigFor(spec, unbounded);
  EXPECT_THAT(open.center(), ElementsAre(0, 0, 0));
  EXPECT_THAT(open.half_width(), ElementsAre(1, 1, 1));
}

}  // namespace
}  // namespace entropic
