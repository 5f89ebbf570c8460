// The exploration bonuses as reward models: RND, pseudo-counts and the
// forward model add scale * bonus to agent rows only, on values worked by
// hand where the model allows it, learn (their bonus falls on a repeated
// transition) and come back from a checkpoint as they were.
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/env/registry.h"
#include "common/job_spec.h"
#include "gtest/gtest.h"
#include "learner/algorithms/factory.h"
#include "learner/reward_models/factory.h"
#include "learner/reward_models/forward_model_bonus.h"
#include "learner/reward_models/pseudo_count_bonus.h"
#include "learner/reward_models/rnd_bonus.h"

namespace entropic {
namespace {

const torch::Device kCpu(torch::kCPU);

EnvironmentInfo InfoOf(const std::string& id) {
  v1::EnvironmentSpec spec;
  spec.set_id(id);
  absl::StatusOr<std::unique_ptr<Environment>> env = MakeEnvironment(spec);
  EXPECT_TRUE(env.ok()) << env.status();
  return (*env)->info();
}

// A job on `id` with every bonus of this file, defaults filled in.
v1::JobSpec BonusJob(const std::string& id) {
  v1::JobSpec spec;
  spec.set_name("bonuses");
  spec.mutable_env()->set_id(id);
  if (InfoOf(id).action_space.kind == Space::Kind::kDiscrete) {
    spec.mutable_algorithm()->mutable_soft_q();
  } else {
    spec.mutable_algorithm()->mutable_sac();
  }
  spec.mutable_exploration()->mutable_forward_model();
  spec.mutable_exploration()->mutable_pseudo_counts();
  spec.mutable_exploration()->mutable_rnd();
  spec.mutable_stop()->set_env_steps(1000);
  ApplyJobDefaults(spec);
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
  return spec;
}

// The real algorithm of the job: bonuses take one, though none of them
// asks it anything.
std::unique_ptr<Algorithm> AlgorithmOf(const v1::JobSpec& spec) {
  absl::StatusOr<std::unique_ptr<Algorithm>> algorithm =
      MakeAlgorithm(spec, InfoOf(spec.env().id()), "cpu");
  EXPECT_TRUE(algorithm.ok()) << algorithm.status();
  return *std::move(algorithm);
}

// MountainCarContinuous-v0 transitions: rows 0-2 the agent's, row 3 a
// demonstration's; every reward 0.5.
TransitionBatch MountainCarBatch() {
  TransitionBatch batch;
  batch.observations = torch::tensor(
      {{-0.5f, 0.0f}, {-0.6f, 0.01f}, {0.3f, 0.05f}, {-0.4f, -0.02f}});
  batch.actions = torch::tensor({{0.5f}, {-1.0f}, {1.0f}, {0.0f}});
  batch.next_observations = torch::tensor(
      {{-1.0f, -0.05f}, {-1.0f, 0.05f}, {0.5f, 0.05f}, {0.2f, 0.0f}});
  batch.rewards = torch::full({4}, 0.5f);
  batch.terminated = torch::zeros({4});
  batch.discounts = torch::full({4}, 0.99f);
  batch.from_demonstrations = torch::tensor({false, false, false, true});
  return batch;
}

// Rewards minus the original 0.5.
torch::Tensor Added(const TransitionBatch& batch) {
  return batch.rewards - 0.5;
}

std::string FreshDirectory(const std::string& name) {
  const std::string directory = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  return directory;
}

TEST(ExplorationBonusTest, FactoryStacksThemInTheSpecsOrder) {
  const v1::JobSpec spec = BonusJob("MountainCarContinuous-v0");
  absl::StatusOr<std::vector<std::unique_ptr<RewardModel>>> models =
      MakeRewardModels(spec, InfoOf(spec.env().id()), kCpu);
  ASSERT_TRUE(models.ok()) << models.status();
  ASSERT_EQ(models->size(), 3u);
  EXPECT_EQ((*models)[0]->statistics()[0].name, "rnd_mean");
  EXPECT_EQ((*models)[1]->statistics()[0].name, "pseudo_counts_mean");
  EXPECT_EQ((*models)[2]->statistics()[0].name, "forward_model_mean");
  for (const auto& model : *models) {
    std::vector<std::string> names;
    for (const StatisticSpec& s : model->statistics()) names.push_back(s.name);
    ASSERT_EQ(names.size(), 3u);
    EXPECT_EQ(names[1].substr(names[1].size() - 4), "_std");
    EXPECT_EQ(names[2].substr(names[2].size() - 5), "_loss");
  }
}

// The observation statistics see the three agent next observations only:
// position mean (-1 - 1 + 0.5) / 3 = -0.5, variance (0.25 + 0.25 + 1) / 3
// = 0.5; velocity mean 0.05 / 3, variance of {-0.05, 0.05, 0.05}.
TEST(RndBonusTest, NormalisesAgentNextObservationsWithRunningStatistics) {
  const v1::JobSpec spec = BonusJob("MountainCarContinuous-v0");
  std::unique_ptr<Algorithm> algorithm = AlgorithmOf(spec);
  RndBonus rnd(spec.exploration().rnd(), InfoOf(spec.env().id()), kCpu);
  TransitionBatch batch = MountainCarBatch();
  rnd.Process(batch, *algorithm);
  const RunningMeanStd& statistics = rnd.observation_statistics();
  EXPECT_EQ(statistics.count(), 3);
  EXPECT_NEAR(statistics.mean()[0].item<double>(), -0.5, 1e-6);
  EXPECT_NEAR(statistics.variance()[0].item<double>(), 0.5, 1e-6);
  const double v_mean = 0.05 / 3;
  const double v_variance =
      (std::pow(-0.05 - v_mean, 2) + 2 * std::pow(0.05 - v_mean, 2)) / 3;
  EXPECT_NEAR(statistics.mean()[1].item<double>(), v_mean, 1e-6);
  EXPECT_NEAR(statistics.variance()[1].item<double>(), v_variance, 1e-6);
  // The discounted sums: one per agent row, R = e for the first batch.
  EXPECT_EQ(rnd.discounted_sums().statistics().count(), 3);
  EXPECT_EQ(rnd.discounted_sums().sums()[3].item<double>(), 0.0);
}

// On a fresh model R = e, so the bonus e / std(R) of the first batch has a
// standard deviation of exactly 1 over the agent rows, and scale times
// that is what rnd_std reports. Demonstration rows keep their reward; a
// second model made from the same seed with scale 2.5 adds 2.5 times as
// much.
TEST(RndBonusTest, AddsScaledNormalisedBonusToAgentRowsOnly) {
  v1::JobSpec spec = BonusJob("MountainCarContinuous-v0");
  std::unique_ptr<Algorithm> algorithm = AlgorithmOf(spec);
  const EnvironmentInfo info = InfoOf(spec.env().id());
  torch::manual_seed(7);
  RndBonus unit(spec.exploration().rnd(), info, kCpu);
  spec.mutable_exploration()->mutable_rnd()->set_scale(2.5);
  torch::manual_seed(7);
  RndBonus scaled(spec.exploration().rnd(), info, kCpu);

  TransitionBatch a = MountainCarBatch();
  TransitionBatch b = MountainCarBatch();
  const Statistics unit_statistics = unit.Process(a, *algorithm);
  const Statistics scaled_statistics = scaled.Process(b, *algorithm);
  EXPECT_FLOAT_EQ(a.rewards[3].item<float>(), 0.5f);
  EXPECT_FLOAT_EQ(b.rewards[3].item<float>(), 0.5f);
  const torch::Tensor added = Added(a).slice(0, 0, 3);
  EXPECT_TRUE((added > 0).all().item<bool>()) << added;
  EXPECT_TRUE(
      torch::allclose(Added(b).slice(0, 0, 3), 2.5 * added, 1e-4, 1e-6));
  EXPECT_NEAR(unit_statistics.at("rnd_std"), 1.0, 1e-2);
  EXPECT_NEAR(scaled_statistics.at("rnd_std"), 2.5, 2.5e-2);
  EXPECT_NEAR(unit_statistics.at("rnd_mean"), added.mean().item<double>(),
              1e-5);
  EXPECT_GT(unit_statistics.at("rnd_loss"), 0);
  // Nothing but the rewards changed.
  const TransitionBatch original = MountainCarBatch();
  EXPECT_TRUE(torch::equal(a.observations, original.observations));
  EXPECT_TRUE(torch::equal(a.next_observations, original.next_observations));
  EXPECT_TRUE(torch::equal(a.actions, original.actions));
}

TEST(RndBonusTest, PredictorLearnsARepeatedState) {
  const v1::JobSpec spec = BonusJob("MountainCarContinuous-v0");
  std::unique_ptr<Algorithm> algorithm = AlgorithmOf(spec);
  v1::RndSpec rnd_spec = spec.exploration().rnd();
  rnd_spec.set_lr(1e-3);
  RndBonus rnd(rnd_spec, InfoOf(spec.env().id()), kCpu);
  TransitionBatch batch = MountainCarBatch();
  const double first = rnd.Process(batch, *algorithm).at("rnd_loss");
  double last = first;
  for (int i = 0; i < 300; ++i) {
    batch = MountainCarBatch();
    last = rnd.Process(batch, *algorithm).at("rnd_loss");
  }
  EXPECT_LT(last, 0.1 * first) << first << " -> " << last;
}

TEST(RndBonusTest, BatchesWithoutAgentRowsAreLeftAlone) {
  const v1::JobSpec spec = BonusJob("MountainCarContinuous-v0");
  std::unique_ptr<Algorithm> algorithm = AlgorithmOf(spec);
  RndBonus rnd(spec.exploration().rnd(), InfoOf(spec.env().id()), kCpu);
  TransitionBatch batch = MountainCarBatch();
  batch.from_demonstrations = torch::ones({4}, torch::kBool);
  EXPECT_TRUE(rnd.Process(batch, *algorithm).empty());
  EXPECT_TRUE(torch::equal(batch.rewards, torch::full({4}, 0.5f)));
  EXPECT_EQ(rnd.observation_statistics().count(), 0);
}

// Saved after two batches, loaded into a model made from another seed: the
// next batch gets the same bonus and loss from both.
TEST(RndBonusTest, SaveLoadRoundTrip) {
  const v1::JobSpec spec = BonusJob("MountainCarContinuous-v0");
  std::unique_ptr<Algorithm> algorithm = AlgorithmOf(spec);
  const EnvironmentInfo info = InfoOf(spec.env().id());
  torch::manual_seed(1);
  RndBonus original(spec.exploration().rnd(), info, kCpu);
  for (int i = 0; i < 2; ++i) {
    TransitionBatch batch = MountainCarBatch();
    original.Process(batch, *algorithm);
  }
  const std::string directory = FreshDirectory("rnd_checkpoint");
  ASSERT_TRUE(original.Save(directory).ok());
  torch::manual_seed(2);
  RndBonus restored(spec.exploration().rnd(), info, kCpu);
  ASSERT_TRUE(restored.Load(directory).ok());
  TransitionBatch a = MountainCarBatch();
  TransitionBatch b = MountainCarBatch();
  const Statistics from_original = original.Process(a, *algorithm);
  const Statistics from_restored = restored.Process(b, *algorithm);
  EXPECT_TRUE(torch::allclose(a.rewards, b.rewards)) << a.rewards << b.rewards;
  EXPECT_DOUBLE_EQ(from_original.at("rnd_loss"), from_restored.at("rnd_loss"));
  // A directory without the files is refused.
  EXPECT_EQ(restored.Load(FreshDirectory("rnd_empty")).code(),
            absl::StatusCode::kInvalidArgument);
}

// Bins 2 per dimension over MountainCarContinuous's bounds ([-1.2, 0.6] x
// [-0.07, 0.07]); the agent rows' next observations in order:
//   (-1, -0.05): N = 1, every point in its bins: N_hat = N = 1.
//   (-1, 0.05):  n = (2, 1), N = 2: rho = 1/2, rho' = (3/3)(2/3) = 2/3,
//                N_hat = (1/2)(1/3) / (1/6) = 1.
//   (0.5, 0.05): n = (1, 2), N = 3: rho = 2/9, rho' = (2/4)(3/4) = 3/8,
//                N_hat = (2/9)(5/8) / (3/8 - 2/9) = 10/11.
// Bonus beta / sqrt(N_hat + 0.01), beta = 0.3; the demonstration row is
// neither counted nor rewarded.
TEST(PseudoCountBonusTest, BonusIsBetaOverSqrtPseudoCount) {
  const v1::JobSpec spec = BonusJob("MountainCarContinuous-v0");
  std::unique_ptr<Algorithm> algorithm = AlgorithmOf(spec);
  v1::PseudoCountSpec counts_spec;
  counts_spec.set_scale(0.3);
  counts_spec.set_bins(2);
  absl::StatusOr<std::unique_ptr<PseudoCountBonus>> counts =
      PseudoCountBonus::Create(counts_spec, InfoOf(spec.env().id()),
                               "exploration.pseudo_counts");
  ASSERT_TRUE(counts.ok()) << counts.status();
  TransitionBatch batch = MountainCarBatch();
  const Statistics statistics = (*counts)->Process(batch, *algorithm);
  const torch::Tensor added = Added(batch);
  EXPECT_NEAR(added[0].item<double>(), 0.3 / std::sqrt(1.01), 1e-6);
  EXPECT_NEAR(added[1].item<double>(), 0.3 / std::sqrt(1.01), 1e-6);
  EXPECT_NEAR(added[2].item<double>(), 0.3 / std::sqrt(10.0 / 11 + 0.01), 1e-6);
  EXPECT_FLOAT_EQ(added[3].item<float>(), 0.0f);
  EXPECT_EQ((*counts)->density().total(), 3);
  EXPECT_NEAR(statistics.at("pseudo_counts_mean"),
              added.slice(0, 0, 3).mean().item<double>(), 1e-6);
  // -log rho after counting each: rho = 1, 1/2, 2/9.
  EXPECT_NEAR(statistics.at("pseudo_counts_loss"),
              (0 + std::log(2.0) + std::log(4.5)) / 3, 1e-9);

  // Saved and loaded into a fresh model, the counts are the same.
  const std::string directory = FreshDirectory("pseudo_counts_checkpoint");
  ASSERT_TRUE((*counts)->Save(directory).ok());
  absl::StatusOr<std::unique_ptr<PseudoCountBonus>> restored =
      PseudoCountBonus::Create(counts_spec, InfoOf(spec.env().id()),
                               "exploration.pseudo_counts");
  ASSERT_TRUE(restored.ok());
  ASSERT_TRUE((*restored)->Load(directory).ok());
  EXPECT_EQ((*restored)->density().counts(), (*counts)->density().counts());
  EXPECT_EQ((*restored)->density().total(), 3);
  // Counts of another shape are refused.
  counts_spec.set_bins(3);
  absl::StatusOr<std::unique_ptr<PseudoCountBonus>> other =
      PseudoCountBonus::Create(counts_spec, InfoOf(spec.env().id()),
                               "exploration.pseudo_counts");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->Load(directory).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*other)->density().total(), 0);
}

