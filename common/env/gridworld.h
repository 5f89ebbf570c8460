#ifndef ENTROPIC_COMMON_ENV_GRIDWORLD_H_
#define ENTROPIC_COMMON_ENV_GRIDWORLD_H_

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/env/environment.h"
#include "common/env/tabular_model.h"
#include "common/tabular/gridworld.h"
#include "common/tabular/mdp.h"

namespace entropic {

// Gridworld-v0: the 5 x 5 grid of tabular::DefaultGridworld(), stepped by
// sampling its transition matrix, so the exact tools (soft value iteration,
// MaxEnt IRL) model it without error. The reward of a step is the reward of
// the cell it starts in; episodes are truncated after the layout's horizon.
//
// State: [cell] (row-major index); the observation is the cell one-hot.
class Gridworld final : public Environment, public TabularModel {
 public:
  Gridworld();

  const EnvironmentInfo& info() const override { return info_; }
  const tabular::GridworldLayout& layout() const { return layout_; }
  const tabular::Mdp& mdp() const override { return mdp_; }
  int StateOf(absl::Span<const float> observation) const override {
    return CellOf(observation);
  }

  // The cell of a one-hot observation; -1 if it is not one.
  static int CellOf(absl::Span<const float> observation);

 private:
  void DoReset(EnvRng& rng) override;
  StepResult DoStep(const Action& action) override;
  absl::Status DoSetState(absl::Span<const double> state) override;
  void Observe(absl::Span<float> observation) const override;

  EnvironmentInfo info_;
  tabular::GridworldLayout layout_;
  tabular::Mdp mdp_;
  // Drawn from the reset's generator, so episodes are reproducible.
  EnvRng slip_rng_;
  int cell_ = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_COMMON_ENV_GRIDWORLD_H_
