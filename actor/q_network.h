#ifndef ENTROPIC_ACTOR_Q_NETWORK_H_
#define ENTROPIC_ACTOR_Q_NETWORK_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace entropic {

// Soft Q-function Q(s, .) for discrete actions: an MLP with ReLU hidden
// layers mapping a batch of flat observations [B, obs] to [B, num_actions].
// The same module is trained by the learner and run by the actors; its
// parameters travel by name ("layers.0.weight", ...).
class QNetworkImpl : public torch::nn::Module {
 public:
  QNetworkImpl(int64_t observation_size, int64_t num_actions,
               const std::vector<int64_t>& hidden);

  torch::Tensor forward(const torch::Tensor& observations);

  int64_t observation_size() const { return observation_size_; }
  int64_t num_actions() const { return num_actions_; }

 private:
  int64_t observation_size_;
  int64_t num_actions_;
  torch::nn::ModuleList layers_;
};
TORCH_MODULE(QNetwork);

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_Q_NETWORK_H_
