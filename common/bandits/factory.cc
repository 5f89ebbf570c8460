#include "common/bandits/factory.h"

#include "common/bandits/thompson_sampling.h"
#include "common/bandits/ucb1.h"
#include "common/bandits/uniform_agent.h"

namespace entropic::bandits {

std::unique_ptr<BanditAgent> MakeBanditAgent(const v1::BanditSpec& spec,
                                             int num_arms, uint64_t seed) {
  switch (spec.agent()) {
    case v1::BanditSpec::THOMPSON:
      return std::make_unique<ThompsonSampling>(num_arms, seed);
    case v1::BanditSpec::UNIFORM:
      return std::make_unique<UniformAgent>(num_arms);
    default:
      return std::make_unique<Ucb1>(num_arms,
                                    spec.ucb_c() > 0 ? spec.ucb_c() : 1.0);
  }
}

std::string AgentName(v1::BanditSpec::Agent agent) {
  switch (agent) {
    case v1::BanditSpec::THOMPSON:
      return "Thompson sampling";
    case v1::BanditSpec::UNIFORM:
      return "uniform";
    default:
      return "UCB1";
  }
}

}  // namespace entropic::bandits
