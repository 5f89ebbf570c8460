#include <torch/script.h>
#include <torch/torch.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "actor/policy/bootstrapped_q_network.h"
#include "actor/policy/bootstrapped_q_policy.h"
#include "actor/policy/policy.h"
#include "actor/policy/torchscript_export.h"
#include "actor/policy/weights.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

// Sets a single-Linear Mlp (no hidden layers) to Q(s) = weight s + bias.
void SetLinear(Mlp& mlp, const torch::Tensor& weight,
               const torch::Tensor& bias) {
  torch::NoGradGuard no_grad;
  auto parameters = mlp->named_parameters();
  parameters["layers.0.weight"].copy_(weight);
  parameters["layers.0.bias"].copy_(bias);
}

// Sets head k of `heads` (no hidden layers) to Q(s) = weight s + bias.
void SetHead(EnsembleMlp heads, int64_t k, const torch::Tensor& weight,
             const torch::Tensor& bias) {
  Mlp mlp(heads->inputs(), heads->outputs(), std::vector<int64_t>{});
  SetLinear(mlp, weight, bias);
  heads->SetMember(k, mlp);
}

v1::BootstrappedQPolicySpec Spec(int heads, double prior_scale) {
  v1::BootstrappedQPolicySpec spec;
  spec.set_observation_size(2);
  spec.set_num_actions(3);
  spec.set_heads(heads);
  spec.set_prior_scale(prior_scale);
  spec.set_mask_probability(0.5);
  return spec;
}

TEST(BootstrappedQNetworkTest, AddsEachHeadsScaledPrior) {
  BootstrappedQNetwork network(2, 3, std::vector<int64_t>{}, /*heads=*/2, /*prior_scale=*/3.0);
  // f_0(s) = [1, 0; 0, 1; 1, 1] s + [0, 0, 1], p_0(s) = [0.5, 0.5, 0.5];
  // f_1(s) = [-1, 2, 0] (constant), p_1(s) = [0, 1; 0, 0; 0, 0] s.
  SetHead(network->trained(), 0,
          torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}, {1.0f, 1.0f}}),
          torch::tensor({0.0f, 0.0f, 1.0f}));
  SetHead(network->priors(), 0, torch::zeros({3, 2}),
          torch::tensor({0.5f, 0.5f, 0.5f}));
  SetHead(network->trained(), 1, torch::zeros({3, 2}),
          torch::tensor({-1.0f, 2.0f, 0.0f}));
  SetHead(network->priors(), 1,
          torch::tensor({{0.0f, 1.0f}, {0.0f, 0.0f}, {0.0f, 0.0f}}),
          torch::zeros({3}));

  const torch::Tensor s = torch::tensor({{2.0f, 4.0f}});
  const torch::Tensor q = network->forward(s);
  ASSERT_EQ(q.sizes(), (std::vector<int64_t>{1, 2, 3}));
  // Q_0 = f_0 + 3 p_0 = [2, 4, 7] + 1.5.
  EXPECT_NEAR(q[0][0][0].item<double>(), 3.5, 1e-6);
  EXPECT_NEAR(q[0][0][1].item<double>(), 5.5, 1e-6);
  EXPECT_NEAR(q[0][0][2].item<double>(), 8.5, 1e-6);
  // Q_1 = [-1, 2, 0] + 3 [4, 0, 0].
  EXPECT_NEAR(q[0][1][0].item<double>(), 11.0, 1e-6);
  EXPECT_NEAR(q[0][1][1].item<double>(), 2.0, 1e-6);
  EXPECT_NEAR(q[0][1][2].item<double>(), 0.0, 1e-6);
  EXPECT_TRUE(torch::allclose(network->Head(1, s), q.select(1, 1)));

  // Without a prior scale the heads are the trained networks alone.
  BootstrappedQNetwork plain(2, 3, std::vector<int64_t>{}, 2, 0.0);
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(plain->forward(s).select(1, 0),
                              plain->trained()->Member(0, s)));
}

TEST(BootstrappedQNetworkTest, PriorsTravelWithTheWeightsButAreNotTrained) {
  BootstrappedQNetwork network(2, 3, std::vector<int64_t>{4}, /*heads=*/3, 1.0);
  // The trained and the prior ensembles, each 2 stacked layers (weight and
  // bias), for all 3 heads.
  EXPECT_EQ(network->parameters().size(), 2u * 4u);
  EXPECT_EQ(network->TrainedParameters().size(), 4u);
  EXPECT_EQ(network->TrainedParameters(1).size(), 4u);
  for (const auto& item : network->named_parameters()) {
    const bool prior = item.key().rfind("priors.", 0) == 0;
    EXPECT_TRUE(prior || item.key().rfind("heads.", 0) == 0) << item.key();
    EXPECT_EQ(item.value().requires_grad(), !prior) << item.key();
  }
  const v1::Weights weights = WeightsFromModule(*network, "job", 1, 0.1);
  EXPECT_EQ(weights.tensors_size(), 8);
  // A policy loading them acts with the same priors.
  v1::BootstrappedQPolicySpec spec = Spec(3, 1.0);
  spec.add_hidden(4);
  BootstrappedQPolicy policy(spec);
  ASSERT_TRUE(policy.Load(weights).ok());
  const torch::Tensor s = torch::tensor({{0.3f, -0.7f}});
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(policy.network()->forward(s),
                              network->forward(s)));
}

