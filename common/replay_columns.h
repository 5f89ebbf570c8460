#ifndef ENTROPIC_COMMON_REPLAY_COLUMNS_H_
#define ENTROPIC_COMMON_REPLAY_COLUMNS_H_

namespace entropic {

// The extra per-step replay columns (TableConfig.extra_columns) that actors
// write and learners read.

// log mu(a|s): the log-probability under which the acting (behaviour)
// policy chose each action. float32, one value per step.
inline constexpr char kBehaviourLogProbColumn[] = "behaviour_log_prob";

// n(s): how many transitions inserted into the table so far (by every
// actor, evicted ones included) have the same hashed observation as the
// sampled transition's first one. int64, one value per transition. Not
// written by actors: replay computes it (TableConfig.visit_counts) and
// returns it with every sample.
inline constexpr char kVisitCountColumn[] = "visit_count";

// The bootstrap mask of a bootstrapped Q network's K heads: float32 [K] per
// step, each entry 1 (the head trains on the step) with the policy's
// mask_probability, else 0; drawn by the actor (BootstrappedQPolicySpec).
inline constexpr char kBootstrapMaskColumn[] = "bootstrap_mask";

}  // namespace entropic

#endif  // ENTROPIC_COMMON_REPLAY_COLUMNS_H_
