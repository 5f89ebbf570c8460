#include "actor/policy/tanh_gaussian.h"

#include <torch/torch.h>

#include <cmath>
#include <random>

#include "actor/policy/weights.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

v1::TanhGaussianPolicySpec TwoDimensionalSpec() {
  v1::TanhGaussianPolicySpec spec;
  spec.set_observation_size(3);
  spec.add_hidden(8);
  spec.add_action_low(-2.0f);  // Pendulum's torque
  spec.add_action_high(2.0f);
  spec.add_action_low(-1.0f);
  spec.add_action_high(1.0f);
  return spec;
}

TEST(TanhGaussianTest, LogProbMatchesTheChangeOfVariablesByHand) {
  const ActionBounds bounds =
      ActionBounds::From(TwoDimensionalSpec(), torch::kCPU);
  // Dimension 1: mu 0.3, sigma 0.5, u 0.7 on [-2, 2]:
  //   log N = -0.5 (0.8)^2 - log 0.5 - 0.5 log 2 pi = -0.5457914
  //   log(1 - tanh(0.7)^2) = -0.4545405, log(scale) = log 2
  //   -> -0.7843981
  // Dimension 2: mu -1, sigma 1, u -2 on [-1, 1]: 1.2310670.
  const torch::Tensor mean = torch::tensor({{0.3f, -1.0f}});
  const torch::Tensor log_std =
      torch::tensor({{static_cast<float>(std::log(0.5)), 0.0f}});
  const torch::Tensor u = torch::tensor({{0.7f, -2.0f}});
  const torch::Tensor log_prob = TanhGaussianLogProb(mean, log_std, u, bounds);
  ASSERT_EQ(log_prob.sizes(), (std::vector<int64_t>{1}));
  EXPECT_NEAR(log_prob.item<double>(), -0.7843981 + 1.2310670, 1e-5);
  const torch::Tensor actions = SquashToBounds(u, bounds);
  EXPECT_NEAR(actions[0][0].item<double>(), 1.2087356, 1e-6);
  EXPECT_NEAR(actions[0][1].item<double>(), -0.9640276, 1e-6);
}

TEST(TanhGaussianTest, DensityIntegratesToOneOverTheBox) {
  // One dimension on [-2, 2]: the density of a, summed on a fine grid.
  v1::TanhGaussianPolicySpec spec;
  spec.add_action_low(-2.0f);
  spec.add_action_high(2.0f);
  const ActionBounds bounds = ActionBounds::From(spec, torch::kCPU);
  const int n = 40000;
  const torch::Tensor a =
      torch::linspace(-2.0 + 2.0 / n, 2.0 - 2.0 / n, n, torch::kFloat64)
          .unsqueeze(1);
  const ActionBounds wide{bounds.low.to(torch::kFloat64),
                          bounds.high.to(torch::kFloat64)};
  const torch::Tensor u = UnsquashFromBounds(a, wide);
  const torch::Tensor mean = torch::full({n, 1}, 0.4, torch::kFloat64);
  const torch::Tensor log_std = torch::full({n, 1}, -0.3, torch::kFloat64);
  const double mass =
      (TanhGaussianLogProb(mean, log_std, u, wide).exp() * (4.0 / n))
          .sum()
          .item<double>();
  EXPECT_NEAR(mass, 1.0, 1e-3);
}

TEST(TanhGaussianTest, UnsquashInvertsSquash) {
  const ActionBounds bounds =
      ActionBounds::From(TwoDimensionalSpec(), torch::kCPU);
  const torch::Tensor u = torch::tensor({{-1.5f, 0.2f}, {0.0f, 3.0f}});
  const torch::Tensor back =
      UnsquashFromBounds(SquashToBounds(u, bounds), bounds);
  EXPECT_TRUE(torch::allclose(back, u, 1e-3, 1e-3));
  // On a bound: finite.
  const torch::Tensor edge = torch::tensor({{2.0f, -1.0f}});
  EXPECT_TRUE(torch::isfinite(UnsquashFromBounds(edge, bounds)).all()
                  .item<bool>());
}

