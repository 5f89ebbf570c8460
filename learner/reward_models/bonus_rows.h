#ifndef ENTROPIC_LEARNER_REWARD_MODELS_BONUS_ROWS_H_
#define ENTROPIC_LEARNER_REWARD_MODELS_BONUS_ROWS_H_

#include <torch/types.h>

#include <string>
#include <vector>

#include "learner/statistics.h"
#include "learner/transition_batch.h"

namespace entropic {

// What the exploration bonuses share: which rows of a batch are the agent's
// (demonstration rows get no bonus: they were not visited by the agent and
// their rewards are not the agent's to explore), and how a bonus is added
// and reported.

// The indices [m] int64, on the batch's device, of the rows not from
// demonstrations; every row when from_demonstrations is undefined.
torch::Tensor AgentRowIndices(const TransitionBatch& batch);

// Adds `scaled_bonus` [m] (float, one per row of `agent_rows`) to those rows
// of batch.rewards, and reports <name>_mean and <name>_std (population std)
// of what was added (the names its model declares, with <name>_loss).
// Other rows keep their rewards.
Statistics AddBonus(TransitionBatch& batch, const torch::Tensor& agent_rows,
                    const torch::Tensor& scaled_bonus, const std::string& name);

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_REWARD_MODELS_BONUS_ROWS_H_
