#include "actor/policy/weights.h"

#include <torch/torch.h>

#include <cstring>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/tensor.h"

namespace entropic {

v1::Weights WeightsFromModule(const torch::nn::Module& module,
                              const std::string& job_id, int64_t version,
                              double temperature) {
  v1::Weights weights;
  weights.set_job_id(job_id);
  weights.set_version(version);
  weights.set_temperature(temperature);
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    const torch::Tensor value =
        item.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
    v1::NamedTensor* named = weights.add_tensors();
    named->set_name(item.key());
    v1::Tensor* tensor = named->mutable_tensor();
    tensor->set_dtype(v1::DTYPE_FLOAT32);
    for (int64_t dim : value.sizes()) tensor->add_shape(dim);
    tensor->set_data(value.data_ptr(), value.numel() * sizeof(float));
  }
  return weights;
}

absl::Status LoadWeightsIntoModule(const v1::Weights& weights,
                                   torch::nn::Module& module) {
  std::map<std::string, const v1::Tensor*> by_name;
  for (const v1::NamedTensor& named : weights.tensors()) {
    by_name[named.name()] = &named.tensor();
  }
  auto parameters = module.named_parameters(/*recurse=*/true);
  if (by_name.size() != parameters.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("weights: ", by_name.size(), " tensors for a network of ",
                     parameters.size(), " parameters"));
  }
  // Check everything before changing anything.
  for (const auto& item : parameters) {
    auto found = by_name.find(item.key());
    if (found == by_name.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("weights: parameter ", item.key(), " is missing"));
    }
    v1::TensorSpec spec;
    spec.set_dtype(v1::DTYPE_FLOAT32);
    for (int64_t dim : item.value().sizes()) spec.add_shape(dim);
    absl::Status status =
        CheckTensor(*found->second, spec, {}, "weights." + item.key());
    if (!status.ok()) return status;
  }
  torch::NoGradGuard no_grad;
  for (auto& item : parameters) {
    const std::string& data = by_name[item.key()]->data();
    torch::Tensor source = torch::from_blob(
        const_cast<char*>(data.data()), item.value().sizes(), torch::kFloat32);
    item.value().copy_(source);
  }
  return absl::OkStatus();
}

}  // namespace entropic
