#include "learner/algorithms/bootstrapped_soft_q.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "actor/policy/bootstrapped_q_policy.h"
#include "common/replay_columns.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

TEST(BootstrappedSoftBellmanTargetsTest, EachHeadBacksUpItsOwnTargetHead) {
  // B = 2, K = 2, A = 2; alpha = 0.5, rewards [1, -1], discounts [0.9, 0].
  const torch::Tensor next_q = torch::tensor(
      {{{1.0f, 2.0f}, {0.0f, 0.0f}}, {{5.0f, 5.0f}, {3.0f, -3.0f}}});
  const torch::Tensor y = BootstrappedSoftBellmanTargets(
      next_q, torch::tensor({1.0f, -1.0f}), torch::tensor({0.9f, 0.0f}), 0.5);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 2}));
  // Head 0: V = 0.5 log(e^2 + e^4); head 1: V = 0.5 log 2.
  EXPECT_NEAR(y[0][0].item<double>(),
              1.0 + 0.9 * 0.5 * std::log(std::exp(2.0) + std::exp(4.0)), 1e-5);
  EXPECT_NEAR(y[0][1].item<double>(), 1.0 + 0.9 * 0.5 * std::log(2.0), 1e-5);
  // A terminal transition: y = r for every head.
  EXPECT_NEAR(y[1][0].item<double>(), -1.0, 1e-6);
  EXPECT_NEAR(y[1][1].item<double>(), -1.0, 1e-6);
}

TEST(BootstrappedLossTest, AveragesEachHeadOverTheTransitionsItsMaskKeeps) {
  // Errors q - y (all within the Huber threshold 10: loss e^2 / 2).
  const torch::Tensor q = torch::tensor({{1.0f, 2.0f, 0.0f},
                                         {3.0f, 0.0f, 0.0f},
                                         {0.0f, 4.0f, 0.0f}});
  const torch::Tensor y = torch::zeros({3, 3});
  const torch::Tensor masks = torch::tensor({{1.0f, 1.0f, 0.0f},
                                             {1.0f, 0.0f, 0.0f},
                                             {0.0f, 1.0f, 0.0f}});
  const torch::Tensor weights = torch::tensor({1.0f, 0.5f, 1.0f});
  // Head 0 keeps rows 0, 1: (0.5 + 0.5 * 4.5) / 2; head 1 keeps rows 0, 2:
  // (2 + 8) / 2; head 2 keeps nothing: 0.
  const double expected = (0.5 + 0.5 * 4.5) / 2 + (2.0 + 8.0) / 2;
  EXPECT_NEAR(BootstrappedLoss(q, y, masks, weights, 10.0).item<double>(),
              expected, 1e-5);
}

v1::SoftQSpec Spec() {
  v1::SoftQSpec spec;
  spec.set_gamma(0.9);
  spec.set_alpha(0.1);
  spec.set_lr(1e-2);
  spec.set_batch_size(4);
  spec.add_hidden(8);
  spec.mutable_target_update()->set_polyak(0.5);
  spec.set_huber_delta(1.0);
  spec.set_max_grad_norm(10.0);
  spec.set_n_step(1);
  spec.set_publish_every_updates(10);
  return spec;
}

v1::BootstrappedHeadsSpec Heads(int heads) {
  v1::BootstrappedHeadsSpec spec;
  spec.set_heads(heads);
  spec.set_prior_scale(3.0);
  spec.set_mask_probability(0.5);
  return spec;
}

// Four transitions of a 2-observation, 2-action problem; head h keeps what
// `masks` [4, K] says.
TransitionBatch Batch(const torch::Tensor& masks) {
  TransitionBatch batch;
  batch.observations =
      torch::tensor({{0.0f, 1.0f}, {1.0f, 0.0f}, {1.0f, 1.0f}, {0.5f, 0.0f}});
  batch.next_observations =
      torch::tensor({{1.0f, 1.0f}, {0.0f, 0.0f}, {0.0f, 1.0f}, {1.0f, 0.5f}});
  batch.actions = torch::tensor({0, 1, 1, 0}, torch::kLong);
  batch.rewards = torch::tensor({1.0f, -1.0f, 0.5f, 0.0f});
  batch.terminated = torch::tensor({0.0f, 1.0f, 0.0f, 0.0f});
  batch.discounts = torch::tensor({0.9f, 0.0f, 0.9f, 0.9f});
  batch.weights = torch::ones({4});
  batch.policy_versions = torch::zeros({4}, torch::kLong);
  batch.keys = torch::arange(4, torch::kLong);
  batch.extra[kBootstrapMaskColumn] = masks;
  return batch;
}

std::vector<torch::Tensor> Copies(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> copies;
  for (const torch::Tensor& t : tensors) copies.push_back(t.detach().clone());
  return copies;
}

bool Same(const std::vector<torch::Tensor>& a,
          const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!torch::equal(a[i], b[i])) return false;
  }
  return true;
}

