#ifndef ENTROPIC_ACTOR_POLICY_TORCHSCRIPT_EXPORT_H_
#define ENTROPIC_ACTOR_POLICY_TORCHSCRIPT_EXPORT_H_

#include <string>

#include "absl/status/status.h"
#include "entropic/v1/parameters.pb.h"
#include "entropic/v1/policy.pb.h"

namespace entropic {

// Writes the policy `spec` describes, with `weights`, as a TorchScript
// module that Python's torch.jit.load opens without Entropic. Its input is
// a float32 tensor [B, observation_size] of flat observations (the
// environment's observation, row-major). Methods:
//   Boltzmann (soft Q):
//     forward(obs) -> Q values [B, num_actions]
//     probabilities(obs) -> softmax(Q / alpha) [B, num_actions]
//     act(obs) -> argmax_a Q, int64 [B]
//     temperature -> alpha (an attribute)
//   Bootstrapped Q heads:
//     forward(obs) -> the heads' mean Q [B, num_actions]
//     heads(obs) -> every head's Q, f_k + prior_scale p_k, [B, K, num_actions]
//     probabilities(obs) -> softmax(mean Q / alpha) [B, num_actions]
//     act(obs) -> argmax_a mean Q, int64 [B]
//     temperature, prior_scale (attributes)
//   Tanh-Gaussian (SAC):
//     forward(obs) -> the deterministic action [B, A], the squashed mean
//                     scaled to the bounds
//     distribution(obs) -> (mean, log_std), each [B, A], before squashing
//     action_low, action_high -> the bounds [A] (attributes)
// InvalidArgument if the weights do not fit the policy; Internal if the
// file cannot be written.
absl::Status ExportTorchScript(const v1::PolicySpec& spec,
                               const v1::Weights& weights,
                               const std::string& path);

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_POLICY_TORCHSCRIPT_EXPORT_H_
