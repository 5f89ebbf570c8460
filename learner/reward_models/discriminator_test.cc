// The AIRL and GAIL discriminators: their logit and loss against values
// worked by hand, and training that separates expert from agent.
#include "learner/reward_models/discriminator.h"

#include <torch/torch.h>

#include <cmath>

#include "gtest/gtest.h"

namespace entropic {
namespace {

Space TwoActions() {
  Space space;
  space.kind = Space::Kind::kDiscrete;
  space.num_actions = 2;
  return space;
}

// g = 1, h(s) = 0.5, h(s') = 2, discount 0.9, pi(a|s) = 0.25:
// f = 1 + 1.8 - 0.5 = 2.3, D = e^2.3 / (e^2.3 + 0.25) = 0.9755...,
// so log D - log(1 - D) = f - log 0.25 = 3.6862944.
TEST(DiscriminatorTest, AirlLogitIsFMinusLogPi) {
  const torch::Tensor logit = DiscriminatorLogit(
      v1::AdversarialSpec::AIRL, torch::tensor({1.0f}), torch::tensor({0.5f}),
      torch::tensor({2.0f}), torch::tensor({0.9f}),
      torch::tensor({static_cast<float>(std::log(0.25))}));
  EXPECT_NEAR(logit.item<double>(), 2.3 - std::log(0.25), 1e-5);
  const double d = std::exp(2.3) / (std::exp(2.3) + 0.25);
  EXPECT_NEAR(torch::sigmoid(logit).item<double>(), d, 1e-6);
  // Past a terminal state (discount 0) h(s') drops out: f = 1 - 0.5.
  EXPECT_NEAR(
      DiscriminatorLogit(v1::AdversarialSpec::AIRL, torch::tensor({1.0f}),
                         torch::tensor({0.5f}), torch::tensor({2.0f}),
                         torch::tensor({0.0f}), torch::tensor({0.0f}))
          .item<double>(),
      0.5, 1e-6);
}

TEST(DiscriminatorTest, GailLogitIsTheClassifiersOutput) {
  EXPECT_NEAR(DiscriminatorLogit(v1::AdversarialSpec::GAIL,
                                 torch::tensor({-1.5f}), {}, {}, {}, {})
                  .item<double>(),
              -1.5, 1e-6);
}

// Logits 0 and 2 on demonstrations, -1 and 1 on agent transitions:
// expert part (log 2 + log(1 + e^-2)) / 2 = 0.4100378,
// agent part (log(1 + e^-1) + log(1 + e)) / 2 = 0.8132617.
TEST(DiscriminatorTest, LossWeighsEachClassByHalf) {
  const torch::Tensor loss =
      DiscriminatorLoss(torch::tensor({0.0f, 2.0f, -1.0f, 1.0f}),
                        torch::tensor({true, true, false, false}));
  const double expert = (std::log(2.0) + std::log(1 + std::exp(-2.0))) / 2;
  const double agent =
      (std::log(1 + std::exp(-1.0)) + std::log(1 + std::exp(1.0))) / 2;
  EXPECT_NEAR(loss.item<double>(), expert + agent, 1e-5);
  EXPECT_NEAR(expert, 0.4100378, 1e-6);
  EXPECT_NEAR(agent, 0.8132617, 1e-6);
}

TransitionBatch ExpertVersusAgent() {
  // The expert is in state (1, 0) and takes action 0; the agent is in state
  // (0, 1) and takes action 1.
  TransitionBatch batch;
  batch.observations = torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}});
  batch.next_observations = batch.observations.clone();
  batch.actions = torch::tensor({0, 1}, torch::kLong);
  batch.rewards = torch::tensor({1.0f, 1.0f});
  batch.terminated = torch::tensor({0.0f, 1.0f});
  batch.from_demonstrations = torch::tensor({true, false});
  return batch;
}

TEST(DiscriminatorTest, TrainingSeparatesExpertFromAgent) {
  for (const auto kind :
       {v1::AdversarialSpec::AIRL, v1::AdversarialSpec::GAIL}) {
    SCOPED_TRACE(v1::AdversarialSpec::Kind_Name(kind));
    v1::AdversarialSpec spec;
    spec.set_kind(kind);
    spec.set_reward(v1::AdversarialSpec::LOGIT);
    spec.set_lr(1e-2);
    spec.add_hidden(16);
    spec.set_reward_scale(1.0);
    torch::manual_seed(3);
    Discriminator discriminator(spec, 0.99, 2, TwoActions(), torch::kCPU);
    const TransitionBatch batch = ExpertVersusAgent();
    const torch::Tensor log_pi = torch::full({2}, std::log(0.5f));
    DiscriminatorUpdate first = discriminator.Update(batch, log_pi);
    DiscriminatorUpdate update = first;
    for (int i = 0; i < 200; ++i) update = discriminator.Update(batch, log_pi);
    EXPECT_LT(update.loss, first.loss * 0.1);
    EXPECT_EQ(update.accuracy, 1.0);
    EXPECT_GT(update.expert_d, 0.9);
    EXPECT_LT(update.agent_d, 0.1);
    // The reward favours the expert's transition.
    EXPECT_GT(update.rewards[0].item<double>(),
              update.rewards[1].item<double>() + 2);
  }
}

// Each reward choice is the documented function of the logit.
TEST(DiscriminatorTest, RewardChoicesFollowTheLogit) {
  const TransitionBatch batch = ExpertVersusAgent();
  const torch::Tensor log_pi = torch::tensor({-0.5f, -2.0f});
  auto reward = [&](v1::AdversarialSpec::Reward choice) {
    v1::AdversarialSpec spec;
    spec.set_kind(v1::AdversarialSpec::AIRL);
    spec.set_reward(choice);
    spec.set_lr(1e-9);  // the update barely moves it
    spec.add_hidden(8);
    spec.set_reward_scale(2.0);
    torch::manual_seed(5);
    Discriminator discriminator(spec, 0.99, 2, TwoActions(), torch::kCPU);
    return discriminator.Update(batch, log_pi).rewards;
  };
  const torch::Tensor logit = reward(v1::AdversarialSpec::LOGIT) / 2;
  EXPECT_TRUE(torch::allclose(reward(v1::AdversarialSpec::F) / 2,
                              logit + log_pi, 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(reward(v1::AdversarialSpec::SURVIVAL) / 2,
                              torch::softplus(logit), 1e-4, 1e-5));
}

}  // namespace
}  // namespace entropic
