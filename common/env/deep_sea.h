#ifndef ENTROPIC_COMMON_ENV_DEEP_SEA_H_
#define ENTROPIC_COMMON_ENV_DEEP_SEA_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/env/environment.h"
#include "entropic/v1/job_spec.pb.h"

namespace entropic {

// bsuite's deep_sea (Osband et al. 2019), deterministic: an N x N grid whose
// episodes start in the top left cell and last exactly N steps, each one row
// down and one column left or right (clipped at the walls). Which action
// means "right" is drawn per cell from the mapping seed and fixed for the
// environment's life, so no action is "right" everywhere. Every step right
// costs unscaled_move_cost / N; going right from the last column pays 1,
// which only the one path that always goes right reaches: the optimal
// return is 1 - unscaled_move_cost, and a dithering policy finds it with
// probability 2^-N per episode.
//
// Observation: the one-hot cell, N * N float32s row-major ([row * N +
// column]); all zeros after the last step. Actions: 0 and 1.
// State (SetState): [row, column], with column <= row < N.
//
// The mapping is drawn by our own generator, so a seed's layout differs from
// bsuite's numpy draw; the difficulty does not depend on the layout.
class DeepSea final : public Environment {
 public:
  // InvalidArgument naming the field for options out of range.
  static absl::StatusOr<std::unique_ptr<DeepSea>> Create(
      const v1::DeepSeaOptions& options);

  const EnvironmentInfo& info() const override { return info_; }

  int size() const { return size_; }
  // The action that moves right in cell (row, column).
  int64_t RightAction(int row, int column) const {
    return right_action_[row * size_ + column];
  }

 private:
  DeepSea(int size, uint64_t mapping_seed, double unscaled_move_cost);

  void DoReset(EnvRng& rng) override;
  StepResult DoStep(const Action& action) override;
  absl::Status DoSetState(absl::Span<const double> state) override;
  void Observe(absl::Span<float> observation) const override;

  EnvironmentInfo info_;
  int size_;
  double move_cost_;  // per step right: unscaled_move_cost / N
  std::vector<int64_t> right_action_;  // [N * N]
  int row_ = 0;
  int column_ = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_COMMON_ENV_DEEP_SEA_H_
