#ifndef ENTROPIC_LEARNER_ALGORITHMS_LAZY_ADAM_H_
#define ENTROPIC_LEARNER_ALGORITHMS_LAZY_ADAM_H_

#include <torch/optim/adam.h>
#include <torch/types.h>

#include <string>
#include <unordered_map>

namespace entropic {

// torch's Adam (no weight decay, no AMSGrad), for parameters whose
// gradients are mostly zero rows:
// - a sparse gradient (an EnsembleMlp's first layer on one-hot inputs)
//   updates only the rows it holds, moments and weights alike, as
//   torch.optim.SparseAdam and TensorFlow's LazyAdam do; rows no input
//   touched keep their moments instead of coasting on them;
// - a dense gradient gets torch's Adam arithmetic exactly (the same
//   operations in the same order), in place on buffers kept between steps,
//   so a step allocates nothing.
// The state is Adam's (step, exp_avg, exp_avg_sq per parameter), so
// checkpoints save and load as Adam's do.
class LazyAdam : public torch::optim::Adam {
 public:
  LazyAdam(std::vector<torch::Tensor> parameters,
           torch::optim::AdamOptions options);

  torch::Tensor step(LossClosure closure = nullptr) override;

 private:
  // Per dense parameter, the denominator's buffer.
  std::unordered_map<const void*, torch::Tensor> denominators_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_ALGORITHMS_LAZY_ADAM_H_
