#ifndef ENTROPIC_COMMON_ENV_REGISTRY_H_
#define ENTROPIC_COMMON_ENV_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/env/environment.h"
#include "entropic/v1/job_spec.pb.h"

namespace entropic {

// Creates the environment registered under a Gymnasium id ("CartPole-v1").
// Returns NotFound, listing the known ids, for an unknown one.
absl::StatusOr<std::unique_ptr<Environment>> MakeEnvironment(
    absl::string_view id);

// Creates the environment `spec` names (spec.id) with its options
// (spec.deep_sea, spec.bandit). NotFound for an unknown id; InvalidArgument,
// naming the field, for options out of range or set for an environment that
// takes none. spec.num_envs is not looked at.
absl::StatusOr<std::unique_ptr<Environment>> MakeEnvironment(
    const v1::EnvironmentSpec& spec);

// The registered ids, sorted.
std::vector<std::string> RegisteredEnvironmentIds();

// The registered ids that reimplement Gymnasium's classic control (their
// dynamics are checked against trajectories recorded from Gymnasium), sorted.
std::vector<std::string> ClassicControlEnvironmentIds();

}  // namespace entropic

#endif  // ENTROPIC_COMMON_ENV_REGISTRY_H_
