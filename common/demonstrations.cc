#include "common/demonstrations.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/npz.h"
#include "common/status_macros.h"
#include "common/tensor.h"

namespace entropic {
namespace {

// Converts a numeric tensor to `To` element by element.
template <typename To>
absl::StatusOr<std::vector<To>> Convert(const v1::Tensor& tensor,
                                        const std::string& what) {
  const int64_t count = NumElements(ShapeOf(tensor.shape()));
  std::vector<To> out(count);
  auto copy = [&](auto sample) {
    using From = decltype(sample);
    for (int64_t i = 0; i < count; ++i) {
      From value;
      std::memcpy(&value, tensor.data().data() + i * sizeof(From),
                  sizeof(From));
      out[i] = static_cast<To>(value);
    }
  };
  switch (tensor.dtype()) {
    case v1::DTYPE_FLOAT32:
      copy(float{});
      break;
    case v1::DTYPE_FLOAT64:
      copy(double{});
      break;
    case v1::DTYPE_INT32:
      copy(int32_t{});
      break;
    case v1::DTYPE_INT64:
      copy(int64_t{});
      break;
    case v1::DTYPE_UINT8:
    case v1::DTYPE_BOOL:
      copy(uint8_t{});
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": unsupported dtype"));
  }
  return out;
}

absl::StatusOr<const v1::Tensor*> Array(
    const std::map<std::string, v1::Tensor>& arrays, const std::string& name,
    const std::string& origin) {
  auto found = arrays.find(name);
  if (found == arrays.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ": has no '", name, "' array"));
  }
  if (found->second.shape_size() < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ": '", name, "' must have one row per step"));
  }
  return &found->second;
}

}  // namespace

