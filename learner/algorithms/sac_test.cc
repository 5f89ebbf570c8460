#include "learner/algorithms/sac.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace entropic {
namespace {

v1::SacSpec Spec() {
  v1::SacSpec spec;
  spec.set_gamma(0.9);
  spec.set_alpha(0.5);
  spec.set_actor_lr(1e-3);
  spec.set_critic_lr(1e-3);
  spec.set_alpha_lr(0.1);
  spec.set_batch_size(4);
  spec.add_hidden(16);
  spec.set_polyak(0.01);
  spec.set_publish_every_updates(1);
  spec.set_n_step(1);
  return spec;
}

// Four transitions of a 2-d observation and a 1-d action in [-2, 2].
TransitionBatch Batch() {
  TransitionBatch batch;
  batch.observations = torch::tensor({{0.f, 1.f}, {1.f, 0.f}, {0.5f, 0.5f},
                                      {-1.f, 0.f}});
  batch.next_observations = batch.observations.flip(0);
  batch.actions = torch::tensor({{1.5f}, {-0.5f}, {0.f}, {-1.9f}});
  batch.rewards = torch::tensor({1.f, -1.f, 0.f, 0.5f});
  batch.terminated = torch::zeros({4});
  batch.discounts = torch::full({4}, 0.9f);
  batch.weights = torch::ones({4});
  batch.from_demonstrations = torch::zeros({4}, torch::kBool);
  return batch;
}

std::unique_ptr<SacLearner> Make(const v1::SacSpec& spec, uint64_t seed = 1) {
  absl::StatusOr<std::unique_ptr<SacLearner>> learner =
      SacLearner::Create(spec, 2, {-2.0f}, {2.0f}, "cpu", seed);
  EXPECT_TRUE(learner.ok()) << learner.status();
  return std::move(*learner);
}

TEST(SacTest, CriticTargetTakesTheSmallerQMinusTheEntropyTerm) {
  // y = r + d (min(q1, q2) - alpha log pi):
  //   1 + 0.9 (min(2, 3) - 0.5 (-1)) = 3.25
  //   0 + 0   (...)                  = 0     (terminal)
  //  -1 + 0.81 (min(-1, 4) - 0.5 (2)) = -2.62
  const torch::Tensor y = SacCriticTarget(
      torch::tensor({2.f, 5.f, -1.f}), torch::tensor({3.f, 1.f, 4.f}),
      torch::tensor({-1.f, 0.f, 2.f}), torch::tensor({1.f, 0.f, -1.f}),
      torch::tensor({0.9f, 0.f, 0.81f}), 0.5);
  EXPECT_NEAR(y[0].item<double>(), 3.25, 1e-6);
  EXPECT_NEAR(y[1].item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(y[2].item<double>(), -2.62, 1e-6);
}

TEST(SacTest, PolicyLossIsAlphaLogPiMinusMinQ) {
  // mean(0.2 * [-1, 3] - min([1, 0], [2, -4])) = mean([-1.2, 4.6]) = 1.7
  const torch::Tensor loss =
      SacPolicyLoss(torch::tensor({-1.f, 3.f}), torch::tensor({1.f, 0.f}),
                    torch::tensor({2.f, -4.f}), 0.2);
  EXPECT_NEAR(loss.item<double>(), 1.7, 1e-6);
}

TEST(SacTest, TemperatureFallsWhileEntropyIsAboveTheTarget) {
  // d/d log alpha of -mean(log alpha (log pi + target)) = -(mean log pi +
  // target): log pi [-1, -2] (entropy 1.5), target -1 -> +2.5, so alpha
  // falls; log pi [2, 2] (entropy -2) -> -(2 - 1) = -1, alpha rises.
  torch::Tensor log_alpha = torch::zeros({1}).requires_grad_(true);
  TemperatureLoss(log_alpha, torch::tensor({-1.f, -2.f}), -1.0).backward();
  EXPECT_NEAR(log_alpha.grad().item<double>(), 2.5, 1e-6);
  log_alpha.mutable_grad().zero_();
  TemperatureLoss(log_alpha, torch::tensor({2.f, 2.f}), -1.0).backward();
  EXPECT_NEAR(log_alpha.grad().item<double>(), -1.0, 1e-6);
}

TEST(SacTest, TunedTemperatureFollowsAdamOnTheEntropyGap) {
  // A fresh policy has entropy well above a target of -5 nats: the first
  // Adam step (lr 0.1) lowers log alpha by about lr.
  v1::SacSpec spec = Spec();
  spec.set_target_entropy(-5.0);
  std::unique_ptr<SacLearner> learner = Make(spec);
  EXPECT_NEAR(learner->temperature(), 0.5, 1e-6);
  learner->Update(Batch());
  EXPECT_NEAR(std::log(learner->temperature()), std::log(0.5) - 0.1, 1e-3);
  // Fixed: unchanged.
  spec.set_fixed_alpha(true);
  std::unique_ptr<SacLearner> fixed = Make(spec);
  fixed->Update(Batch());
  EXPECT_NEAR(fixed->temperature(), 0.5, 1e-7);
}

TEST(SacTest, DefaultTargetEntropyIsMinusTheActionDimension) {
  EXPECT_DOUBLE_EQ(Make(Spec())->target_entropy(), -1.0);
}

TEST(SacTest, CriticLossFallsOnAFixedBatch) {
  v1::SacSpec spec = Spec();
  spec.set_fixed_alpha(true);
  std::unique_ptr<SacLearner> learner = Make(spec);
  const double first = learner->Update(Batch()).statistics.at("loss");
  double last = first;
  for (int i = 0; i < 300; ++i) {
    last = learner->Update(Batch()).statistics.at("loss");
  }
  EXPECT_LT(last, first * 0.5);
  EXPECT_EQ(learner->updates(), 301);
}

TEST(SacTest, PolicyMovesTowardsTheBetterAction) {
  // One state; the reward is the action itself, episodes end at once
  // (discount 0): Q(s, a) = a, and the policy's mean should move up.
  v1::SacSpec spec = Spec();
  spec.set_fixed_alpha(true);
  spec.set_alpha(0.01);
  spec.set_actor_lr(3e-3);
  spec.set_critic_lr(3e-3);
  std::unique_ptr<SacLearner> learner = Make(spec);
  const int n = 64;
  TransitionBatch batch;
  batch.observations = torch::ones({n, 2});
  batch.next_observations = torch::ones({n, 2});
  batch.actions = torch::linspace(-1.9, 1.9, n).unsqueeze(1);
  batch.rewards = batch.actions.squeeze(1).clone();
  batch.terminated = torch::ones({n});
  batch.discounts = torch::zeros({n});
  batch.weights = torch::ones({n});
  batch.from_demonstrations = torch::zeros({n}, torch::kBool);
  for (int i = 0; i < 400; ++i) learner->Update(batch);
  // log pi of a high action beats that of a low one.
  const torch::Tensor log_pi = learner->LogPolicy(
      torch::ones({2, 2}), torch::tensor({{1.8f}, {-1.8f}}));
  EXPECT_GT(log_pi[0].item<double>(), log_pi[1].item<double>() + 1.0);
}

TEST(SacTest, ImitationPullsThePolicyToTheExpertsAction) {
  v1::SacSpec spec = Spec();
  spec.mutable_imitation()->set_weight(1.0);
  spec.mutable_imitation()->set_loss(v1::ImitationSpec::LOG_LIKELIHOOD);
  std::unique_ptr<SacLearner> learner = Make(spec);
  TransitionBatch batch = Batch();
  batch.actions = torch::full({4, 1}, 1.2f);
  batch.from_demonstrations = torch::ones({4}, torch::kBool);
  const double first = learner->Update(batch).statistics.at("imitation_loss");
  double last = first;
  for (int i = 0; i < 300; ++i) {
    last = learner->Update(batch).statistics.at("imitation_loss");
  }
  EXPECT_LT(last, first - 1.0);
}

TEST(SacTest, CheckpointRoundTrips) {
  const std::string dir = std::string(::testing::TempDir()) + "/sac_checkpoint";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::unique_ptr<SacLearner> original = Make(Spec());
  for (int i = 0; i < 10; ++i) original->Update(Batch());
  ASSERT_TRUE(original->Save(dir).ok());
  std::unique_ptr<SacLearner> restored = Make(Spec(), 99);
  ASSERT_TRUE(restored->Load(dir).ok());
  EXPECT_EQ(restored->updates(), 10);
  EXPECT_NEAR(restored->temperature(), original->temperature(), 1e-7);
  const v1::Weights a = original->Weights();
  const v1::Weights b = restored->Weights();
  ASSERT_EQ(a.tensors_size(), b.tensors_size());
  for (int i = 0; i < a.tensors_size(); ++i) {
    EXPECT_EQ(a.tensors(i).tensor().data(), b.tensors(i).tensor().data());
  }
  // Same critic loss on the next update: critics and optimisers came back.
  torch::manual_seed(5);
  const double loss_a = original->Update(Batch()).statistics.at("loss");
  torch::manual_seed(5);
  const double loss_b = restored->Update(Batch()).statistics.at("loss");
  EXPECT_NEAR(loss_a, loss_b, 1e-5);
  // A directory without the files is refused, naming one.
  std::filesystem::remove(dir + "/sac_q2.pt");
  const absl::Status missing = restored->Load(dir);
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("sac_q2.pt"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(SacTest, PolicyIsTheTanhGaussianActorsBuild) {
  std::unique_ptr<SacLearner> learner = Make(Spec());
  const v1::PolicySpec policy = learner->policy();
  ASSERT_TRUE(policy.has_tanh_gaussian());
  EXPECT_EQ(policy.tanh_gaussian().observation_size(), 2);
  EXPECT_EQ(policy.tanh_gaussian().action_low(0), -2.0f);
  EXPECT_EQ(policy.tanh_gaussian().action_high(0), 2.0f);
  absl::StatusOr<std::unique_ptr<Policy>> made = MakePolicy(policy);
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE((*made)->Load(learner->Weights()).ok());
}

TEST(SacTest, RefusesActionSpacesItCannotSquash) {
  EXPECT_EQ(SacLearner::Create(Spec(), 2, {}, {}, "cpu", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SacLearner::Create(Spec(), 2, {-INFINITY}, {1.0f}, "cpu", 1)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace entropic
