#include "actor/policy/torchscript_export.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "actor/policy/boltzmann_policy.h"
#include "actor/policy/tanh_gaussian.h"
#include "actor/policy/weights.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

// Eight observations of `size` elements, the same in C++ and Python.
std::vector<float> Observations(int size) {
  std::vector<float> observations(8 * size);
  for (size_t i = 0; i < observations.size(); ++i) {
    observations[i] = 0.37f * static_cast<float>(i % 7) - 1.1f;
  }
  return observations;
}

std::string TempPath(const std::string& name) {
  return std::string(::testing::TempDir()) + "/" + name;
}

// Debian's Python, which python3-torch installs into (a python3 earlier
// on PATH may be another one).
const char kPython[] = "/usr/bin/python3";

bool PythonHasTorch() {
  return std::system(absl::StrCat(kPython, " -c 'import torch' >/dev/null 2>&1")
                         .c_str()) == 0;
}

// Runs `method` of the TorchScript file in Python's torch on `observations`
// [8, size] and returns the flattened result.
std::vector<double> RunInPython(const std::string& path,
                                const std::string& method,
                                const std::vector<float>& observations,
                                int size) {
  const std::string script = TempPath("run_policy.py");
  {
    std::ofstream out(script);
    out << "import sys, torch\n"
        << "policy = torch.jit.load(sys.argv[1])\n"
        << "obs = torch.tensor([" << absl::StrJoin(observations, ", ")
        << "], dtype=torch.float32).reshape(8, " << size << ")\n"
        << "out = policy." << method << "(obs)\n"
        << "print(' '.join(repr(float(x)) for x in out.flatten()))\n";
  }
  FILE* pipe =
      popen(absl::StrCat(kPython, " ", script, " ", path).c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  std::string text;
  char buffer[4096];
  while (pipe != nullptr && fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    text += buffer;
  }
  if (pipe != nullptr) {
    EXPECT_EQ(pclose(pipe), 0) << text;
  }
  std::vector<double> values;
  for (absl::string_view word :
       absl::StrSplit(text, absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
    values.push_back(std::stod(std::string(word)));
  }
  return values;
}

v1::Weights RandomBoltzmannWeights(v1::PolicySpec& spec) {
  v1::BoltzmannPolicySpec& boltzmann = *spec.mutable_boltzmann();
  boltzmann.set_observation_size(4);
  boltzmann.set_num_actions(3);
  boltzmann.add_hidden(16);
  boltzmann.add_hidden(8);
  torch::manual_seed(3);
  QNetwork network(4, 3, std::vector<int64_t>{16, 8});
  return WeightsFromModule(*network, "job", 12, 0.3);
}

v1::Weights RandomGaussianWeights(v1::PolicySpec& spec) {
  v1::TanhGaussianPolicySpec& gaussian = *spec.mutable_tanh_gaussian();
  gaussian.set_observation_size(3);
  gaussian.add_hidden(16);
  gaussian.add_action_low(-2.0f);
  gaussian.add_action_high(2.0f);
  gaussian.add_action_low(0.0f);
  gaussian.add_action_high(1.0f);
  torch::manual_seed(4);
  GaussianActor network(3, 2, std::vector<int64_t>{16});
  return WeightsFromModule(*network, "job", 7, 0.2);
}

TEST(TorchScriptExportTest, BoltzmannMatchesTheCppPolicyInCppAndPython) {
  v1::PolicySpec spec;
  const v1::Weights weights = RandomBoltzmannWeights(spec);
  const std::string path = TempPath("boltzmann.pt");
  ASSERT_TRUE(ExportTorchScript(spec, weights, path).ok());

  BoltzmannPolicy policy(4, 3, {16, 8});
  ASSERT_TRUE(policy.Load(weights).ok());
  const std::vector<float> observations = Observations(4);
  const torch::Tensor input =
      torch::from_blob(const_cast<float*>(observations.data()), {8, 4});
  torch::Tensor q;
  {
    torch::NoGradGuard no_grad;
    q = policy.network()->forward(input);
  }
  std::mt19937_64 rng(1);
  const ActionBatch greedy = policy.Act(observations, 8, true, rng);

  torch::jit::Module loaded = torch::jit::load(path);
  const torch::Tensor scripted = loaded.forward({input}).toTensor();
  EXPECT_TRUE(torch::allclose(scripted, q, 1e-5, 1e-6));
  const torch::Tensor acted = loaded.run_method("act", input).toTensor();
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(acted[i].item<int64_t>(), greedy.indices[i]);
  }
  EXPECT_NEAR(loaded.attr("temperature").toDouble(), 0.3, 1e-9);

  if (!PythonHasTorch()) {
    GTEST_SKIP() << "python3 cannot import torch (install python3-torch, as "
                    "deploy/local.sh test does)";
  }
  const std::vector<double> python = RunInPython(path, "forward",
                                                 observations, 4);
  ASSERT_EQ(python.size(), 24u);
  const torch::Tensor flat = q.flatten();
  for (int i = 0; i < 24; ++i) {
    EXPECT_NEAR(python[i], flat[i].item<double>(), 1e-5) << i;
  }
  const std::vector<double> probabilities =
      RunInPython(path, "probabilities", observations, 4);
  const torch::Tensor expected =
      BoltzmannProbabilities(q, 0.3).flatten();
  for (int i = 0; i < 24; ++i) {
    EXPECT_NEAR(probabilities[i], expected[i].item<double>(), 1e-5) << i;
  }
}

TEST(TorchScriptExportTest, TanhGaussianGivesTheMeanActionInCppAndPython) {
  v1::PolicySpec spec;
  const v1::Weights weights = RandomGaussianWeights(spec);
  const std::string path = TempPath("gaussian.pt");
  ASSERT_TRUE(ExportTorchScript(spec, weights, path).ok());

  TanhGaussianPolicy policy(spec.tanh_gaussian());
  ASSERT_TRUE(policy.Load(weights).ok());
  const std::vector<float> observations = Observations(3);
  std::mt19937_64 rng(1);
  const ActionBatch mean = policy.Act(observations, 8, true, rng);
  ASSERT_EQ(mean.values.size(), 16u);

  torch::jit::Module loaded = torch::jit::load(path);
  const torch::Tensor input =
      torch::from_blob(const_cast<float*>(observations.data()), {8, 3});
  const torch::Tensor scripted = loaded.forward({input}).toTensor();
  for (int i = 0; i < 16; ++i) {
    EXPECT_NEAR(scripted.flatten()[i].item<double>(), mean.values[i], 1e-5);
  }

  if (!PythonHasTorch()) {
    GTEST_SKIP() << "python3 cannot import torch (install python3-torch, as "
                    "deploy/local.sh test does)";
  }
  const std::vector<double> python =
      RunInPython(path, "forward", observations, 3);
  ASSERT_EQ(python.size(), 16u);
  for (int i = 0; i < 16; ++i) {
    EXPECT_NEAR(python[i], mean.values[i], 1e-5) << i;
    EXPECT_GE(python[i], i % 2 == 0 ? -2.0 : 0.0);
  }
}

TEST(TorchScriptExportTest, RefusesWeightsThatDoNotFit) {
  v1::PolicySpec spec;
  RandomBoltzmannWeights(spec);
  v1::PolicySpec other;
  const v1::Weights gaussian = RandomGaussianWeights(other);
  const absl::Status status =
      ExportTorchScript(spec, gaussian, TempPath("mismatch.pt"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(TempPath("mismatch.pt")));
}

}  // namespace
}  // namespace entropic
