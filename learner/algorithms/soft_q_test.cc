#include "learner/algorithms/soft_q.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <vector>

#include "gtest/gtest.h"

namespace entropic {
namespace {

TEST(SoftBellmanTargetTest, MatchesHandComputedValues) {
  // s' with Q_target = [1, 2], alpha = 0.5, gamma = 0.9:
  //   V(s') = 0.5 * log(e^2 + e^4) = 2.0634640055...
  //   y = r + 0.9 * V(s') = 1 + 1.8571176...
  const torch::Tensor next_q = torch::tensor({{1.0f, 2.0f}, {1.0f, 2.0f}});
  const torch::Tensor rewards = torch::tensor({1.0f, 1.0f});
  // d = gamma (1 - terminated).
  const torch::Tensor discounts = torch::tensor({0.9f, 0.0f});
  const torch::Tensor y = SoftBellmanTarget(next_q, rewards, discounts, 0.5);
  const double v = 0.5 * std::log(std::exp(2.0) + std::exp(4.0));
  EXPECT_NEAR(v, 2.0634640055, 1e-9);
  EXPECT_NEAR(y[0].item<double>(), 1.0 + 0.9 * v, 1e-5);
  // A terminal s' contributes nothing: y = r.
  EXPECT_NEAR(y[1].item<double>(), 1.0, 1e-6);
}

TEST(SoftBellmanTargetTest, ApproachesTheHardMaxAsAlphaShrinks) {
  const torch::Tensor next_q = torch::tensor({{3.0f, 5.0f, 4.0f}});
  const torch::Tensor y =
      SoftBellmanTarget(next_q, torch::zeros({1}), torch::ones({1}), 1e-3);
  EXPECT_NEAR(y[0].item<double>(), 5.0, 1e-3);
  // And exceeds it by alpha log |A| when the Q values are equal.
  const torch::Tensor flat = SoftBellmanTarget(
      torch::full({1, 3}, 2.0f), torch::zeros({1}), torch::ones({1}), 0.5);
  EXPECT_NEAR(flat[0].item<double>(), 2.0 + 0.5 * std::log(3.0), 1e-5);
}

v1::ImitationSpec Imitation(v1::ImitationSpec::Loss loss) {
  v1::ImitationSpec spec;
  spec.set_loss(loss);
  spec.set_weight(1.0);
  spec.set_margin(0.8);
  return spec;
}

TEST(ImitationLossTest, LogLikelihoodMatchesHandComputedValues) {
  const torch::Tensor q = torch::tensor({{1.0f, 2.0f, 0.0f}});
  // alpha 1, expert action 1: log(e + e^2 + 1) - 2 = 0.4076059644...
  EXPECT_NEAR(ImitationLoss(q, torch::tensor({1}, torch::kLong), 1.0,
                            Imitation(v1::ImitationSpec::LOG_LIKELIHOOD))
                  .item<double>(),
              std::log(std::exp(1.0) + std::exp(2.0) + 1.0) - 2.0, 1e-6);
  // alpha 0.5 doubles the logits: log(e^2 + e^4 + 1) - 4 = 0.1429316...
  EXPECT_NEAR(ImitationLoss(q, torch::tensor({1}, torch::kLong), 0.5,
                            Imitation(v1::ImitationSpec::LOG_LIKELIHOOD))
                  .item<double>(),
              0.14293, 1e-5);
  // A less likely expert action costs more: log(e + e^2 + 1) - 0.
  EXPECT_NEAR(ImitationLoss(q, torch::tensor({2}, torch::kLong), 1.0,
                            Imitation(v1::ImitationSpec::LOG_LIKELIHOOD))
                  .item<double>(),
              2.4076059644, 1e-6);
}

TEST(ImitationLossTest, LargeMarginMatchesHandComputedValues) {
  const torch::Tensor q = torch::tensor({{1.0f, 2.0f, 0.0f},
                                         {1.0f, 2.0f, 0.0f},
                                         {1.0f, 2.0f, 0.0f},
                                         {1.0f, 1.5f, 0.0f}});
  const torch::Tensor loss =
      ImitationLoss(q, torch::tensor({1, 0, 2, 1}, torch::kLong), 1.0,
                    Imitation(v1::ImitationSpec::LARGE_MARGIN));
  // Expert 1 leads 1 by 1 >= 0.8: max(1.8, 2, 0.8) - 2 = 0.
  EXPECT_NEAR(loss[0].item<double>(), 0.0, 1e-6);
  // Expert 0: max(1, 2.8, 0.8) - 1 = 1.8.
  EXPECT_NEAR(loss[1].item<double>(), 1.8, 1e-6);
  // Expert 2: max(1.8, 2.8, 0) - 0 = 2.8.
  EXPECT_NEAR(loss[2].item<double>(), 2.8, 1e-6);
  // Expert 1 leads by only 0.5 < 0.8: max(1.8, 1.5, 0.8) - 1.5 = 0.3.
  EXPECT_NEAR(loss[3].item<double>(), 0.3, 1e-6);
}

v1::SoftQSpec Spec() {
  v1::SoftQSpec spec;
  spec.set_gamma(0.9);
  spec.set_alpha(0.5);
  spec.set_lr(1e-2);
  spec.set_batch_size(4);
  spec.add_hidden(16);
  spec.mutable_target_update()->set_period(1000000);  // frozen target
  spec.set_huber_delta(10.0);
  spec.set_max_grad_norm(0);
  return spec;
}

TransitionBatch FixedBatch() {
  TransitionBatch batch;
  batch.observations = torch::tensor({{0.0f, 1.0f}, {1.0f, 0.0f}});
  batch.next_observations = torch::tensor({{1.0f, 1.0f}, {0.0f, 0.0f}});
  batch.actions = torch::tensor({0, 1}, torch::kLong);
  batch.rewards = torch::tensor({1.0f, -1.0f});
  batch.terminated = torch::tensor({0.0f, 1.0f});
  batch.discounts = torch::tensor({0.9f, 0.0f});
  batch.weights = torch::ones({2});
  batch.policy_versions = torch::tensor({0, 0}, torch::kLong);
  batch.keys = torch::tensor({0, 1}, torch::kLong);
  return batch;
}

TEST(SoftQLearnerTest, UpdatesFitTheSoftBellmanTarget) {
  absl::StatusOr<std::unique_ptr<SoftQLearner>> learner =
      SoftQLearner::Create(Spec(), 2, 2, "cpu", 1);
  ASSERT_TRUE(learner.ok()) << learner.status();
  const TransitionBatch batch = FixedBatch();
  const double first = (*learner)->Step(batch).loss;
  double last = first;
  for (int i = 0; i < 300; ++i) last = (*learner)->Step(batch).loss;
  // With the target frozen, regression onto fixed targets converges.
  EXPECT_LT(last, first * 0.01);
  EXPECT_EQ((*learner)->updates(), 301);
}

TEST(SoftQLearnerTest, ImportanceWeightsScaleEachTransitionsLoss) {
  auto weighted = SoftQLearner::Create(Spec(), 2, 2, "cpu", 1);
  auto plain = SoftQLearner::Create(Spec(), 2, 2, "cpu", 1);
  ASSERT_TRUE(weighted.ok() && plain.ok());
  TransitionBatch batch = FixedBatch();
  const SoftQUpdate full = (*plain)->Step(batch);
  batch.weights = torch::tensor({0.5f, 0.5f});
  const SoftQUpdate halved = (*weighted)->Step(batch);
  // Same initial networks: the weighted loss is half the plain one.
  EXPECT_NEAR(halved.loss, full.loss / 2, 1e-6);
  // TD errors are per transition and unweighted.
  ASSERT_EQ(full.td_errors.numel(), 2);
  EXPECT_TRUE(torch::allclose(full.td_errors, halved.td_errors));
  // Zero weights leave a fresh network where it was (no gradient, no
  // optimiser momentum yet).
  auto untouched = SoftQLearner::Create(Spec(), 2, 2, "cpu", 1);
  ASSERT_TRUE(untouched.ok());
  batch.weights = torch::zeros({2});
  const v1::Weights before = (*untouched)->Weights();
  (*untouched)->Step(batch);
  const v1::Weights after = (*untouched)->Weights();
  for (int i = 0; i < before.tensors_size(); ++i) {
    EXPECT_EQ(before.tensors(i).tensor().data(),
              after.tensors(i).tensor().data());
  }
}

TEST(SoftQLearnerTest, AutoTemperatureFollowsTheEntropyTarget) {
  for (const double target : {0.05, 0.69}) {
    v1::SoftQSpec spec = Spec();
    spec.mutable_auto_alpha()->set_target_entropy(target);
    spec.mutable_auto_alpha()->set_lr(0.05);
    absl::StatusOr<std::unique_ptr<SoftQLearner>> learner =
        SoftQLearner::Create(spec, 2, 2, "cpu", 1);
    ASSERT_TRUE(learner.ok());
    SoftQUpdate update;
    for (int i = 0; i < 50; ++i) update = (*learner)->Step(FixedBatch());
    // A low target needs a colder policy, a high one a hotter policy.
    if (target < 0.1) {
      EXPECT_LT(update.temperature, 0.5);
    } else {
      EXPECT_GT(update.temperature, 0.5);
    }
  }
}

TEST(SoftQLearnerTest, CheckpointRoundTrips) {
  const std::string dir =
      std::string(::testing::TempDir()) + "/soft_q_checkpoint_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  v1::SoftQSpec spec = Spec();
  spec.mutable_auto_alpha()->set_target_entropy(0.3);
  spec.mutable_auto_alpha()->set_lr(0.05);
  auto original = SoftQLearner::Create(spec, 2, 2, "cpu", 1);
  ASSERT_TRUE(original.ok());
  for (int i = 0; i < 20; ++i) (*original)->Step(FixedBatch());
  ASSERT_TRUE((*original)->Save(dir).ok());

  auto restored = SoftQLearner::Create(spec, 2, 2, "cpu", 99);
  ASSERT_TRUE(restored.ok());
  ASSERT_TRUE((*restored)->Load(dir).ok());
  EXPECT_EQ((*restored)->updates(), 20);
  EXPECT_NEAR((*restored)->temperature(), (*original)->temperature(), 1e-6);
  const v1::Weights a = (*original)->Weights();
  const v1::Weights b = (*restored)->Weights();
  ASSERT_EQ(a.tensors_size(), b.tensors_size());
  for (int i = 0; i < a.tensors_size(); ++i) {
    EXPECT_EQ(a.tensors(i).tensor().data(), b.tensors(i).tensor().data());
  }
  // Both continue identically: the optimiser state came back too.
  const double loss_a = (*original)->Step(FixedBatch()).loss;
  const double loss_b = (*restored)->Step(FixedBatch()).loss;
  EXPECT_NEAR(loss_a, loss_b, 1e-6);
  std::filesystem::remove_all(dir);
}

TEST(SoftQLearnerTest, UnusableDeviceIsRefused) {
  EXPECT_EQ(SoftQLearner::Create(Spec(), 2, 2, "tpu", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  if (!torch::cuda::is_available()) {
    EXPECT_EQ(SoftQLearner::Create(Spec(), 2, 2, "cuda", 1).status().code(),
              absl::StatusCode::kFailedPrecondition);
  }
}

// The supervised term covers only the batch's demonstration transitions:
// changing the action of an agent transition leaves it as it was, changing
// a demonstration's changes it.
TEST(SoftQLearnerTest, ImitationLossCountsOnlyDemonstrations) {
  v1::SoftQSpec spec = Spec();
  *spec.mutable_imitation() = Imitation(v1::ImitationSpec::LOG_LIKELIHOOD);
  auto first_update = [&](std::vector<int64_t> actions,
                          std::vector<bool> demonstration) {
    auto learner = SoftQLearner::Create(spec, 2, 2, "cpu", 1);
    TransitionBatch batch = FixedBatch();
    batch.actions = torch::tensor(actions, torch::kLong);
    batch.from_demonstrations =
        torch::tensor({static_cast<bool>(demonstration[0]),
                       static_cast<bool>(demonstration[1])});
    return (*learner)->Step(batch).imitation_loss;
  };
  const double base = first_update({0, 1}, {true, false});
  EXPECT_GT(base, 0);
  EXPECT_DOUBLE_EQ(first_update({0, 0}, {true, false}), base);
  EXPECT_NE(first_update({1, 1}, {true, false}), base);
  EXPECT_EQ(first_update({0, 1}, {false, false}), -1);
}

// With a large weight, the hybrid loss makes argmax Q the expert's action on
// the demonstrated states, for either supervised loss.
TEST(SoftQLearnerTest, HybridLossTeachesTheExpertsActions) {
  for (const auto loss :
       {v1::ImitationSpec::LOG_LIKELIHOOD, v1::ImitationSpec::LARGE_MARGIN}) {
    SCOPED_TRACE(v1::ImitationSpec::Loss_Name(loss));
    v1::SoftQSpec spec = Spec();
    *spec.mutable_imitation() = Imitation(loss);
    spec.mutable_imitation()->set_weight(10.0);
    auto learner = SoftQLearner::Create(spec, 2, 2, "cpu", 1);
    TransitionBatch batch = FixedBatch();
    // The expert disagrees with what the rewards alone would teach.
    batch.actions = torch::tensor({1, 0}, torch::kLong);
    batch.rewards = torch::tensor({-1.0f, -1.0f});
    batch.from_demonstrations = torch::tensor({true, true});
    SoftQUpdate update;
    for (int i = 0; i < 300; ++i) update = (*learner)->Step(batch);
    EXPECT_EQ(update.expert_agreement, 1.0);
    EXPECT_LT(update.imitation_loss,
              loss == v1::ImitationSpec::LARGE_MARGIN ? 0.05 : 0.3);
  }
}

}  // namespace
}  // namespace entropic
