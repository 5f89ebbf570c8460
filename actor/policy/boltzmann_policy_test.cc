#include "actor/policy/boltzmann_policy.h"

#include <torch/torch.h>

#include <cmath>
#include <random>

#include "actor/policy/weights.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

TEST(BoltzmannPolicyTest, ProbabilitiesAreSoftmaxOfQOverAlpha) {
  // Q = [1, 2, 4], alpha = 0.5: Q / alpha = [2, 4, 8].
  const torch::Tensor q = torch::tensor({{1.0f, 2.0f, 4.0f}});
  const torch::Tensor pi = BoltzmannProbabilities(q, 0.5);
  const double z = std::exp(2.0) + std::exp(4.0) + std::exp(8.0);
  EXPECT_NEAR(pi[0][0].item<double>(), std::exp(2.0) / z, 1e-6);
  EXPECT_NEAR(pi[0][1].item<double>(), std::exp(4.0) / z, 1e-6);
  EXPECT_NEAR(pi[0][2].item<double>(), std::exp(8.0) / z, 1e-6);
}

TEST(BoltzmannPolicyTest, SoftValueIsAlphaLogSumExp) {
  const torch::Tensor q =
      torch::tensor({{1.0f, 2.0f, 4.0f}, {0.0f, 0.0f, 0.0f}});
  const torch::Tensor v = SoftValue(q, 0.5);
  const double z = std::exp(2.0) + std::exp(4.0) + std::exp(8.0);
  EXPECT_NEAR(v[0].item<double>(), 0.5 * std::log(z), 1e-5);
  // Equal Q values: V = Q + alpha log |A|.
  EXPECT_NEAR(v[1].item<double>(), 0.5 * std::log(3.0), 1e-6);
  // V(s) >= max_a Q(s, a), and pi = exp((Q - V) / alpha).
  EXPECT_GE(v[0].item<double>(), 4.0);
  const torch::Tensor pi = BoltzmannProbabilities(q, 0.5);
  EXPECT_NEAR(pi[0][2].item<double>(),
              std::exp((4.0 - v[0].item<double>()) / 0.5), 1e-6);
}

TEST(BoltzmannPolicyTest, EntropyLimits) {
  const torch::Tensor equal = torch::zeros({1, 4});
  EXPECT_NEAR(BoltzmannEntropy(equal, 1.0)[0].item<double>(), std::log(4.0),
              1e-6);
  const torch::Tensor peaked = torch::tensor({{0.0f, 10.0f}});
  EXPECT_LT(BoltzmannEntropy(peaked, 0.01)[0].item<double>(), 1e-6);
  // Two actions with probabilities 1/(1+e) and e/(1+e) at alpha = 1.
  const double p = 1.0 / (1.0 + std::exp(1.0));
  const double h = -(p * std::log(p) + (1 - p) * std::log(1 - p));
  EXPECT_NEAR(
      BoltzmannEntropy(torch::tensor({{0.0f, 1.0f}}), 1.0)[0].item<double>(), h,
      1e-6);
}

TEST(BoltzmannPolicyTest, SampledActionsFollowTheProbabilities) {
  const torch::Tensor probs =
      torch::tensor({{0.1f, 0.6f, 0.3f}}).repeat({1000, 1});
  std::mt19937_64 rng(3);
  std::vector<int> counts(3, 0);
  for (int round = 0; round < 20; ++round) {
    for (int64_t a : SampleActions(probs, rng)) counts[a]++;
  }
  // 20000 draws: standard deviation at most ~70.
  EXPECT_NEAR(counts[0], 2000, 350);
  EXPECT_NEAR(counts[1], 12000, 350);
  EXPECT_NEAR(counts[2], 6000, 350);
}

TEST(BoltzmannPolicyTest, GreedyIsArgmax) {
  const torch::Tensor q =
      torch::tensor({{1.0f, 3.0f, 2.0f}, {5.0f, 0.0f, 1.0f}});
  EXPECT_EQ(GreedyActions(q), (std::vector<int64_t>{1, 0}));
}

TEST(BoltzmannPolicyTest, ActUsesLoadedWeights) {
  // A network whose action 1 is far better everywhere: zero weights and a
  // last-layer bias of [0, 100].
  QNetwork network(4, 2, std::vector<int64_t>{8});
  {
    torch::NoGradGuard no_grad;
    for (auto& item : network->named_parameters()) item.value().zero_();
    network->named_parameters()["layers.1.bias"][1] = 100.0f;
  }
  BoltzmannPolicy policy(4, 2, {8});
  ASSERT_TRUE(policy.Load(WeightsFromModule(*network, "job", 7, 0.1)).ok());
  EXPECT_EQ(policy.version(), 7);
  EXPECT_DOUBLE_EQ(policy.temperature(), 0.1);
  std::mt19937_64 rng(1);
  const std::vector<float> observations(4 * 3, 0.5f);
  EXPECT_EQ(policy.Act(observations, 3, /*deterministic=*/false, rng).indices,
            (std::vector<int64_t>{1, 1, 1}));
  const ActionBatch greedy =
      policy.Act(observations, 3, /*deterministic=*/true, rng);
  EXPECT_EQ(greedy.indices, (std::vector<int64_t>{1, 1, 1}));
  // log pi(1|s) = -log(1 + exp(-100 / 0.1)), 0 in float32.
  ASSERT_EQ(greedy.log_probs.size(), 3u);
  EXPECT_NEAR(greedy.log_probs[0], 0.0, 1e-6);
}

TEST(BoltzmannPolicyTest, LogProbsAreThoseOfTheChosenActions) {
  // Zero weights, last-layer bias [0, log 3] at alpha 1: pi = [1/4, 3/4].
  QNetwork network(2, 2, std::vector<int64_t>{4});
  {
    torch::NoGradGuard no_grad;
    for (auto& item : network->named_parameters()) item.value().zero_();
    network->named_parameters()["layers.1.bias"][1] = std::log(3.0f);
  }
  BoltzmannPolicy policy(2, 2, {4});
  ASSERT_TRUE(policy.Load(WeightsFromModule(*network, "job", 0, 1.0)).ok());
  std::mt19937_64 rng(3);
  const std::vector<float> observations(2 * 64, 0.0f);
  const ActionBatch actions =
      policy.Act(observations, 64, /*deterministic=*/false, rng);
  ASSERT_EQ(actions.log_probs.size(), 64u);
  for (int i = 0; i < 64; ++i) {
    EXPECT_NEAR(actions.log_probs[i],
                actions.indices[i] == 1 ? std::log(0.75) : std::log(0.25),
                1e-5);
  }
}

}  // namespace
}  // namespace entropic
