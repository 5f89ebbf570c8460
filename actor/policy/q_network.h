#ifndef ENTROPIC_ACTOR_POLICY_Q_NETWORK_H_
#define ENTROPIC_ACTOR_POLICY_Q_NETWORK_H_

#include "actor/policy/mlp.h"

namespace entropic {

// Soft Q-function Q(s, .) for discrete actions: an Mlp from a batch of flat
// observations [B, obs] to [B, num_actions]. The same module is trained by
// the learner and run by the actors; its parameters travel by name
// ("layers.0.weight", ...).
using QNetworkImpl = MlpImpl;
using QNetwork = Mlp;

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_POLICY_Q_NETWORK_H_