absl::StatusOr<Demonstrations> DemonstrationsFromArrays(
    std::map<std::string, v1::Tensor> arrays, const std::string& origin,
    const DemonstrationChunking& chunking) {
  ASSIGN_OR_RETURN(const v1::Tensor* obs_array,
                   Array(arrays, "observations", origin));
  ASSIGN_OR_RETURN(const v1::Tensor* next_array,
                   Array(arrays, "next_observations", origin));
  ASSIGN_OR_RETURN(const v1::Tensor* action_array,
                   Array(arrays, "actions", origin));
  ASSIGN_OR_RETURN(const v1::Tensor* reward_array,
                   Array(arrays, "rewards", origin));
  ASSIGN_OR_RETURN(const v1::Tensor* terminated_array,
                   Array(arrays, "terminated", origin));
  const int64_t n = obs_array->shape(0);
  for (const auto& [name, tensor] : arrays) {
    if (tensor.shape_size() >= 1 && tensor.shape(0) != n) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": '", name, "' has ", tensor.shape(0),
                       " rows but 'observations' has ", n));
    }
  }
  if (ShapeString(ShapeOf(next_array->shape())) !=
      ShapeString(ShapeOf(obs_array->shape()))) {
    return absl::InvalidArgumentError(absl::StrCat(
        origin, ": 'next_observations' must have the shape of 'observations'"));
  }
  ASSIGN_OR_RETURN(std::vector<float> observations,
                   Convert<float>(*obs_array, origin + ": observations"));
  ASSIGN_OR_RETURN(std::vector<float> next_observations,
                   Convert<float>(*next_array, origin + ": next_observations"));
  ASSIGN_OR_RETURN(std::vector<float> rewards,
                   Convert<float>(*reward_array, origin + ": rewards"));
  ASSIGN_OR_RETURN(
      std::vector<uint8_t> terminated,
      Convert<uint8_t>(*terminated_array, origin + ": terminated"));
  std::vector<uint8_t> truncated(n, 0);
  if (arrays.count("truncated")) {
    ASSIGN_OR_RETURN(truncated, Convert<uint8_t>(arrays["truncated"],
                                                 origin + ": truncated"));
  }
  const bool discrete = action_array->shape_size() == 1;
  if (discrete && (action_array->dtype() == v1::DTYPE_FLOAT32 ||
                   action_array->dtype() == v1::DTYPE_FLOAT64)) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin,
                     ": one-dimensional 'actions' must be integers (discrete); "
                     "continuous actions are [N, d]"));
  }
  std::vector<int64_t> discrete_actions;
  std::vector<float> box_actions;
  if (discrete) {
    ASSIGN_OR_RETURN(discrete_actions,
                     Convert<int64_t>(*action_array, origin + ": actions"));
  } else {
    ASSIGN_OR_RETURN(box_actions,
                     Convert<float>(*action_array, origin + ": actions"));
  }
  const int64_t action_size = discrete ? 1 : n > 0 ? box_actions.size() / n : 0;
  const int64_t observation_size = n > 0 ? observations.size() / n : 0;
  std::vector<int64_t> observation_shape(obs_array->shape().begin() + 1,
                                         obs_array->shape().end());

  Demonstrations result;
  result.transitions = n;
  uint64_t episode = 0;
  int64_t episode_step = 0;
  auto row = [&](const std::vector<float>& values, int64_t i) {
    return values.begin() + i * observation_size;
  };
  for (int64_t start = 0; start < n;) {
    int64_t end = start;  // last step of the chunk
    bool episode_ends = false;
    while (true) {
      const bool ended = terminated[end] || truncated[end];
      const bool continues =
          end + 1 < n &&
          std::equal(row(next_observations, end),
                     row(next_observations, end) + observation_size,
                     row(observations, end + 1));
      if (ended || !continues) {
        episode_ends = true;
        break;
      }
      if (end - start + 1 >= chunking.max_chunk_length) break;
      ++end;
    }
    const int64_t length = end - start + 1;
    v1::TrajectoryChunk chunk;
    chunk.set_job_id(chunking.job_id);
    chunk.set_table(chunking.table);
    chunk.set_actor_id(chunking.actor_id);
    chunk.set_episode_id(episode);
    chunk.set_start_step(episode_step);
    std::vector<float> chunk_observations(row(observations, start),
                                          row(observations, end + 1));
    chunk_observations.insert(chunk_observations.end(),
                              row(next_observations, end),
                              row(next_observations, end) + observation_size);
    std::vector<int64_t> shape = {length + 1};
    shape.insert(shape.end(), observation_shape.begin(),
                 observation_shape.end());
    *chunk.mutable_observations() =
        MakeTensor<float>(chunk_observations, shape);
    if (discrete) {
      *chunk.mutable_actions() = MakeTensor<int64_t>(
          absl::MakeConstSpan(discrete_actions).subspan(start, length),
          {length});
    } else {
      *chunk.mutable_actions() = MakeTensor<float>(
          absl::MakeConstSpan(box_actions)
              .subspan(start * action_size, length * action_size),
          {length, action_size});
    }
    *chunk.mutable_rewards() = MakeTensor<float>(
        absl::MakeConstSpan(rewards).subspan(start, length), {length});
    chunk.set_terminated(terminated[end] != 0);
    chunk.set_truncated(!terminated[end] && truncated[end] != 0);
    result.chunks.push_back(std::move(chunk));
    episode_step += length;
    if (episode_ends) {
      ++episode;
      episode_step = 0;
    }
    start = end + 1;
  }
  result.episodes = episode;
  return result;
}

absl::StatusOr<Demonstrations> LoadDemonstrations(
    const std::string& path, const DemonstrationChunking& chunking) {
  ASSIGN_OR_RETURN(auto arrays, ReadNpz(path));
  return DemonstrationsFromArrays(std::move(arrays), path, chunking);
}

absl::StatusOr<Demonstrations> LoadJobDemonstrations(
    const std::string& path, const DemonstrationChunking& chunking) {
  absl::StatusOr<Demonstrations> demonstrations =
      LoadDemonstrations(path, chunking);
  if (!demonstrations.ok()) {
    return absl::Status(demonstrations.status().code(),
                        absl::StrCat("replay.demonstrations.path: ",
                                     demonstrations.status().message()));
  }
  return demonstrations;
}

}  // namespace entropic
