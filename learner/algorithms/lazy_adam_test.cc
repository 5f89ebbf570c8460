#include "learner/algorithms/lazy_adam.h"

#include <torch/torch.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace entropic {
namespace {

TEST(LazyAdamTest, DenseGradientsGetTorchsAdamExactly) {
  torch::manual_seed(1);
  const torch::Tensor start = torch::randn({5, 3});
  torch::Tensor ours = start.clone().requires_grad_(true);
  torch::Tensor theirs = start.clone().requires_grad_(true);
  LazyAdam lazy({ours}, torch::optim::AdamOptions(0.01));
  torch::optim::Adam adam({theirs}, torch::optim::AdamOptions(0.01));
  for (int step = 0; step < 10; ++step) {
    const torch::Tensor grad = torch::randn({5, 3});
    ours.mutable_grad() = grad.clone();
    theirs.mutable_grad() = grad.clone();
    lazy.step();
    adam.step();
    ASSERT_TRUE(torch::equal(ours, theirs)) << "step " << step;
  }
}

TEST(LazyAdamTest, ASparseGradientMovesOnlyItsRows) {
  torch::manual_seed(2);
  const torch::Tensor start = torch::randn({6, 2});
  torch::Tensor lazy_parameter = start.clone().requires_grad_(true);
  LazyAdam lazy({lazy_parameter}, torch::optim::AdamOptions(0.1));
  // Dense Adam on rows 1 and 4 alone is what the touched rows must follow.
  torch::Tensor rows_parameter =
      start.index_select(0, torch::tensor({1, 4})).requires_grad_(true);
  torch::optim::Adam adam({rows_parameter}, torch::optim::AdamOptions(0.1));
  for (int step = 0; step < 3; ++step) {
    const torch::Tensor values = torch::randn({2, 2});
    // Rows 4 and 1, out of order and with row 4 split in two halves: the
    // optimiser coalesces before it updates.
    const torch::Tensor indices = torch::tensor({{4, 1, 4}});
    const torch::Tensor split = torch::cat(
        {values.slice(0, 1, 2) * 0.5, values.slice(0, 0, 1),
         values.slice(0, 1, 2) * 0.5});
    lazy_parameter.mutable_grad() =
        torch::sparse_coo_tensor(indices, split, {6, 2});
    rows_parameter.mutable_grad() = values.clone();  // rows 1, 4
    lazy.step();
    adam.step();
  }
  const torch::Tensor after = lazy_parameter.detach();
  for (int64_t row : {0, 2, 3, 5}) {
    EXPECT_TRUE(torch::equal(after[row], start[row])) << row;
  }
  EXPECT_TRUE(torch::allclose(after[1], rows_parameter.detach()[0], 1e-6));
  EXPECT_TRUE(torch::allclose(after[4], rows_parameter.detach()[1], 1e-6));
}

TEST(LazyAdamTest, SavesAndLoadsAsAdamDoes) {
  torch::manual_seed(3);
  torch::Tensor parameter = torch::randn({4}).requires_grad_(true);
  LazyAdam lazy({parameter}, torch::optim::AdamOptions(0.01));
  for (int step = 0; step < 4; ++step) {
    parameter.mutable_grad() = torch::randn({4});
    lazy.step();
  }
  const std::string path = std::string(::testing::TempDir()) + "/lazy_adam.pt";
  torch::save(lazy, path);
  // torch's Adam reads the file and continues exactly as LazyAdam does.
  torch::Tensor copy = parameter.detach().clone().requires_grad_(true);
  torch::optim::Adam adam({copy}, torch::optim::AdamOptions(0.01));
  torch::load(adam, path);
  const torch::Tensor grad = torch::randn({4});
  parameter.mutable_grad() = grad.clone();
  copy.mutable_grad() = grad.clone();
  lazy.step();
  adam.step();
  EXPECT_TRUE(torch::equal(parameter, copy));
}

}  // namespace
}  // namespace entropic
