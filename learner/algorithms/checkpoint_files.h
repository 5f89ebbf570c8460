#ifndef ENTROPIC_LEARNER_ALGORITHMS_CHECKPOINT_FILES_H_
#define ENTROPIC_LEARNER_ALGORITHMS_CHECKPOINT_FILES_H_

#include <torch/nn/pimpl.h>
#include <torch/serialize.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace entropic {

// Saves or loads the files of one checkpoint directory (modules,
// optimisers, a state tensor pair), turning LibTorch's exceptions into the
// first failure's status, which names the file: Internal for a save,
// InvalidArgument for a load. After a failure the remaining calls do
// nothing. Used by one thread at a time.
class CheckpointFiles {
 public:
  explicit CheckpointFiles(std::string directory,
                           torch::Device device = torch::kCPU)
      : directory_(std::move(directory)), device_(device) {}

  template <typename T>
  void Save(const std::string& file, const T& value) {
    Try(file, /*saving=*/true, [&](const std::string& path) {
      torch::save(value, path);
    });
  }
  // A module's load also checks every parameter's shape: LibTorch would
  // otherwise take a tensor of another shape under the same name (a
  // checkpoint of more heads, say) without a word.
  template <typename T>
  void Load(const std::string& file, T& value) {
    std::vector<std::vector<int64_t>> shapes;
    if constexpr (torch::detail::is_module_holder<T>::value) {
      for (const torch::Tensor& p : value->parameters()) {
        shapes.push_back(p.sizes().vec());
      }
    }
    Try(file, /*saving=*/false, [&](const std::string& path) {
      torch::load(value, path, device_);
    });
    if constexpr (torch::detail::is_module_holder<T>::value) {
      if (!status_.ok()) return;
      const auto loaded = value->named_parameters();
      for (size_t i = 0; i < loaded.size(); ++i) {
        if (loaded[i].value().sizes().vec() == shapes[i]) continue;
        status_ = absl::InvalidArgumentError(absl::StrCat(
            "loading ", directory_, "/", file, ": parameter ",
            loaded[i].key(), " has shape ",
            ShapeString(loaded[i].value().sizes().vec()), ", expected ",
            ShapeString(shapes[i])));
        return;
      }
    }
  }

  // log(alpha) and the update count, as one file.
  void SaveState(const std::string& file, const torch::Tensor& log_alpha,
                 int64_t updates) {
    Save(file, std::vector<torch::Tensor>{
                   log_alpha.detach().cpu(),
                   torch::full({1}, updates, torch::kInt64)});
  }
  void LoadState(const std::string& file, torch::Tensor& log_alpha,
                 int64_t& updates) {
    std::vector<torch::Tensor> state;
    Try(file, /*saving=*/false,
        [&](const std::string& path) { torch::load(state, path); });
    if (!status_.ok()) return;
    if (state.size() != 2) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat(directory_, "/", file, ": expected 2 tensors, got ",
                       state.size()));
      return;
    }
    torch::NoGradGuard no_grad;
    log_alpha.fill_(state[0].item<double>());
    updates = state[1].item<int64_t>();
  }

  const absl::Status& status() const { return status_; }

 private:
  static std::string ShapeString(const std::vector<int64_t>& shape) {
    return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
  }

  template <typename F>
  void Try(const std::string& file, bool saving, F&& f) {
    if (!status_.ok()) return;
    const std::string path = absl::StrCat(directory_, "/", file);
    try {
      f(path);
    } catch (const c10::Error& e) {
      const std::string what = e.what_without_backtrace();
      status_ = saving ? absl::InternalError(
                             absl::StrCat("saving ", path, ": ", what))
                       : absl::InvalidArgumentError(
                             absl::StrCat("loading ", path, ": ", what));
    }
  }

  const std::string directory_;
  const torch::Device device_;
  absl::Status status_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_ALGORITHMS_CHECKPOINT_FILES_H_