// A policy whose head k has constant Q with action k far ahead (k < 3).
BootstrappedQPolicy PolicyPreferringActionOfHead(int heads) {
  BootstrappedQPolicy policy(Spec(heads, 0.0));
  for (int k = 0; k < heads; ++k) {
    torch::Tensor bias = torch::zeros({3});
    bias[k % 3] = 10.0f;
    SetHead(policy.network()->trained(), k, torch::zeros({3, 2}), bias);
  }
  v1::Weights weights = WeightsFromModule(*policy.network(), "job", 0, 0.01);
  EXPECT_TRUE(policy.Load(weights).ok());
  return policy;
}

TEST(BootstrappedQPolicyTest, DrawsAHeadAtEveryEpisodeStartAndActsWithIt) {
  BootstrappedQPolicy policy = PolicyPreferringActionOfHead(3);
  std::mt19937_64 rng(42);
  std::mt19937_64 replay(42);
  std::uniform_int_distribution<int> uniform(0, 2);
  const std::vector<float> observations(4 * 2, 0.0f);
  std::set<int> seen;
  for (int episode = 0; episode < 20; ++episode) {
    for (int row = 0; row < 4; ++row) {
      policy.BeginEpisode(row, rng);
      // The same uniform draw the policy made.
      EXPECT_EQ(policy.head(row), uniform(replay));
      seen.insert(policy.head(row));
    }
    // Within an episode the head stays: each step acts with it.
    for (int step = 0; step < 3; ++step) {
      const ActionBatch actions = policy.Act(observations, 4, false, rng);
      for (int row = 0; row < 4; ++row) {
        EXPECT_EQ(actions.indices[row], policy.head(row));
        EXPECT_NEAR(actions.log_probs[row], 0.0, 1e-6);
      }
      // Act's own draws (Boltzmann sampling) use the rng too.
      for (int row = 0; row < 4; ++row) uniform(replay);
    }
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST(BootstrappedQPolicyTest, DeterministicActingTakesTheHeadsMeanQ) {
  BootstrappedQPolicy policy(Spec(2, 0.0));
  // Q_0 = [2, 0, 1.5], Q_1 = [0, 2, 1.5]: the mean [1, 1, 1.5] prefers the
  // action neither head does.
  SetHead(policy.network()->trained(), 0, torch::zeros({3, 2}),
          torch::tensor({2.0f, 0.0f, 1.5f}));
  SetHead(policy.network()->trained(), 1, torch::zeros({3, 2}),
          torch::tensor({0.0f, 2.0f, 1.5f}));
  ASSERT_TRUE(
      policy.Load(WeightsFromModule(*policy.network(), "job", 3, 0.01)).ok());
  std::mt19937_64 rng(1);
  const std::vector<float> observations(2, 0.0f);
  EXPECT_EQ(policy.Act(observations, 1, true, rng).indices[0], 2);
  EXPECT_EQ(policy.version(), 3);
}

TEST(BootstrappedQPolicyTest, MakePolicyChecksTheSpec) {
  v1::PolicySpec spec;
  *spec.mutable_bootstrapped_q() = Spec(4, 3.0);
  EXPECT_TRUE(MakePolicy(spec).ok());
  spec.mutable_bootstrapped_q()->set_heads(0);
  EXPECT_EQ(MakePolicy(spec).status().code(),
            absl::StatusCode::kInvalidArgument);
  spec.mutable_bootstrapped_q()->set_heads(65);
  EXPECT_NE(MakePolicy(spec).status().message().find(
                "policy.bootstrapped_q.heads"),
            std::string::npos);
  spec.mutable_bootstrapped_q()->set_heads(2);
  spec.mutable_bootstrapped_q()->set_mask_probability(0);
  EXPECT_NE(MakePolicy(spec).status().message().find("mask_probability"),
            std::string::npos);
  spec.mutable_bootstrapped_q()->set_mask_probability(1);
  spec.mutable_bootstrapped_q()->set_prior_scale(-1);
  EXPECT_NE(MakePolicy(spec).status().message().find("prior_scale"),
            std::string::npos);
}

TEST(BootstrappedQPolicyTest, ExportsTheMeanQAsTorchScript) {
  v1::PolicySpec spec;
  *spec.mutable_bootstrapped_q() = Spec(3, 2.0);
  spec.mutable_bootstrapped_q()->add_hidden(5);
  torch::manual_seed(5);
  BootstrappedQNetwork network(2, 3, std::vector<int64_t>{5}, 3, 2.0);
  const v1::Weights weights = WeightsFromModule(*network, "job", 4, 0.2);
  const std::string path =
      std::string(::testing::TempDir()) + "/bootstrapped.pt";
  ASSERT_TRUE(ExportTorchScript(spec, weights, path).ok());
  torch::jit::Module loaded = torch::jit::load(path);
  const torch::Tensor s = torch::tensor({{0.5f, -1.0f}, {2.0f, 0.25f}});
  torch::NoGradGuard no_grad;
  const torch::Tensor q = network->forward(s);
  EXPECT_TRUE(torch::allclose(loaded.run_method("heads", s).toTensor(), q,
                              1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(loaded.forward({s}).toTensor(), q.mean(1), 1e-5,
                              1e-6));
  EXPECT_NEAR(loaded.attr("prior_scale").toDouble(), 2.0, 1e-9);
}

}  // namespace
}  // namespace entropic
