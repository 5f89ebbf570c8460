#ifndef ENTROPIC_COMMON_ENV_TABULAR_MODEL_H_
#define ENTROPIC_COMMON_ENV_TABULAR_MODEL_H_

#include "absl/types/span.h"
#include "common/env/environment.h"
#include "common/tabular/mdp.h"

namespace entropic {

// An environment whose dynamics are known exactly as a finite MDP, for the
// exact tools of common/tabular (soft value iteration, MaxEnt IRL).
class TabularModel {
 public:
  virtual ~TabularModel() = default;

  // The environment as an MDP: its states, actions, transition matrix,
  // reward and first-state distribution.
  virtual const tabular::Mdp& mdp() const = 0;
  // The MDP state an observation shows; -1 if it shows none.
  virtual int StateOf(absl::Span<const float> observation) const = 0;
};

// The model of `env` if its dynamics are known, else nullptr.
inline const TabularModel* TabularModelOf(const Environment& env) {
  return dynamic_cast<const TabularModel*>(&env);
}

}  // namespace entropic

#endif  // ENTROPIC_COMMON_ENV_TABULAR_MODEL_H_
