#ifndef ENTROPIC_LEARNER_REWARD_MODELS_DISCRIMINATOR_H_
#define ENTROPIC_LEARNER_REWARD_MODELS_DISCRIMINATOR_H_

#include <torch/optim/adam.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "actor/policy/mlp.h"
#include "common/env/environment.h"
#include "entropic/v1/job_spec.pb.h"
#include "learner/transition_batch.h"

namespace entropic {

// The logit of D, log D - log(1 - D), per transition [B]:
//   AIRL: f(s, a, s') - log pi(a|s), f = g(s, a) + discount h(s') - h(s)
//   GAIL: c(s, a)
// `g_or_c` is g(s, a) or c(s, a) [B]; the others are used by AIRL only:
// h(s) and h(s') [B], discount [B] (0 past a terminal state), log pi [B].
torch::Tensor DiscriminatorLogit(v1::AdversarialSpec::Kind kind,
                                 const torch::Tensor& g_or_c,
                                 const torch::Tensor& h,
                                 const torch::Tensor& next_h,
                                 const torch::Tensor& discount,
                                 const torch::Tensor& log_pi);

// The logistic loss of telling demonstrations (1) from agent transitions
// (0), each class weighted to half: -mean_E log D - mean_A log(1 - D).
torch::Tensor DiscriminatorLoss(const torch::Tensor& logit,
                                const torch::Tensor& is_demonstration);

// What one discriminator update did.
struct DiscriminatorUpdate {
  double loss = 0;
  // Share of the batch classified right (D > 1/2 on demonstrations).
  double accuracy = 0;
  // Mean D on demonstration and on agent transitions.
  double expert_d = 0;
  double agent_d = 0;
  // The reward handed to the policy for the batch, on the learner's device.
  torch::Tensor rewards;
  double reward_mean = 0;
  double reward_std = 0;
};

// The discriminator of AIRL or GAIL (job_spec.proto's AdversarialSpec),
// trained on the batches of the job's algorithm. g(s, a) (or c(s, a)) is an
// MLP from s to one value per action for discrete actions, and from (s, a)
// to one value for box actions. Not thread-safe.
class Discriminator {
 public:
  Discriminator(const v1::AdversarialSpec& spec, double gamma,
                int64_t observation_size, const Space& action_space,
                const torch::Device& device);

  // One Adam step on the batch's demonstration vs agent transitions, then
  // the reward of every transition under the updated discriminator.
  // `log_pi` [B] is log pi(a|s) of the current policy (AIRL).
  DiscriminatorUpdate Update(const TransitionBatch& batch,
                             const torch::Tensor& log_pi);

  // g(s, a) for AIRL, c(s, a) for GAIL, times reward_scale, [B]: the
  // learned reward on its own, as a frozen discriminator hands it to the
  // policy (AdversarialSpec.reward_checkpoint).
  torch::Tensor StateActionReward(const torch::Tensor& observations,
                                  const torch::Tensor& actions);

  // Writes / reads the networks and optimiser under `directory`.
  absl::Status Save(const std::string& directory) const;
  absl::Status Load(const std::string& directory);

 private:
  torch::Tensor Logit(const TransitionBatch& batch,
                      const torch::Tensor& log_pi);
  // g(s, a) or c(s, a), [B].
  torch::Tensor StateAction(const torch::Tensor& observations,
                            const torch::Tensor& actions);

  const v1::AdversarialSpec spec_;
  const double gamma_;
  const torch::Device device_;
  const bool discrete_;
  Mlp g_;  // g(s, .) [B, A] (discrete) or g(s, a) [B, 1] (box)
  Mlp h_;  // h(s): [B, 1]; AIRL only
  std::unique_ptr<torch::optim::Adam> optimizer_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_REWARD_MODELS_DISCRIMINATOR_H_
