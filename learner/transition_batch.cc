#include "learner/transition_batch.h"

#include <torch/torch.h>

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/tensor.h"

namespace entropic {
namespace {

absl::StatusOr<torch::Tensor> ToTorch(const v1::Tensor& tensor, v1::DType dtype,
                                      int64_t rows, absl::string_view field) {
  if (tensor.dtype() != dtype || tensor.shape_size() < 1 ||
      tensor.shape(0) != rows ||
      static_cast<int64_t>(tensor.data().size()) !=
          TensorBytes(ShapeOf(tensor.shape()), dtype)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": expected ", DTypeName(dtype), " with ", rows, " rows, got ",
        DTypeName(tensor.dtype()), " ", ShapeString(ShapeOf(tensor.shape()))));
  }
  torch::ScalarType type;
  switch (dtype) {
    case v1::DTYPE_FLOAT32:
      type = torch::kFloat32;
      break;
    case v1::DTYPE_FLOAT64:
      type = torch::kFloat64;
      break;
    case v1::DTYPE_INT32:
      type = torch::kInt32;
      break;
    case v1::DTYPE_INT64:
      type = torch::kInt64;
      break;
    case v1::DTYPE_BOOL:
      type = torch::kBool;
      break;
    case v1::DTYPE_UINT8:
      type = torch::kUInt8;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": unsupported dtype"));
  }
  const std::vector<int64_t> shape(tensor.shape().begin(),
                                   tensor.shape().end());
  torch::Tensor out = torch::empty(shape, torch::TensorOptions().dtype(type));
  std::memcpy(out.data_ptr(), tensor.data().data(), tensor.data().size());
  return out;
}

}  // namespace

absl::StatusOr<TransitionBatch> BatchFromSample(
    const v1::SampleResponse& sample, const std::string& demonstrations_table,
    const torch::Device& device) {
  if (sample.rewards().shape_size() != 1) {
    return absl::InvalidArgumentError("rewards: expected shape [B]");
  }
  const int64_t b = sample.rewards().shape(0);
  TransitionBatch batch;
  ASSIGN_OR_RETURN(
      torch::Tensor observations,
      ToTorch(sample.observations(), v1::DTYPE_FLOAT32, b, "observations"));
  ASSIGN_OR_RETURN(torch::Tensor next_observations,
                   ToTorch(sample.next_observations(), v1::DTYPE_FLOAT32, b,
                           "next_observations"));
  // Discrete actions are int64 [B]; box actions float32 [B, ...].
  const bool box_actions = sample.actions().dtype() == v1::DTYPE_FLOAT32;
  ASSIGN_OR_RETURN(
      torch::Tensor actions,
      ToTorch(sample.actions(),
              box_actions ? v1::DTYPE_FLOAT32 : v1::DTYPE_INT64, b, "actions"));
  ASSIGN_OR_RETURN(torch::Tensor rewards,
                   ToTorch(sample.rewards(), v1::DTYPE_FLOAT32, b, "rewards"));
  ASSIGN_OR_RETURN(
      torch::Tensor terminated,
      ToTorch(sample.terminated(), v1::DTYPE_BOOL, b, "terminated"));
  ASSIGN_OR_RETURN(
      torch::Tensor discounts,
      ToTorch(sample.discounts(), v1::DTYPE_FLOAT32, b, "discounts"));
  ASSIGN_OR_RETURN(torch::Tensor weights,
                   ToTorch(sample.weights(), v1::DTYPE_FLOAT32, b, "weights"));
  ASSIGN_OR_RETURN(
      batch.policy_versions,
      ToTorch(sample.policy_versions(), v1::DTYPE_INT64, b, "policy_versions"));
  ASSIGN_OR_RETURN(batch.keys,
                   ToTorch(sample.keys(), v1::DTYPE_INT64, b, "keys"));
  ASSIGN_OR_RETURN(torch::Tensor sources,
                   ToTorch(sample.sources(), v1::DTYPE_UINT8, b, "sources"));
  // Sources index source_tables, which lists only the tables the batch drew
  // from: a batch drawn wholly from demonstrations has them as source 0.
  std::vector<uint8_t> is_demonstration_table;
  for (const std::string& table : sample.source_tables()) {
    is_demonstration_table.push_back(!demonstrations_table.empty() &&
                                     table == demonstrations_table);
  }
  batch.from_demonstrations = torch::zeros({b}, torch::kBool);
  const uint8_t* source = sources.data_ptr<uint8_t>();
  bool* from_demonstrations = batch.from_demonstrations.data_ptr<bool>();
  for (int64_t i = 0; i < b; ++i) {
    if (source[i] >= is_demonstration_table.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("sources: item ", i, " names table ", source[i], " of ",
                       is_demonstration_table.size()));
    }
    from_demonstrations[i] = is_demonstration_table[source[i]] != 0;
  }
  batch.observations = observations.reshape({b, -1}).to(device);
  batch.next_observations = next_observations.reshape({b, -1}).to(device);
  batch.actions = (box_actions ? actions.reshape({b, -1}) : actions.reshape({b}))
                      .to(device);
  batch.rewards = rewards.to(device);
  batch.terminated = terminated.to(torch::kFloat32).to(device);
  batch.discounts = discounts.to(device);
  batch.weights = weights.to(device);
  for (const v1::NamedTensor& column : sample.extra_columns()) {
    ASSIGN_OR_RETURN(torch::Tensor values,
                     ToTorch(column.tensor(), column.tensor().dtype(), b,
                             absl::StrCat("extra_columns[\"", column.name(),
                                          "\"]")));
    batch.extra[column.name()] = values.to(device);
  }
  return batch;
}

}  // namespace entropic
