#include "actor/policy/policy.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "actor/policy/boltzmann_policy.h"
#include "actor/policy/bootstrapped_q_policy.h"
#include "actor/policy/tanh_gaussian.h"

namespace entropic {
namespace {

absl::Status CheckHidden(const google::protobuf::RepeatedField<int32_t>& hidden,
                         const char* field) {
  for (int i = 0; i < hidden.size(); ++i) {
    if (hidden[i] <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, "[", i, "]: must be positive, got ", hidden[i]));
    }
  }
  return absl::OkStatus();
}

}  // namespace

Action ActionBatch::action(int row) const {
  if (!indices.empty()) return Action{indices[row], {}};
  return Action{0, absl::MakeConstSpan(values).subspan(row * action_size,
                                                       action_size)};
}

absl::StatusOr<std::unique_ptr<Policy>> MakePolicy(const v1::PolicySpec& spec) {
  switch (spec.policy_case()) {
    case v1::PolicySpec::kBoltzmann: {
      const v1::BoltzmannPolicySpec& boltzmann = spec.boltzmann();
      if (boltzmann.observation_size() <= 0 || boltzmann.num_actions() <= 0) {
        return absl::InvalidArgumentError(
            "policy.boltzmann: observation_size and num_actions must be "
            "positive");
      }
      absl::Status hidden = CheckHidden(boltzmann.hidden(),
                                        "policy.boltzmann.hidden");
      if (!hidden.ok()) return hidden;
      return std::make_unique<BoltzmannPolicy>(
          boltzmann.observation_size(), boltzmann.num_actions(),
          std::vector<int64_t>(boltzmann.hidden().begin(),
                               boltzmann.hidden().end()));
    }
    case v1::PolicySpec::kTanhGaussian: {
      const v1::TanhGaussianPolicySpec& gaussian = spec.tanh_gaussian();
      if (gaussian.observation_size() <= 0 || gaussian.action_low_size() == 0 ||
          gaussian.action_low_size() != gaussian.action_high_size()) {
        return absl::InvalidArgumentError(
            "policy.tanh_gaussian: observation_size must be positive and "
            "action_low and action_high the same, non-zero length");
      }
      for (int i = 0; i < gaussian.action_low_size(); ++i) {
        if (!(gaussian.action_low(i) < gaussian.action_high(i))) {
          return absl::InvalidArgumentError(absl::StrCat(
              "policy.tanh_gaussian.action_low[", i, "]: must be below ",
              "action_high[", i, "]"));
        }
      }
      absl::Status hidden = CheckHidden(gaussian.hidden(),
                                        "policy.tanh_gaussian.hidden");
      if (!hidden.ok()) return hidden;
      return std::make_unique<TanhGaussianPolicy>(gaussian);
    }
    case v1::PolicySpec::kBootstrappedQ: {
      const v1::BootstrappedQPolicySpec& heads = spec.bootstrapped_q();
      if (heads.observation_size() <= 0 || heads.num_actions() <= 0) {
        return absl::InvalidArgumentError(
            "policy.bootstrapped_q: observation_size and num_actions must be "
            "positive");
      }
      if (heads.heads() < 1 || heads.heads() > kMaxBootstrappedHeads) {
        return absl::InvalidArgumentError(absl::StrCat(
            "policy.bootstrapped_q.heads: must be in [1, ",
            kMaxBootstrappedHeads, "], got ", heads.heads()));
      }
      if (!(heads.prior_scale() >= 0 && std::isfinite(heads.prior_scale()))) {
        return absl::InvalidArgumentError(
            absl::StrCat("policy.bootstrapped_q.prior_scale: must be >= 0, got ",
                         heads.prior_scale()));
      }
      if (!(heads.mask_probability() > 0 && heads.mask_probability() <= 1)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "policy.bootstrapped_q.mask_probability: must be in (0, 1], got ",
            heads.mask_probability()));
      }
      absl::Status hidden =
          CheckHidden(heads.hidden(), "policy.bootstrapped_q.hidden");
      if (!hidden.ok()) return hidden;
      return std::make_unique<BootstrappedQPolicy>(heads);
    }
    default:
      return absl::InvalidArgumentError(
          "policy: names no policy (boltzmann, tanh_gaussian or "
          "bootstrapped_q)");
  }
}

absl::Status CheckPolicyFits(const v1::PolicySpec& spec,
                             const EnvironmentInfo& info) {
  const int64_t observation_size = info.observation_space.FlatSize();
  const bool discrete = info.action_space.kind == Space::Kind::kDiscrete;
  switch (spec.policy_case()) {
    case v1::PolicySpec::kBoltzmann:
      if (!discrete) {
        return absl::InvalidArgumentError(absl::StrCat(
            "policy.boltzmann: ", info.id,
            " has continuous actions; the Boltzmann policy needs discrete "
            "ones"));
      }
      if (spec.boltzmann().observation_size() != observation_size ||
          spec.boltzmann().num_actions() != info.action_space.num_actions) {
        return absl::InvalidArgumentError(absl::StrCat(
            "policy.boltzmann: built for ", spec.boltzmann().observation_size(),
            " observations and ", spec.boltzmann().num_actions(),
            " actions; ", info.id, " has ", observation_size, " and ",
            info.action_space.num_actions));
      }
      return absl::OkStatus();
    case v1::PolicySpec::kTanhGaussian:
      if (discrete) {
        return absl::InvalidArgumentError(absl::StrCat(
            "policy.tanh_gaussian: ", info.id,
            " has discrete actions; the Gaussian policy needs a box"));
      }
      if (spec.tanh_gaussian().observation_size() != observation_size ||
          spec.tanh_gaussian().action_low_size() !=
              info.action_space.FlatSize()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "policy.tanh_gaussian: built for ",
            spec.tanh_gaussian().observation_size(), " observations and ",
            spec.tanh_gaussian().action_low_size(), " action dimensions; ",
            info.id, " has ", observation_size, " and ",
            info.action_space.FlatSize()));
      }
      return absl::OkStatus();
    case v1::PolicySpec::kBootstrappedQ:
      if (!discrete) {
        return absl::InvalidArgumentError(absl::StrCat(
            "policy.bootstrapped_q: ", info.id,
            " has continuous actions; Q heads need discrete ones"));
      }
      if (spec.bootstrapped_q().observation_size() != observation_size ||
          spec.bootstrapped_q().num_actions() !=
              info.action_space.num_actions) {
        return absl::InvalidArgumentError(absl::StrCat(
            "policy.bootstrapped_q: built for ",
            spec.bootstrapped_q().observation_size(), " observations and ",
            spec.bootstrapped_q().num_actions(), " actions; ", info.id,
            " has ", observation_size, " and ", info.action_space.num_actions));
      }
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          "policy: names no policy (boltzmann, tanh_gaussian or "
          "bootstrapped_q)");
  }
}

}  // namespace entropic
