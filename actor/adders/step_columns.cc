#include "actor/adders/step_columns.h"

#include "absl/strings/str_cat.h"
#include "common/replay_columns.h"

namespace entropic {

absl::StatusOr<StepColumns> StepColumns::Create(
    const google::protobuf::RepeatedPtrField<std::string>& columns,
    const v1::PolicySpec& policy) {
  StepColumns result;
  for (int i = 0; i < columns.size(); ++i) {
    const std::string& name = columns[i];
    if (name == kBehaviourLogProbColumn) {
      result.layout_.push_back({name, {}});
      result.kinds_.push_back(Kind::kBehaviourLogProb);
    } else if (name == kBootstrapMaskColumn) {
      if (!policy.has_bootstrapped_q()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "assignment.columns[", i, "]: \"", name,
            "\" needs a bootstrapped_q policy, which says its width and "
            "probability"));
      }
      result.layout_.push_back({name, {policy.bootstrapped_q().heads()}});
      result.kinds_.push_back(Kind::kBootstrapMask);
      result.mask_probability_ = policy.bootstrapped_q().mask_probability();
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "assignment.columns[", i, "]: the actor cannot fill column \"", name,
          "\"; it knows ", kBehaviourLogProbColumn, " and ",
          kBootstrapMaskColumn));
    }
  }
  return result;
}

void StepColumns::Fill(float behaviour_log_prob, std::mt19937_64& rng,
                       std::vector<float>& values) const {
  values.clear();
  std::bernoulli_distribution keep(mask_probability_);
  for (size_t c = 0; c < layout_.size(); ++c) {
    switch (kinds_[c]) {
      case Kind::kBehaviourLogProb:
        values.push_back(behaviour_log_prob);
        break;
      case Kind::kBootstrapMask:
        for (int64_t k = 0; k < layout_[c].elements(); ++k) {
          values.push_back(keep(rng) ? 1.0f : 0.0f);
        }
        break;
    }
  }
}

}  // namespace entropic
