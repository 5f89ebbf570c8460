#include "actor/policy/torchscript_export.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "actor/policy/boltzmann_policy.h"
#include "actor/policy/bootstrapped_q_policy.h"
#include "actor/policy/tanh_gaussian.h"

namespace entropic {
namespace {

// Registers the Mlp's parameters on `module` as <prefix>w<i>, <prefix>b<i>
// and returns the TorchScript lines that run it on `input` into `output`
// (ReLU between layers, none after the last).
std::string RegisterMlp(torch::nn::Module& mlp, torch::jit::Module& module,
                        const std::string& input, const std::string& output,
                        const std::string& prefix = "") {
  std::vector<torch::Tensor> weights, biases;
  for (const auto& item : mlp.named_parameters(/*recurse=*/true)) {
    const torch::Tensor value = item.value().detach().clone();
    if (absl::EndsWith(item.key(), ".weight")) {
      weights.push_back(value);
    } else {
      biases.push_back(value);
    }
  }
  std::string code;
  std::string x = input;
  for (size_t i = 0; i < weights.size(); ++i) {
    module.register_parameter(absl::StrCat(prefix, "w", i), weights[i], false);
    module.register_parameter(absl::StrCat(prefix, "b", i), biases[i], false);
    const std::string y = i + 1 == weights.size() ? output : "x";
    absl::StrAppend(&code, "        ", y, " = torch.addmm(self.", prefix, "b",
                    i, ", ", x, ", self.", prefix, "w", i, ".t())\n");
    if (i + 1 != weights.size()) absl::StrAppend(&code, "        x = torch.relu(x)\n");
    x = "x";
  }
  return code;
}

absl::Status ExportBoltzmann(const v1::BoltzmannPolicySpec& spec,
                             const v1::Weights& weights,
                             torch::jit::Module& module) {
  BoltzmannPolicy policy(
      spec.observation_size(), spec.num_actions(),
      std::vector<int64_t>(spec.hidden().begin(), spec.hidden().end()));
  absl::Status loaded = policy.Load(weights);
  if (!loaded.ok()) return loaded;
  const std::string mlp = RegisterMlp(*policy.network(), module, "obs", "q");
  module.register_attribute("temperature", c10::FloatType::get(),
                            policy.temperature());
  module.define(absl::StrCat(R"(
def forward(self, obs: Tensor) -> Tensor:
)", mlp, R"(        return q

def probabilities(self, obs: Tensor) -> Tensor:
    return torch.softmax(self.forward(obs) / self.temperature, 1)

def act(self, obs: Tensor) -> Tensor:
    return torch.argmax(self.forward(obs), 1)
)"));
  return absl::OkStatus();
}

// Every head's trained and prior network under h<k>_ and p<k>_; forward is
// the heads' mean Q (what evaluation acts greedily on).
absl::Status ExportBootstrappedQ(const v1::BootstrappedQPolicySpec& spec,
                                 const v1::Weights& weights,
                                 torch::jit::Module& module) {
  BootstrappedQPolicy policy(spec);
  absl::Status loaded = policy.Load(weights);
  if (!loaded.ok()) return loaded;
  BootstrappedQNetwork& network = policy.network();
  std::string code = R"(
def heads(self, obs: Tensor) -> Tensor:
)";
  std::string stacked;
  for (int64_t k = 0; k < network->heads(); ++k) {
    Mlp trained = network->trained()->CopyOfMember(k);
    Mlp prior = network->priors()->CopyOfMember(k);
    absl::StrAppend(
        &code,
        RegisterMlp(*trained, module, "obs", absl::StrCat("f", k),
                    absl::StrCat("h", k, "_")),
        RegisterMlp(*prior, module, "obs", absl::StrCat("p", k),
                    absl::StrCat("p", k, "_")));
    absl::StrAppend(&stacked, k == 0 ? "" : ", ", "f", k, " + self.prior_scale * p",
                    k);
  }
  absl::StrAppend(&code, "        return torch.stack([", stacked, R"(], 1)

def forward(self, obs: Tensor) -> Tensor:
    return torch.mean(self.heads(obs), 1)

def probabilities(self, obs: Tensor) -> Tensor:
    return torch.softmax(self.forward(obs) / self.temperature, 1)

def act(self, obs: Tensor) -> Tensor:
    return torch.argmax(self.forward(obs), 1)
)");
  module.register_attribute("temperature", c10::FloatType::get(),
                            policy.temperature());
  module.register_attribute("prior_scale", c10::FloatType::get(),
                            network->prior_scale());
  module.define(code);
  return absl::OkStatus();
}

absl::Status ExportTanhGaussian(const v1::TanhGaussianPolicySpec& spec,
                                const v1::Weights& weights,
                                torch::jit::Module& module) {
  TanhGaussianPolicy policy(spec);
  absl::Status loaded = policy.Load(weights);
  if (!loaded.ok()) return loaded;
  const std::string mlp =
      RegisterMlp(*policy.network(), module, "obs", "out");
  module.register_buffer("action_low", policy.bounds().low.clone());
  module.register_buffer("action_high", policy.bounds().high.clone());
  module.define(absl::StrCat(R"(
def distribution(self, obs: Tensor) -> Tuple[Tensor, Tensor]:
)", mlp, absl::StrReplaceAll(R"(        halves = torch.chunk(out, 2, 1)
        return halves[0], torch.clamp(halves[1], LOW, HIGH)

def forward(self, obs: Tensor) -> Tensor:
    mean, log_std = self.distribution(obs)
    scale = (self.action_high - self.action_low) / 2
    offset = (self.action_high + self.action_low) / 2
    return offset + torch.tanh(mean) * scale
)",
                                                        {{"LOW", absl::StrCat(kMinLogStd)},
                                                         {"HIGH", absl::StrCat(kMaxLogStd)}})));
  return absl::OkStatus();
}

}  // namespace

absl::Status ExportTorchScript(const v1::PolicySpec& spec,
                               const v1::Weights& weights,
                               const std::string& path) {
  try {
    torch::jit::Module module("EntropicPolicy");
    absl::Status built;
    switch (spec.policy_case()) {
      case v1::PolicySpec::kBoltzmann:
        built = ExportBoltzmann(spec.boltzmann(), weights, module);
        break;
      case v1::PolicySpec::kTanhGaussian:
        built = ExportTanhGaussian(spec.tanh_gaussian(), weights, module);
        break;
      case v1::PolicySpec::kBootstrappedQ:
        built = ExportBootstrappedQ(spec.bootstrapped_q(), weights, module);
        break;
      default:
        return absl::InvalidArgumentError(
            "policy: names no policy (boltzmann, tanh_gaussian or "
            "bootstrapped_q)");
    }
    if (!built.ok()) return built;
    module.eval();
    module.save(path);
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("exporting the policy to ", path,
                                            ": ", e.what_without_backtrace()));
  } catch (const std::exception& e) {  // TorchScript's compiler errors
    return absl::InternalError(
        absl::StrCat("exporting the policy to ", path, ": ", e.what()));
  }
  return absl::OkStatus();
}

}  // namespace entropic
