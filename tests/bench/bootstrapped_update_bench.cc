// Updates per second of bootstrapped soft Q (K heads with priors) on
// DeepSea-sized batches: one-hot observations of N x N cells, 2 actions,
// the hidden widths of examples/deepsea-bootstrapped.yaml. Prints one row
// per size with the milliseconds of a whole update and of its parts (the
// heads' forward passes, backward, the optimiser step, the rest), and
// beside them, measured in the same run, the time of one dense matrix
// product of the first layer's shape [B, N^2] x [N^2, K * width]: what the
// update would cost per pass if it multiplied the one-hot inputs densely.
//
//   build/tests/entropic-bootstrapped-bench [--sizes=10,20,30,40,50]
//       [--heads=10] [--batch=128] [--updates=200] [--trace=FILE]
#include <gflags/gflags.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/process.h"
#include "common/replay_columns.h"
#include "learner/algorithms/bootstrapped_soft_q.h"

DEFINE_string(sizes, "10,20,30,40,50", "DeepSea sizes N, comma separated");
DEFINE_int32(heads, 10, "bootstrapped heads K");
DEFINE_int32(batch, 128, "batch size");
DEFINE_int32(updates, 200, "timed updates per size (after 20 warm-up ones)");
DEFINE_string(trace, "",
              "if set, a LibTorch profiler trace of 20 more updates of the "
              "last size is written to this file (chrome://tracing format)");

namespace entropic {
namespace {

double Seconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

torch::Tensor OneHot(int64_t batch, int64_t cells) {
  return torch::zeros({batch, cells})
      .scatter_(1, torch::randint(cells, {batch, 1}), 1.0);
}

TransitionBatch DeepSeaBatch(int64_t batch, int64_t n, int64_t heads) {
  TransitionBatch b;
  b.observations = OneHot(batch, n * n);
  b.next_observations = OneHot(batch, n * n);
  b.actions = torch::randint(2, {batch}, torch::kLong);
  b.rewards = torch::rand({batch}) * 0.01;
  b.terminated = torch::zeros({batch});
  b.discounts = torch::full({batch}, 0.99);
  b.weights = torch::ones({batch});
  b.policy_versions = torch::zeros({batch}, torch::kLong);
  b.keys = torch::arange(batch, torch::kLong);
  b.extra[kBootstrapMaskColumn] =
      torch::bernoulli(torch::full({batch, heads}, 0.5));
  return b;
}

void Run(int64_t n) {
  v1::SoftQSpec spec;
  spec.set_gamma(0.99);
  spec.set_alpha(0.001);
  spec.set_lr(1e-3);
  spec.set_batch_size(FLAGS_batch);
  spec.add_hidden(50);
  spec.add_hidden(50);
  spec.mutable_target_update()->set_period(4);
  spec.set_huber_delta(1.0);
  spec.set_max_grad_norm(10.0);
  spec.set_n_step(1);
  spec.set_publish_every_updates(10);
  v1::BootstrappedHeadsSpec heads;
  heads.set_heads(FLAGS_heads);
  heads.set_prior_scale(3.0);
  heads.set_mask_probability(0.5);
  auto learner =
      BootstrappedSoftQLearner::Create(spec, heads, n * n, 2, "cpu", 1);
  if (!learner.ok()) {
    std::fprintf(stderr, "%s\n", learner.status().ToString().c_str());
    return;
  }
  std::vector<TransitionBatch> batches;
  for (int i = 0; i < 16; ++i) {
    batches.push_back(DeepSeaBatch(FLAGS_batch, n, FLAGS_heads));
  }
  for (int i = 0; i < 20; ++i) (*learner)->Step(batches[i % 16]);
  const double start = Seconds();
  for (int i = 0; i < FLAGS_updates; ++i) (*learner)->Step(batches[i % 16]);
  const double update_ms = (Seconds() - start) / FLAGS_updates * 1e3;

  // The parts, timed on their own on the same network.
  BootstrappedQNetwork& network = (*learner)->online();
  double forward_ms = 0, backward_ms = 0;
  for (int i = 0; i < FLAGS_updates; ++i) {
    const TransitionBatch& b = batches[i % 16];
    const double t0 = Seconds();
    torch::Tensor q = network->forward(b.observations);
    {
      torch::NoGradGuard no_grad;
      network->forward(b.next_observations);
    }
    const double t1 = Seconds();
    q.sum().backward();
    for (torch::Tensor& p : network->TrainedParameters()) {
      p.mutable_grad().zero_();
    }
    forward_ms += (t1 - t0) * 1e3;
    backward_ms += (Seconds() - t1) * 1e3;
  }
  forward_ms /= FLAGS_updates;
  backward_ms /= FLAGS_updates;

  if (!FLAGS_trace.empty()) {
    torch::autograd::profiler::RecordProfile trace(FLAGS_trace);
    for (int i = 0; i < 20; ++i) (*learner)->Step(batches[i % 16]);
  }

  const int64_t width = 50 * FLAGS_heads;
  const torch::Tensor x = OneHot(FLAGS_batch, n * n);
  const torch::Tensor w = torch::randn({n * n, width});
  torch::mm(x, w);
  const double mm_start = Seconds();
  for (int i = 0; i < 20; ++i) torch::mm(x, w);
  const double dense_ms = (Seconds() - mm_start) / 20 * 1e3;
  std::printf("| %ld | %ld | %.2f | %.0f | %.2f | %.2f | %.2f |\n", n,
              n * n * width * 2, update_ms, 1e3 / update_ms, forward_ms,
              backward_ms, dense_ms);
}

}  // namespace
}  // namespace entropic

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  entropic::TuneForServing();
  std::printf("torch threads %d, K = %d heads, batch %d\n\n",
              torch::get_num_threads(), FLAGS_heads, FLAGS_batch);
  std::printf(
      "| N | first-layer weights (heads + priors) | update ms | updates/s | "
      "forward ms (online + target) | backward ms | dense first-layer "
      "product ms |\n|---|---|---|---|---|---|---|\n");
  for (absl::string_view size : absl::StrSplit(FLAGS_sizes, ',')) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(size, &n) || n < 1) {
      std::fprintf(stderr, "--sizes: not a size: %s\n",
                   std::string(size).c_str());
      return 2;
    }
    entropic::Run(n);
  }
  return 0;
}
