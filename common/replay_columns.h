#ifndef ENTROPIC_COMMON_REPLAY_COLUMNS_H_
#define ENTROPIC_COMMON_REPLAY_COLUMNS_H_

namespace entropic {

// The extra per-step replay columns (TableConfig.extra_columns) that actors
// write and learners read.

// log mu(a|s): the log-probability under which the acting (behaviour)
// policy chose each action. float32, one value per step.
inline constexpr char kBehaviourLogProbColumn[] = "behaviour_log_prob";

// The bootstrap mask of a bootstrapped Q network's K heads: float32 [K] per
// step, each entry 1 (the head trains on the step) with the policy's
// mask_probability, else 0; drawn by the actor (BootstrappedQPolicySpec).
inline constexpr char kBootstrapMaskColumn[] = "bootstrap_mask";

}  // namespace entropic

#endif  // ENTROPIC_COMMON_REPLAY_COLUMNS_H_
