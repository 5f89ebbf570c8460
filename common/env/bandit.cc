#include "common/env/bandit.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "glog/logging.h"

namespace entropic {
namespace {

// A bandit takes env.bandit options only.
absl::Status RefuseDeepSeaOptions(const v1::EnvironmentSpec& spec) {
  if (!spec.has_deep_sea()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("env.deep_sea: ", spec.id(),
                   " takes env.bandit options, not deep_sea ones"));
}

absl::Status FieldError(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("env.bandit.", field, ": ", problem));
}

std::vector<double> DefaultArmProbabilities() {
  std::vector<double> probabilities;
  for (int i = 1; i <= 9; ++i) probabilities.push_back(i / 10.0);
  return probabilities;
}

// numpy's random_interval: a value in [0, max] by masked rejection, one
// 32-bit draw per try.
uint32_t NumpyInterval(std::mt19937& rng, uint32_t max) {
  if (max == 0) return 0;
  uint32_t mask = max;
  for (int shift = 1; shift < 32; shift *= 2) mask |= mask >> shift;
  uint32_t value;
  do {
    value = rng() & mask;
  } while (value > max);
  return value;
}

}  // namespace

Bandit::Bandit(std::string id, std::vector<double> arm_means)
    : arm_means_(std::move(arm_means)) {
  CHECK_GE(arm_means_.size(), 2u);
  info_.id = std::move(id);
  info_.observation_space.kind = Space::Kind::kBox;
  info_.observation_space.shape = {1};
  info_.observation_space.low = {0.0f};
  info_.observation_space.high = {1.0f};
  info_.action_space.kind = Space::Kind::kDiscrete;
  info_.action_space.num_actions = static_cast<int64_t>(arm_means_.size());
  info_.max_episode_steps = 1;
  for (int arm = 1; arm < num_arms(); ++arm) {
    if (arm_means_[arm] > arm_means_[best_arm_]) best_arm_ = arm;
  }
}

void Bandit::DoReset(EnvRng& rng) { pull_rng_.seed(rng()); }

StepResult Bandit::DoStep(const Action& action) {
  DCHECK_GE(action.index, 0);
  DCHECK_LT(action.index, num_arms());
  StepResult result;
  result.reward = Pull(static_cast<int>(action.index), pull_rng_);
  result.terminated = true;
  return result;
}

absl::Status Bandit::DoSetState(absl::Span<const double> state) {
  if (!state.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        info_.id, ": a bandit has no state; SetState takes 0 values, got ",
        state.size()));
  }
  return absl::OkStatus();
}

void Bandit::Observe(absl::Span<float> observation) const {
  observation[0] = 1.0f;
}

BernoulliBandit::BernoulliBandit(std::vector<double> arm_probabilities)
    : Bandit(kBernoulliBanditId, std::move(arm_probabilities)) {}

absl::StatusOr<std::unique_ptr<Environment>> BernoulliBandit::Create(
    const v1::EnvironmentSpec& spec) {
  RETURN_IF_ERROR(RefuseDeepSeaOptions(spec));
  v1::EnvironmentSpec filled = spec;
  ApplyBanditDefaults(filled);
  const v1::BanditOptions& options = filled.bandit();
  if (options.num_arms() != 0) {
    return FieldError(
        "num_arms",
        absl::StrCat("only for ", kDeterministicBanditId, "; ",
                     kBernoulliBanditId, " has one arm per probability"));
  }
  if (options.mapping_seed() != 0) {
    return FieldError("mapping_seed",
                      absl::StrCat("only for ", kDeterministicBanditId));
  }
  const int arms = options.arm_probabilities_size();
  if (arms < 2 || arms > kMaxBanditArms) {
    return FieldError(
        "arm_probabilities",
        absl::StrCat("must have 2 to ", kMaxBanditArms, " arms, got ", arms));
  }
  for (int i = 0; i < arms; ++i) {
    const double p = options.arm_probabilities(i);
    if (!(std::isfinite(p) && p >= 0 && p <= 1)) {
      return FieldError(absl::StrCat("arm_probabilities[", i, "]"),
                        absl::StrCat("must be in [0, 1], got ", p));
    }
  }
  return std::make_unique<BernoulliBandit>(std::vector<double>(
      options.arm_probabilities().begin(), options.arm_probabilities().end()));
}

