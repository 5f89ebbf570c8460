#include "actor/policy/ensemble_mlp.h"

#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace entropic {
namespace {

torch::Tensor Dense(const torch::Tensor& grad) {
  return grad.is_sparse() ? grad.to_dense() : grad;
}

// Each member of the ensemble is exactly the Mlp CopyOfMember gives, in
// value and in gradient, for dense inputs and for one-hot inputs wide enough
// to take the sparse product.
void ExpectMembersAreTheirMlps(int64_t inputs, const torch::Tensor& x,
                               bool sparse_gradient) {
  torch::manual_seed(3);
  const std::vector<int64_t> hidden = {6, 5};
  EnsembleMlp ensemble(inputs, 3, hidden, /*members=*/4);
  const torch::Tensor y = ensemble->forward(x);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{4, x.size(0), 3}));
  // A loss that weights the members differently, so each gradient differs.
  const torch::Tensor member_weights = torch::arange(1, 5).view({4, 1, 1});
  (y * member_weights).sum().backward();
  EXPECT_EQ(ensemble->named_parameters()["input_weight"].grad().is_sparse(),
            sparse_gradient);
  for (int64_t k = 0; k < 4; ++k) {
    Mlp mlp = ensemble->CopyOfMember(k);
    const torch::Tensor expected = mlp->forward(x);
    EXPECT_TRUE(torch::allclose(y[k], expected, 1e-5, 1e-6)) << k;
    EXPECT_TRUE(torch::allclose(ensemble->Member(k, x), expected, 1e-5, 1e-6));
    (expected * static_cast<double>(k + 1)).sum().backward();
    const std::vector<torch::Tensor> mine = ensemble->MemberParameters(k);
    const std::vector<torch::Tensor> theirs = mlp->parameters();
    ASSERT_EQ(mine.size(), theirs.size());
    // Members keep their gradients in the stacked tensors' grads.
    std::vector<torch::Tensor> grads = {
        Dense(ensemble->named_parameters()["input_weight"].grad()).narrow(1, k * 6, 6),
        ensemble->named_parameters()["input_bias"].grad().narrow(0, k * 6, 6),
        ensemble->named_parameters()["weight1"].grad()[k],
        ensemble->named_parameters()["bias1"].grad()[k],
        ensemble->named_parameters()["weight2"].grad()[k],
        ensemble->named_parameters()["bias2"].grad()[k]};
    for (size_t i = 0; i < grads.size(); ++i) {
      const torch::Tensor their_grad =
          i % 2 == 0 ? theirs[i].grad().t() : theirs[i].grad();
      EXPECT_TRUE(torch::allclose(grads[i].reshape(their_grad.sizes()),
                                  their_grad, 1e-4, 1e-5))
          << "member " << k << " parameter " << i;
    }
  }
}

TEST(EnsembleMlpTest, MembersAreMlpsOnDenseInputs) {
  torch::manual_seed(1);
  ExpectMembersAreTheirMlps(7, torch::randn({9, 7}), false);
}

TEST(EnsembleMlpTest, MembersAreMlpsOnOneHotInputs) {
  // 400 inputs, one of them set per row: the sparse product's case.
  torch::Tensor x = torch::zeros({9, 400});
  for (int64_t row = 0; row < 9; ++row) x[row][row * 37] = 1.0f;
  // A value other than 1 too: the product weights the rows it takes.
  x[3][5] = -2.5f;
  ExpectMembersAreTheirMlps(400, x, true);
}

TEST(EnsembleMlpTest, SetMemberWritesOneMemberOnly) {
  torch::manual_seed(2);
  EnsembleMlp ensemble(3, 2, std::vector<int64_t>{4}, 3);
  const torch::Tensor x = torch::randn({5, 3});
  const torch::Tensor before = ensemble->forward(x).detach().clone();
  Mlp replacement(3, 2, std::vector<int64_t>{4});
  ensemble->SetMember(1, replacement);
  const torch::Tensor after = ensemble->forward(x).detach();
  EXPECT_TRUE(torch::allclose(after[1], replacement->forward(x).detach()));
  EXPECT_TRUE(torch::equal(after[0], before[0]));
  EXPECT_TRUE(torch::equal(after[2], before[2]));
}

TEST(EnsembleMlpTest, ClipsASparseFirstLayerGradientPerMember) {
  torch::manual_seed(5);
  EnsembleMlp ensemble(300, 2, std::vector<int64_t>{4}, 2);
  torch::Tensor x = torch::zeros({6, 300});
  for (int64_t row = 0; row < 6; ++row) x[row][(row * 11) % 4] = 1.0f;
  const torch::Tensor scales = torch::tensor({1e-4f, 1e3f}).view({2, 1, 1});
  (ensemble->forward(x) * scales).sum().backward();
  const torch::Tensor sparse =
      ensemble->named_parameters()["input_weight"].grad();
  ASSERT_TRUE(sparse.is_sparse());
  const torch::Tensor dense_before = sparse.to_dense();
  ensemble->ClipGradNormPerMember(0.5);
  auto norm = [&](int64_t k) {
    auto parameters = ensemble->named_parameters();
    double squared =
        Dense(parameters["input_weight"].grad()).narrow(1, k * 4, 4).pow(2)
            .sum().item<double>();
    squared += parameters["input_bias"].grad().narrow(0, k * 4, 4).pow(2)
                   .sum().item<double>();
    squared += parameters["weight1"].grad()[k].pow(2).sum().item<double>();
    squared += parameters["bias1"].grad()[k].pow(2).sum().item<double>();
    return std::sqrt(squared);
  };
  EXPECT_NEAR(norm(1), 0.5, 1e-4);
  // Member 0 was under the limit: its share of the sparse rows is as it was.
  EXPECT_TRUE(torch::allclose(
      Dense(ensemble->named_parameters()["input_weight"].grad()).narrow(1, 0, 4),
      dense_before.narrow(1, 0, 4)));
}

TEST(EnsembleMlpTest, ClipsEachMembersGradientOnItsOwn) {
  torch::manual_seed(4);
  EnsembleMlp ensemble(3, 2, std::vector<int64_t>{4}, 3);
  const torch::Tensor x = torch::randn({8, 3});
  // Member 0's loss is tiny (its norm stays under the limit), member 2's
  // large (it is scaled down to norm 0.5 exactly).
  const torch::Tensor scales = torch::tensor({1e-4f, 1.0f, 1e3f}).view({3, 1, 1});
  (ensemble->forward(x) * scales).sum().backward();
  auto norm = [&](int64_t k) {
    double squared = 0;
    std::vector<torch::Tensor> grads = {
        Dense(ensemble->named_parameters()["input_weight"].grad()).narrow(1, k * 4, 4),
        ensemble->named_parameters()["input_bias"].grad().narrow(0, k * 4, 4),
        ensemble->named_parameters()["weight1"].grad()[k],
        ensemble->named_parameters()["bias1"].grad()[k]};
    for (const torch::Tensor& g : grads) squared += g.pow(2).sum().item<double>();
    return std::sqrt(squared);
  };
  const double small_before = norm(0);
  ASSERT_LT(small_before, 0.5);
  ASSERT_GT(norm(2), 0.5);
  ensemble->ClipGradNormPerMember(0.5);
  EXPECT_NEAR(norm(0), small_before, 1e-9);
  EXPECT_NEAR(norm(2), 0.5, 1e-4);
  EXPECT_LE(norm(1), 0.5 + 1e-4);
}

}  // namespace
}  // namespace entropic