TEST(BootstrappedSoftQLearnerTest, AHeadWhoseMaskKeepsNothingIsNotTrained) {
  auto learner = BootstrappedSoftQLearner::Create(Spec(), Heads(3), 2, 2,
                                                  "cpu", 1);
  ASSERT_TRUE(learner.ok()) << learner.status();
  BootstrappedQNetwork& network = (*learner)->online();
  std::vector<std::vector<torch::Tensor>> before;
  for (int k = 0; k < 3; ++k) {
    before.push_back(Copies(network->TrainedParameters(k)));
  }
  // Head 1's mask is 0 for the whole batch; heads 0 and 2 keep some rows.
  const torch::Tensor masks = torch::tensor({{1.0f, 0.0f, 0.0f},
                                             {1.0f, 0.0f, 1.0f},
                                             {0.0f, 0.0f, 1.0f},
                                             {1.0f, 0.0f, 0.0f}});
  const BootstrappedSoftQUpdate update = (*learner)->Step(Batch(masks));
  EXPECT_FALSE(Same(network->TrainedParameters(0), before[0]));
  EXPECT_TRUE(Same(network->TrainedParameters(1), before[1]));
  EXPECT_FALSE(Same(network->TrainedParameters(2), before[2]));
  EXPECT_NEAR(update.mask_fraction, 5.0 / 12.0, 1e-6);
  EXPECT_EQ(update.td_errors.numel(), 4);
  EXPECT_GT(update.disagreement, 0.0);  // random heads and priors differ
}

TEST(BootstrappedSoftQLearnerTest, TrainingLeavesThePriorsAsTheyWere) {
  v1::SoftQSpec spec = Spec();
  // A frozen target: the heads regress onto fixed targets, so the loss falls.
  spec.mutable_target_update()->set_period(1000000);
  auto learner = BootstrappedSoftQLearner::Create(spec, Heads(2), 2, 2,
                                                  "cpu", 1);
  ASSERT_TRUE(learner.ok());
  BootstrappedQNetwork& network = (*learner)->online();
  const std::vector<torch::Tensor> priors = network->priors()->parameters();
  const std::vector<torch::Tensor> before = Copies(priors);
  const std::vector<torch::Tensor> trained = Copies(network->TrainedParameters());
  const torch::Tensor masks = torch::ones({4, 2});
  double first = 0, last = 0;
  for (int i = 0; i < 200; ++i) {
    last = (*learner)->Step(Batch(masks)).loss;
    if (i == 0) first = last;
  }
  EXPECT_TRUE(Same(priors, before));
  EXPECT_FALSE(Same(network->TrainedParameters(), trained));
  EXPECT_LT(last, first * 0.1);
  // The priors stay part of the published weights.
  const v1::Weights weights = (*learner)->Weights();
  // Trained heads and priors, each 2 stacked layers' weights and biases.
  EXPECT_EQ(weights.tensors_size(), 2 * 4);
  EXPECT_NEAR(weights.temperature(), 0.1, 1e-12);
}

TEST(BootstrappedSoftQLearnerTest, ActorsBuildTheSamePolicyFromItsSpec) {
  auto learner = BootstrappedSoftQLearner::Create(Spec(), Heads(4), 2, 2,
                                                  "cpu", 7);
  ASSERT_TRUE(learner.ok());
  const v1::PolicySpec spec = (*learner)->policy();
  ASSERT_TRUE(spec.has_bootstrapped_q());
  EXPECT_EQ(spec.bootstrapped_q().heads(), 4);
  EXPECT_EQ(spec.bootstrapped_q().prior_scale(), 3.0);
  EXPECT_EQ(spec.bootstrapped_q().mask_probability(), 0.5);
  BootstrappedQPolicy policy(spec.bootstrapped_q());
  ASSERT_TRUE(policy.Load((*learner)->Weights()).ok());
  const torch::Tensor s = torch::tensor({{0.2f, -0.4f}});
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(policy.network()->forward(s),
                              (*learner)->online()->forward(s)));
}

TEST(BootstrappedSoftQLearnerTest, RefusesABatchWithoutMasks) {
  auto learner = BootstrappedSoftQLearner::Create(Spec(), Heads(2), 2, 2,
                                                  "cpu", 1);
  ASSERT_TRUE(learner.ok());
  TransitionBatch batch = Batch(torch::ones({4, 2}));
  batch.extra.clear();
  EXPECT_THROW((*learner)->Step(batch), c10::Error);
  EXPECT_EQ((*learner)->updates(), 0);
}

TEST(BootstrappedSoftQLearnerTest, SaveAndLoadRestoreTheHeadsAndPriors) {
  const std::string directory =
      std::string(::testing::TempDir()) + "/bootstrapped_checkpoint";
  std::filesystem::create_directories(directory);
  auto trained = BootstrappedSoftQLearner::Create(Spec(), Heads(2), 2, 2,
                                                  "cpu", 1);
  ASSERT_TRUE(trained.ok());
  for (int i = 0; i < 5; ++i) (*trained)->Step(Batch(torch::ones({4, 2})));
  ASSERT_TRUE((*trained)->Save(directory).ok());
  auto restored = BootstrappedSoftQLearner::Create(Spec(), Heads(2), 2, 2,
                                                   "cpu", 99);
  ASSERT_TRUE(restored.ok());
  ASSERT_TRUE((*restored)->Load(directory).ok());
  EXPECT_EQ((*restored)->updates(), 5);
  const torch::Tensor s = torch::tensor({{0.3f, 0.9f}, {-1.0f, 2.0f}});
  {
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::allclose((*restored)->online()->forward(s),
                                (*trained)->online()->forward(s)));
  }
  // The restored priors still do not train.
  for (const auto& item : (*restored)->online()->named_parameters()) {
    EXPECT_EQ(item.value().requires_grad(),
              item.key().rfind("priors.", 0) != 0)
        << item.key();
  }
  // A checkpoint of other heads does not fit.
  auto other = BootstrappedSoftQLearner::Create(Spec(), Heads(3), 2, 2, "cpu",
                                                1);
  ASSERT_TRUE(other.ok());
  const absl::Status mismatch = (*other)->Load(directory);
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(mismatch.message().find("heads.input_weight has shape [2, 16], expected [2, 24]"),
            std::string::npos)
      << mismatch;
}

}  // namespace
}  // namespace entropic