double BernoulliBandit::Pull(int arm, EnvRng& rng) const {
  // 53 random bits: u in [0, 1), so p = 0 never pays and p = 1 always does.
  const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return u < arm_means()[arm] ? 1.0 : 0.0;
}

std::vector<int> DeterministicBandit::NumpyPermutation(int n, uint32_t seed) {
  std::vector<int> permutation(n);
  for (int i = 0; i < n; ++i) permutation[i] = i;
  // std::mt19937 seeded with a 32-bit value is numpy's init_genrand.
  std::mt19937 rng(seed);
  for (int i = n - 1; i >= 1; --i) {
    std::swap(permutation[i], permutation[NumpyInterval(rng, i)]);
  }
  return permutation;
}

namespace {

// bsuite's rewards: np.linspace(0, 1, n)[permutation], linspace's values
// computed as numpy does (i * step, the last exactly 1).
std::vector<double> ShuffledLinspace(int n, uint32_t seed) {
  const double step = 1.0 / (n - 1);
  std::vector<double> means;
  for (const int index : DeterministicBandit::NumpyPermutation(n, seed)) {
    means.push_back(index == n - 1 ? 1.0 : index * step);
  }
  return means;
}

}  // namespace

DeterministicBandit::DeterministicBandit(int num_arms, uint32_t mapping_seed)
    : Bandit(kDeterministicBanditId, ShuffledLinspace(num_arms, mapping_seed)) {
}

absl::StatusOr<std::unique_ptr<Environment>> DeterministicBandit::Create(
    const v1::EnvironmentSpec& spec) {
  RETURN_IF_ERROR(RefuseDeepSeaOptions(spec));
  v1::EnvironmentSpec filled = spec;
  ApplyBanditDefaults(filled);
  const v1::BanditOptions& options = filled.bandit();
  if (options.arm_probabilities_size() > 0) {
    return FieldError("arm_probabilities",
                      absl::StrCat("only for ", kBernoulliBanditId, "; ",
                                   kDeterministicBanditId,
                                   " pays 0, 1/(n-1), ..., 1 (set num_arms)"));
  }
  if (options.num_arms() < 2 || options.num_arms() > kMaxBanditArms) {
    return FieldError("num_arms",
                      absl::StrCat("must be in [2, ", kMaxBanditArms, "], got ",
                                   options.num_arms()));
  }
  if (options.mapping_seed() > std::numeric_limits<uint32_t>::max()) {
    return FieldError(
        "mapping_seed",
        absl::StrCat("must be in [0, ", std::numeric_limits<uint32_t>::max(),
                     "] (numpy's RandomState seeds, as bsuite's), got ",
                     options.mapping_seed()));
  }
  return std::make_unique<DeterministicBandit>(
      options.num_arms(), static_cast<uint32_t>(options.mapping_seed()));
}

double DeterministicBandit::Pull(int arm, EnvRng& /*rng*/) const {
  return arm_means()[arm];
}

bool IsBanditId(const std::string& id) {
  return id == kBernoulliBanditId || id == kDeterministicBanditId;
}

void ApplyBanditDefaults(v1::EnvironmentSpec& spec) {
  if (spec.id() == kBernoulliBanditId &&
      spec.bandit().arm_probabilities_size() == 0) {
    for (const double p : DefaultArmProbabilities()) {
      spec.mutable_bandit()->add_arm_probabilities(p);
    }
  }
  if (spec.id() == kDeterministicBanditId && spec.bandit().num_arms() == 0) {
    spec.mutable_bandit()->set_num_arms(kDefaultDeterministicArms);
  }
}

}  // namespace entropic
