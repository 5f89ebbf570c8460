#ifndef ENTROPIC_COMMON_ENV_BANDIT_H_
#define ENTROPIC_COMMON_ENV_BANDIT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/env/environment.h"
#include "entropic/v1/job_spec.pb.h"

namespace entropic {

// A multi-armed bandit as an environment: every episode is one pull (the
// action is the arm; the step terminates), the observation is the constant
// [1.0], and arm i pays a reward whose expectation is arm_means()[i]. The
// means are known exactly, so a bandit job measures its agent's
// (pseudo-)regret, sum over pulls of best_mean() - arm_means()[arm], without
// the noise of the rewards.
//
// The environment state is empty: SetState takes zero values. Not
// thread-safe, as every Environment.
class Bandit : public Environment {
 public:
  const EnvironmentInfo& info() const override { return info_; }

  // Expected reward of each arm.
  const std::vector<double>& arm_means() const { return arm_means_; }
  int num_arms() const { return static_cast<int>(arm_means_.size()); }
  // The arm with the highest mean (the lowest index among equals) and its
  // mean.
  int best_arm() const { return best_arm_; }
  double best_mean() const { return arm_means_[best_arm_]; }

 protected:
  // `arm_means` has at least two arms.
  Bandit(std::string id, std::vector<double> arm_means);

  // The reward of one pull of `arm`, drawn from `rng` if random.
  virtual double Pull(int arm, EnvRng& rng) const = 0;

 private:
  void DoReset(EnvRng& rng) override;
  StepResult DoStep(const Action& action) override;
  absl::Status DoSetState(absl::Span<const double> state) override;
  void Observe(absl::Span<float> observation) const override;

  EnvironmentInfo info_;
  std::vector<double> arm_means_;
  int best_arm_ = 0;
  // Reseeded from each reset's generator, so pulls are reproducible.
  EnvRng pull_rng_;
};

// BernoulliBandit-v0: arm i pays 1 with probability arm_probabilities[i],
// else 0.
class BernoulliBandit final : public Bandit {
 public:
  explicit BernoulliBandit(std::vector<double> arm_probabilities);

  // From env.bandit (arm_probabilities only; defaults filled in here too).
  // InvalidArgument naming the field for fewer than 2 or more than 1000
  // arms, a probability outside [0, 1] or not finite, or num_arms /
  // mapping_seed set.
  static absl::StatusOr<std::unique_ptr<Environment>> Create(
      const v1::EnvironmentSpec& spec);

 private:
  double Pull(int arm, EnvRng& rng) const override;
};

// DeterministicBandit-v0, bsuite's `bandit`: n arms paying exactly 0,
// 1/(n-1), ..., 1, assigned to the arms in the order of numpy's
// RandomState(mapping_seed).choice(n, n, replace=False), the same order
// bsuite draws for the same seed (bsuite's experiment: 11 arms).
class DeterministicBandit final : public Bandit {
 public:
  DeterministicBandit(int num_arms, uint32_t mapping_seed);

  // From env.bandit (num_arms, mapping_seed; defaults filled in here too).
  // InvalidArgument naming the field for num_arms outside [2, 1000], a
  // mapping_seed over 2^32 - 1 (numpy's seeds are 32-bit), or
  // arm_probabilities set.
  static absl::StatusOr<std::unique_ptr<Environment>> Create(
      const v1::EnvironmentSpec& spec);

  // The permutation numpy's legacy RandomState(seed).permutation(n) draws:
  // MT19937 seeded with `seed`, a Fisher-Yates shuffle from the last
  // element down, each index drawn by masked rejection.
  static std::vector<int> NumpyPermutation(int n, uint32_t seed);

 private:
  double Pull(int arm, EnvRng& rng) const override;
};

// The bandit ids and their defaults.
inline constexpr char kBernoulliBanditId[] = "BernoulliBandit-v0";
inline constexpr char kDeterministicBanditId[] = "DeterministicBandit-v0";
inline constexpr int kDefaultDeterministicArms = 11;
inline constexpr int kMaxBanditArms = 1000;

// Whether `id` names a bandit environment.
bool IsBanditId(const std::string& id);

// Fills in the unset env.bandit fields of a bandit id with their defaults
// (BernoulliBandit-v0: arm_probabilities 0.1, ..., 0.9;
// DeterministicBandit-v0: num_arms 11). Other ids are left as they are.
void ApplyBanditDefaults(v1::EnvironmentSpec& spec);

// The bandit `env` is, or nullptr.
inline const Bandit* BanditOf(const Environment& env) {
  return dynamic_cast<const Bandit*>(&env);
}

}  // namespace entropic

#endif  // ENTROPIC_COMMON_ENV_BANDIT_H_
