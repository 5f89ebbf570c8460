#include "common/env/registry.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/env/acrobot.h"
#include "common/env/cart_pole.h"
#include "common/env/deep_sea.h"
#include "common/env/gridworld.h"
#include "common/env/environment.h"
#include "common/env/mountain_car.h"
#include "common/env/mountain_car_continuous.h"
#include "common/env/pendulum.h"

namespace entropic {
namespace {

using EnvironmentFactory = absl::StatusOr<std::unique_ptr<Environment>> (*)(
    const v1::EnvironmentSpec& spec);

struct Registration {
  const char* id;
  EnvironmentFactory make;
  // Reimplements a Gymnasium classic control environment.
  bool classic_control = true;
};

// An environment without options: refuses a spec that sets some.
template <typename T>
absl::StatusOr<std::unique_ptr<Environment>> Make(
    const v1::EnvironmentSpec& spec) {
  if (spec.has_deep_sea() || spec.has_bandit()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "env.", spec.has_deep_sea() ? "deep_sea" : "bandit", ": ", spec.id(),
        " takes no options"));
  }
  return std::make_unique<T>();
}

absl::StatusOr<std::unique_ptr<Environment>> MakeDeepSea(
    const v1::EnvironmentSpec& spec) {
  if (spec.has_bandit()) {
    return absl::InvalidArgumentError(
        "env.bandit: DeepSea-v0 takes env.deep_sea options, not bandit ones");
  }
  absl::StatusOr<std::unique_ptr<DeepSea>> env =
      DeepSea::Create(spec.deep_sea());
  if (!env.ok()) return env.status();
  return std::unique_ptr<Environment>(std::move(*env));
}

// Each id must equal the `info().id` of what its factory builds (checked by
// environment_test).
constexpr Registration kRegistrations[] = {
    {"Acrobot-v1", &Make<Acrobot>},
    {"CartPole-v1", &Make<CartPole>},
    {"DeepSea-v0", &MakeDeepSea, /*classic_control=*/false},
    {"Gridworld-v0", &Make<Gridworld>, /*classic_control=*/false},
    {"MountainCar-v0", &Make<MountainCar>},
    {"MountainCarContinuous-v0", &Make<MountainCarContinuous>},
    {"Pendulum-v1", &Make<Pendulum>},
};

}  // namespace

absl::StatusOr<std::unique_ptr<Environment>> MakeEnvironment(
    absl::string_view id) {
  v1::EnvironmentSpec spec;
  spec.set_id(std::string(id));
  return MakeEnvironment(spec);
}

absl::StatusOr<std::unique_ptr<Environment>> MakeEnvironment(
    const v1::EnvironmentSpec& spec) {
  for (const Registration& registration : kRegistrations) {
    if (spec.id() == registration.id) return registration.make(spec);
  }
  return absl::NotFoundError(absl::StrCat(
      "unknown environment id \"", spec.id(),
      "\"; known ids: ", absl::StrJoin(RegisteredEnvironmentIds(), ", ")));
}

std::vector<std::string> RegisteredEnvironmentIds() {
  std::vector<std::string> ids;
  for (const Registration& registration : kRegistrations) {
    ids.emplace_back(registration.id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> ClassicControlEnvironmentIds() {
  std::vector<std::string> ids;
  for (const Registration& registration : kRegistrations) {
    if (registration.classic_control) ids.emplace_back(registration.id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace entropic
