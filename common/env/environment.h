#ifndef ENTROPIC_COMMON_ENV_ENVIRONMENT_H_
#define ENTROPIC_COMMON_ENV_ENVIRONMENT_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace entropic {

// An observation or action space, as in Gymnasium.
struct Space {
  enum class Kind { kDiscrete, kBox };
  Kind kind = Kind::kDiscrete;
  // kDiscrete: actions are 0 .. num_actions - 1.
  int64_t num_actions = 0;
  // kBox: element shape and per-element bounds (row-major, one per element).
  std::vector<int64_t> shape;
  std::vector<float> low;
  std::vector<float> high;

  // Elements in one value of the space: 1 for kDiscrete.
  int64_t FlatSize() const;
};

// Static description of an environment.
struct EnvironmentInfo {
  std::string id;  // Gymnasium id, e.g. "CartPole-v1".
  Space observation_space;
  Space action_space;
  // Episodes are truncated after this many steps (Gymnasium's TimeLimit).
  int max_episode_steps = 0;
};

// One action: `index` for discrete spaces, `values` for box spaces.
struct Action {
  int64_t index = 0;
  absl::Span<const float> values;
};

struct StepResult {
  double reward = 0.0;
  // Reached a terminal state of the MDP: no bootstrapping past it.
  bool terminated = false;
  // Cut off by the time limit; the state is not terminal.
  bool truncated = false;
};

// The random source of an environment's resets. Seeded per environment so
// runs are reproducible.
using EnvRng = std::mt19937_64;

// A single-agent environment with Gymnasium's semantics, time limit included.
//
// Not thread-safe: one environment is stepped by one thread. Observations are
// written into caller-provided buffers of info().observation_space.FlatSize()
// floats, so stepping never allocates.
class Environment {
 public:
  virtual ~Environment() = default;

  virtual const EnvironmentInfo& info() const = 0;

  // Starts a new episode, drawing the initial state from `rng`, and writes
  // the first observation.
  void Reset(EnvRng& rng, absl::Span<float> observation);

  // Advances one step and writes the next observation. Sets `truncated` when
  // the episode reaches info().max_episode_steps, as Gymnasium's TimeLimit
  // does: a step that also terminates reports both flags. Calling Step after
  // the episode ended without a Reset is a programming error.
  StepResult Step(const Action& action, absl::Span<float> observation);

  // Overwrites the internal (physical) state, e.g. to replay a recorded
  // trajectory; the layout is the one of Gymnasium's `env.unwrapped.state`.
  // Restarts the step counter of the time limit. Returns InvalidArgument if
  // the size is wrong.
  absl::Status SetState(absl::Span<const double> state,
                        absl::Span<float> observation);

  // Steps taken in the current episode.
  int elapsed_steps() const { return elapsed_steps_; }

 protected:
  virtual void DoReset(EnvRng& rng) = 0;
  // Applies `action` to the state; returns reward and termination (the
  // `truncated` field is set by Step).
  virtual StepResult DoStep(const Action& action) = 0;
  virtual absl::Status DoSetState(absl::Span<const double> state) = 0;
  // Writes the observation of the current state.
  virtual void Observe(absl::Span<float> observation) const = 0;

 private:
  int elapsed_steps_ = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_COMMON_ENV_ENVIRONMENT_H_