// A transition seen again and again: the model learns it and its bonus
// falls; box actions enter raw.
TEST(ForwardModelBonusTest, BonusFallsOnARepeatedTransition) {
  const v1::JobSpec spec = BonusJob("MountainCarContinuous-v0");
  std::unique_ptr<Algorithm> algorithm = AlgorithmOf(spec);
  ForwardModelBonus model(spec.exploration().forward_model(),
                          InfoOf(spec.env().id()), kCpu);
  TransitionBatch batch = MountainCarBatch();
  const Statistics first = model.Process(batch, *algorithm);
  EXPECT_FLOAT_EQ(batch.rewards[3].item<float>(), 0.5f);
  EXPECT_NEAR(first.at("forward_model_mean"),
              Added(batch).slice(0, 0, 3).mean().item<double>(), 1e-6);
  Statistics last;
  for (int i = 0; i < 300; ++i) {
    batch = MountainCarBatch();
    last = model.Process(batch, *algorithm);
  }
  EXPECT_LT(last.at("forward_model_mean"),
            0.05 * first.at("forward_model_mean"))
      << first.at("forward_model_mean") << " -> "
      << last.at("forward_model_mean");
  EXPECT_FLOAT_EQ(batch.rewards[3].item<float>(), 0.5f);
}

// Discrete actions enter one-hot: the same observation with two actions
// leading to two next observations is learned apart. Scale applies.
TEST(ForwardModelBonusTest, DiscreteActionsAreOneHotAndScaleApplies) {
  v1::JobSpec spec = BonusJob("CartPole-v1");
  std::unique_ptr<Algorithm> algorithm = AlgorithmOf(spec);
  const EnvironmentInfo info = InfoOf(spec.env().id());
  spec.mutable_exploration()->mutable_forward_model()->set_scale(4);
  ForwardModelBonus model(spec.exploration().forward_model(), info, kCpu);
  const auto make_batch = [] {
    TransitionBatch batch;
    batch.observations = torch::zeros({2, 4});
    batch.actions = torch::tensor({0, 1}, torch::kInt64);
    batch.next_observations =
        torch::tensor({{-1.0f, -1.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 0.0f, 0.0f}});
    batch.rewards = torch::ones({2});
    return batch;  // from_demonstrations undefined: every row the agent's
  };
  TransitionBatch batch = make_batch();
  const Statistics first = model.Process(batch, *algorithm);
  EXPECT_TRUE((batch.rewards > 1).all().item<bool>());
  Statistics last;
  for (int i = 0; i < 300; ++i) {
    batch = make_batch();
    last = model.Process(batch, *algorithm);
  }
  EXPECT_LT(last.at("forward_model_loss"),
            0.05 * first.at("forward_model_loss"));
  // The bonus added is 4 times the model's error.
  batch = make_batch();
  const torch::Tensor error = model.PredictionError(
      batch.observations, batch.actions, batch.next_observations);
  const Statistics next = model.Process(batch, *algorithm);
  EXPECT_NEAR(next.at("forward_model_mean"), 4 * error.mean().item<double>(),
              1e-5);
}

TEST(ForwardModelBonusTest, SaveLoadRoundTrip) {
  const v1::JobSpec spec = BonusJob("MountainCarContinuous-v0");
  std::unique_ptr<Algorithm> algorithm = AlgorithmOf(spec);
  const EnvironmentInfo info = InfoOf(spec.env().id());
  torch::manual_seed(3);
  ForwardModelBonus original(spec.exploration().forward_model(), info, kCpu);
  TransitionBatch batch = MountainCarBatch();
  original.Process(batch, *algorithm);
  const std::string directory = FreshDirectory("forward_model_checkpoint");
  ASSERT_TRUE(original.Save(directory).ok());
  torch::manual_seed(4);
  ForwardModelBonus restored(spec.exploration().forward_model(), info, kCpu);
  ASSERT_TRUE(restored.Load(directory).ok());
  TransitionBatch a = MountainCarBatch();
  TransitionBatch b = MountainCarBatch();
  original.Process(a, *algorithm);
  restored.Process(b, *algorithm);
  EXPECT_TRUE(torch::allclose(a.rewards, b.rewards)) << a.rewards << b.rewards;
}

}  // namespace
}  // namespace entropic
