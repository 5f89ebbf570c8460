#include "learner/running_statistics.h"

#include <torch/torch.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace entropic {

RunningMeanStd::RunningMeanStd(int64_t size, const torch::Device& device)
    : size_(size),
      device_(device),
      mean_(torch::zeros({size},
                         torch::TensorOptions(torch::kFloat64).device(device))),
      variance_(torch::ones(
          {size}, torch::TensorOptions(torch::kFloat64).device(device))) {}

void RunningMeanStd::Update(const torch::Tensor& batch) {
  torch::NoGradGuard no_grad;
  const int64_t m = batch.size(0);
  if (m == 0) return;
  const torch::Tensor x =
      batch.to(device_, torch::kFloat64).reshape({m, size_});
  const torch::Tensor batch_mean = x.mean(0);
  const torch::Tensor batch_variance = x.var(0, /*unbiased=*/false);
  if (count_ == 0) {
    mean_ = batch_mean;
    variance_ = batch_variance;
    count_ = m;
    return;
  }
  const double n = static_cast<double>(count_);
  const double total = n + static_cast<double>(m);
  const torch::Tensor delta = batch_mean - mean_;
  mean_ = mean_ + delta * (m / total);
  variance_ =
      (variance_ * n + batch_variance * m + delta.square() * (n * m / total)) /
      total;
  count_ += m;
}

torch::Tensor RunningMeanStd::StdDev(double epsilon) const {
  return (variance_ + epsilon).sqrt();
}

torch::Tensor RunningMeanStd::Normalise(const torch::Tensor& x,
                                        double clip) const {
  torch::NoGradGuard no_grad;
  return ((x.to(torch::kFloat64) - mean_) / StdDev())
      .clamp(-clip, clip)
      .to(x.scalar_type());
}

absl::Status RunningMeanStd::Save(const std::string& path) const {
  try {
    const std::vector<torch::Tensor> state = {
        mean_, variance_,
        torch::tensor({count_}, torch::TensorOptions(torch::kInt64))};
    torch::save(state, path);
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("saving running statistics to ",
                                            path, ": ",
                                            e.what_without_backtrace()));
  }
  return absl::OkStatus();
}

absl::Status RunningMeanStd::Load(const std::string& path) {
  std::vector<torch::Tensor> state;
  try {
    torch::load(state, path, device_);
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("loading running statistics from ", path, ": ",
                     e.what_without_backtrace()));
  }
  if (state.size() != 3 || state[0].numel() != size_ ||
      state[1].numel() != size_ || state[2].numel() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": not running statistics of ", size_, "-element vectors"));
  }
  mean_ = state[0].to(device_, torch::kFloat64).reshape({size_});
  variance_ = state[1].to(device_, torch::kFloat64).reshape({size_});
  count_ = state[2].to(torch::kCPU).item<int64_t>();
  return absl::OkStatus();
}

DiscountedSumNormaliser::DiscountedSumNormaliser(double gamma,
                                                 const torch::Device& device)
    : gamma_(gamma), device_(device), statistics_(1, device) {}

torch::Tensor DiscountedSumNormaliser::Normalise(const torch::Tensor& rows,
                                                 int64_t batch_rows,
                                                 const torch::Tensor& bonus) {
  torch::NoGradGuard no_grad;
  if (!sums_.defined() || sums_.size(0) != batch_rows) {
    sums_ = torch::zeros({batch_rows},
                         torch::TensorOptions(torch::kFloat64).device(device_));
  }
  const torch::Tensor index = rows.to(device_, torch::kInt64).reshape({-1});
  const torch::Tensor b = bonus.to(device_, torch::kFloat64).reshape({-1});
  const torch::Tensor updated = sums_.index_select(0, index) * gamma_ + b;
  sums_.index_copy_(0, index, updated);
  statistics_.Update(updated.unsqueeze(1));
  return b / statistics_.StdDev().squeeze();
}

absl::Status DiscountedSumNormaliser::Save(
    const std::string& path_prefix) const {
  const std::string path = path_prefix + "_sums.pt";
  try {
    torch::save(sums_.defined() ? sums_ : torch::zeros({0}, torch::kFloat64),
                path);
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("saving discounted sums to ", path,
                                            ": ", e.what_without_backtrace()));
  }
  return statistics_.Save(path_prefix + "_statistics.pt");
}

absl::Status DiscountedSumNormaliser::Load(const std::string& path_prefix) {
  const std::string path = path_prefix + "_sums.pt";
  torch::Tensor sums;
  try {
    torch::load(sums, path, device_);
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("loading discounted sums from ", path, ": ",
                     e.what_without_backtrace()));
  }
  if (sums.dim() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a vector of discounted sums"));
  }
  RETURN_IF_ERROR(statistics_.Load(path_prefix + "_statistics.pt"));
  sums_ =
      sums.numel() == 0 ? torch::Tensor() : sums.to(device_, torch::kFloat64);
  return absl::OkStatus();
}

}  // namespace entropic
