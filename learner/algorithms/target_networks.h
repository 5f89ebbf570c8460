#ifndef ENTROPIC_LEARNER_ALGORITHMS_TARGET_NETWORKS_H_
#define ENTROPIC_LEARNER_ALGORITHMS_TARGET_NETWORKS_H_

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>

#include "entropic/v1/job_spec.pb.h"

namespace entropic {

// How target networks follow online ones: `to`'s parameters (same
// architecture as `from`'s) become a copy of `from`'s, or move towards them
// by Polyak averaging theta' <- (1 - tau) theta' + tau theta. No gradient.
inline void CopyParameters(const torch::nn::Module& from,
                           torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  const auto source = from.parameters();
  auto destination = to.parameters();
  for (size_t i = 0; i < source.size(); ++i) destination[i].copy_(source[i]);
}

inline void PolyakUpdate(const torch::nn::Module& from, torch::nn::Module& to,
                         double tau) {
  torch::NoGradGuard no_grad;
  const auto source = from.parameters();
  auto destination = to.parameters();
  for (size_t i = 0; i < source.size(); ++i) {
    destination[i].mul_(1.0 - tau).add_(source[i], tau);
  }
}

// Applies the job's target rule after update number `updates`: a copy every
// rule.period() updates, or Polyak averaging with rule.polyak() every update.
inline void FollowTargetRule(const v1::TargetUpdateSpec& rule,
                             int64_t updates, const torch::nn::Module& online,
                             torch::nn::Module& target) {
  if (rule.rule_case() == v1::TargetUpdateSpec::kPeriod) {
    if (updates % rule.period() == 0) CopyParameters(online, target);
  } else {
    PolyakUpdate(online, target, rule.polyak());
  }
}

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_ALGORITHMS_TARGET_NETWORKS_H_
