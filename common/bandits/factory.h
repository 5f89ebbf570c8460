#ifndef ENTROPIC_COMMON_BANDITS_FACTORY_H_
#define ENTROPIC_COMMON_BANDITS_FACTORY_H_

#include <cstdint>
#include <memory>
#include <string>

#include "common/bandits/bandit_agent.h"
#include "entropic/v1/job_spec.pb.h"

namespace entropic::bandits {

// The agent `spec` names (UCB1 when unset) for `num_arms` arms (>= 1);
// `seed` seeds what the agent draws for itself (Thompson sampling's
// binarisation). The spec is expected validated (ucb_c > 0).
std::unique_ptr<BanditAgent> MakeBanditAgent(const v1::BanditSpec& spec,
                                             int num_arms, uint64_t seed);

// "UCB1", "Thompson sampling" or "uniform", for messages.
std::string AgentName(v1::BanditSpec::Agent agent);

}  // namespace entropic::bandits

#endif  // ENTROPIC_COMMON_BANDITS_FACTORY_H_