TEST(TanhGaussianTest, SampleIsReparameterised) {
  const ActionBounds bounds =
      ActionBounds::From(TwoDimensionalSpec(), torch::kCPU);
  torch::Tensor mean = torch::zeros({4, 2}).requires_grad_(true);
  torch::Tensor log_std = torch::zeros({4, 2}).requires_grad_(true);
  const SquashedSample sample =
      SampleTanhGaussian(mean, log_std, torch::randn({4, 2}), bounds);
  sample.actions.sum().backward();
  ASSERT_TRUE(mean.grad().defined());
  EXPECT_GT(mean.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(log_std.grad().abs().sum().item<double>(), 0.0);
}

TEST(TanhGaussianTest, PolicyActsWithinBoundsAndDeterministicIsTheMean) {
  const v1::TanhGaussianPolicySpec spec = TwoDimensionalSpec();
  GaussianActor network(3, 2, std::vector<int64_t>{8});
  {
    // Zero weights; output bias: mean [5, -0.5], log_std [0, 0].
    torch::NoGradGuard no_grad;
    for (auto& item : network->named_parameters()) item.value().zero_();
    torch::Tensor bias = network->named_parameters()["mlp.layers.1.bias"];
    bias[0] = 5.0f;
    bias[1] = -0.5f;
  }
  TanhGaussianPolicy policy(spec);
  ASSERT_TRUE(policy.Load(WeightsFromModule(*network, "job", 4, 0.2)).ok());
  EXPECT_EQ(policy.version(), 4);
  std::mt19937_64 rng(1);
  const std::vector<float> observations(3 * 100, 0.1f);
  const ActionBatch sampled =
      policy.Act(observations, 100, /*deterministic=*/false, rng);
  ASSERT_EQ(sampled.values.size(), 200u);
  ASSERT_EQ(sampled.log_probs.size(), 100u);
  EXPECT_TRUE(sampled.indices.empty());
  double spread = 0;
  for (int i = 0; i < 100; ++i) {
    EXPECT_GE(sampled.values[2 * i], -2.0f);
    EXPECT_LE(sampled.values[2 * i], 2.0f);
    EXPECT_GE(sampled.values[2 * i + 1], -1.0f);
    EXPECT_LE(sampled.values[2 * i + 1], 1.0f);
    spread += std::abs(sampled.values[2 * i + 1] - std::tanh(-0.5f));
    EXPECT_TRUE(std::isfinite(sampled.log_probs[i]));
  }
  EXPECT_GT(spread / 100, 0.1);  // sigma 1: actions do vary
  const ActionBatch mean =
      policy.Act(observations, 1, /*deterministic=*/true, rng);
  EXPECT_NEAR(mean.values[0], 2.0 * std::tanh(5.0), 1e-5);
  EXPECT_NEAR(mean.values[1], std::tanh(-0.5), 1e-6);
  const Action second = sampled.action(1);
  ASSERT_EQ(second.values.size(), 2u);
  EXPECT_EQ(second.values[0], sampled.values[2]);
}

TEST(TanhGaussianTest, MakePolicyRefusesBadSpecs) {
  v1::PolicySpec spec;
  EXPECT_EQ(MakePolicy(spec).status().code(),
            absl::StatusCode::kInvalidArgument);
  *spec.mutable_tanh_gaussian() = TwoDimensionalSpec();
  EXPECT_TRUE(MakePolicy(spec).ok());
  spec.mutable_tanh_gaussian()->set_action_high(0, -3.0f);
  const absl::Status unordered = MakePolicy(spec).status();
  EXPECT_EQ(unordered.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unordered.message().find("action_low[0]"), std::string::npos);
  spec.mutable_boltzmann()->set_observation_size(4);
  spec.mutable_boltzmann()->set_num_actions(2);
  spec.mutable_boltzmann()->add_hidden(-1);
  EXPECT_EQ(MakePolicy(spec).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace entropic
