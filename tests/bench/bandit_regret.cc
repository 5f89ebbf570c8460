// Regret of the bandit agents over seeds: UCB1, Thompson sampling and
// uniform pulls on one bandit, each run fitted by least squares to
// regret(T) = a log T + b and to regret(T) = c T, with bsuite's bandit
// score from the mean regret a pull at the last pull (docs/exploration.md).
//
//   build/tests/entropic-bandit-bench                    # bsuite's bandit
//   build/tests/entropic-bandit-bench --env=BernoulliBandit-v0
//       (arms 0.1, ..., 0.9; or --arm_probabilities=0.1,0.5,...)
//
// Seed s runs every agent with job seed s; on DeterministicBandit-v0 it is
// also the mapping_seed, so each seed is another of bsuite's 20 settings.
#include <gflags/gflags.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/bandits/bandit_run.h"
#include "common/bandits/factory.h"
#include "common/bandits/regret_analysis.h"
#include "common/env/bandit.h"
#include "common/env/registry.h"

DEFINE_string(env, "DeterministicBandit-v0",
              "DeterministicBandit-v0 or BernoulliBandit-v0");
DEFINE_string(arm_probabilities, "",
              "BernoulliBandit-v0's arms, comma-separated (default: its "
              "0.1, ..., 0.9)");
DEFINE_int32(num_arms, 0, "DeterministicBandit-v0's arms (default 11)");
DEFINE_int32(seeds, 20, "Seeds 1 .. N");
DEFINE_int64(pulls, 10000, "Pulls per run");
DEFINE_double(ucb_c, 1.0, "UCB1's exploration constant");

namespace entropic::bandits {
namespace {

struct Summary {
  double median = 0, min = 0, max = 0;
};

Summary Summarise(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  const double median =
      n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return {median, values.front(), values.back()};
}

std::string Format(const Summary& s, const char* format) {
  return absl::StrFormat("%s [%s, %s]", absl::StrFormat(format, s.median),
                         absl::StrFormat(format, s.min),
                         absl::StrFormat(format, s.max));
}

// One agent's runs.
struct AgentRuns {
  std::vector<double> early_regret, middle_regret;  // at T / 100, T / 10
  std::vector<double> final_regret, log_a, log_b, log_r2, linear_c, linear_r2;
};

int Main() {
  v1::EnvironmentSpec env_spec;
  env_spec.set_id(FLAGS_env);
  for (const absl::string_view p :
       absl::StrSplit(FLAGS_arm_probabilities, ',', absl::SkipEmpty())) {
    double value = 0;
    if (!absl::SimpleAtod(p, &value)) {
      std::fprintf(stderr, "--arm_probabilities: not a number: %s\n",
                   std::string(p).c_str());
      return 2;
    }
    env_spec.mutable_bandit()->add_arm_probabilities(value);
  }
  if (FLAGS_num_arms > 0)
    env_spec.mutable_bandit()->set_num_arms(FLAGS_num_arms);
  if (FLAGS_seeds < 1 || FLAGS_pulls < 100) {
    std::fprintf(stderr, "--seeds must be >= 1 and --pulls >= 100\n");
    return 2;
  }
  const bool deterministic = FLAGS_env == kDeterministicBanditId;

  const std::vector<v1::BanditSpec::Agent> agents = {
      v1::BanditSpec::UCB1, v1::BanditSpec::THOMPSON, v1::BanditSpec::UNIFORM};
  std::vector<AgentRuns> runs(agents.size());
  std::string arms_text;
  const absl::Time start = absl::Now();
  for (int seed = 1; seed <= FLAGS_seeds; ++seed) {
    v1::EnvironmentSpec seeded = env_spec;
    if (deterministic) seeded.mutable_bandit()->set_mapping_seed(seed);
    for (size_t a = 0; a < agents.size(); ++a) {
      auto env = MakeEnvironment(seeded);
      if (!env.ok()) {
        std::fprintf(stderr, "%s\n", env.status().ToString().c_str());
        return 2;
      }
      auto* bandit = dynamic_cast<Bandit*>(env->get());
      if (bandit == nullptr) {
        std::fprintf(stderr, "--env: %s is not a bandit\n", FLAGS_env.c_str());
        return 2;
      }
      if (arms_text.empty()) {
        for (const double mean : bandit->arm_means()) {
          absl::StrAppendFormat(&arms_text, "%s%.3g",
                                arms_text.empty() ? "" : " ", mean);
        }
      }
      v1::BanditSpec spec;
      spec.set_agent(agents[a]);
      spec.set_ucb_c(FLAGS_ucb_c);
      std::unique_ptr<BanditAgent> agent =
          MakeBanditAgent(spec, bandit->num_arms(), seed);
      BanditRun run(*bandit, *agent, seed);
      std::vector<double> curve;
      curve.reserve(FLAGS_pulls);
      for (int64_t t = 0; t < FLAGS_pulls; ++t) {
        run.Pull();
        curve.push_back(run.regret());
      }
      const RegretFit log_fit = FitLogarithmic(curve);
      const RegretFit linear_fit = FitLinear(curve);
      AgentRuns& r = runs[a];
      r.early_regret.push_back(curve[FLAGS_pulls / 100 - 1]);
      r.middle_regret.push_back(curve[FLAGS_pulls / 10 - 1]);
      r.final_regret.push_back(run.regret());
      r.log_a.push_back(log_fit.slope);
      r.log_b.push_back(log_fit.intercept);
      r.log_r2.push_back(log_fit.r_squared);
      r.linear_c.push_back(linear_fit.slope);
      r.linear_r2.push_back(linear_fit.r_squared);
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);

  std::printf("%s, %d seeds x %lld pulls%s; arms of seed 1: %s\n",
              FLAGS_env.c_str(), FLAGS_seeds,
              static_cast<long long>(FLAGS_pulls),
              deterministic ? " (mapping_seed = seed)" : "", arms_text.c_str());
  std::printf(
      "median [min, max] over seeds; pseudo-regret (best mean - "
      "pulled arm's mean)\n\n");
  std::printf(
      "| agent | regret at T/100 | T/10 | T | regret / pull | a (a log T + "
      "b) | b | R^2 log | c (c T) | R^2 linear | bsuite score |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (size_t a = 0; a < agents.size(); ++a) {
    const AgentRuns& r = runs[a];
    double mean_final = 0;
    for (const double regret : r.final_regret) mean_final += regret;
    mean_final /= r.final_regret.size();
    std::vector<double> per_pull;
    for (const double regret : r.final_regret) {
      per_pull.push_back(regret / FLAGS_pulls);
    }
    // bsuite averages total regret over its settings at the last episode.
    const std::string score =
        deterministic
            ? absl::StrFormat("%.3f",
                              BsuiteBanditScore(mean_final / FLAGS_pulls))
            : absl::StrFormat("(%.3f)",
                              BsuiteBanditScore(mean_final / FLAGS_pulls));
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                AgentName(agents[a]).c_str(),
                Format(Summarise(r.early_regret), "%.1f").c_str(),
                Format(Summarise(r.middle_regret), "%.1f").c_str(),
                Format(Summarise(r.final_regret), "%.1f").c_str(),
                Format(Summarise(per_pull), "%.4f").c_str(),
                Format(Summarise(r.log_a), "%.2f").c_str(),
                Format(Summarise(r.log_b), "%.1f").c_str(),
                Format(Summarise(r.log_r2), "%.3f").c_str(),
                Format(Summarise(r.linear_c), "%.4f").c_str(),
                Format(Summarise(r.linear_r2), "%.3f").c_str(), score.c_str());
  }
  if (!deterministic) {
    std::printf(
        "\n(bsuite's score assumes base regret 0.5, uniform's on its "
        "own bandit; shown in parentheses for other bandits)\n");
  }
  std::printf("\n%.1f s for %d runs\n", seconds,
              FLAGS_seeds * static_cast<int>(agents.size()));
  return 0;
}

}  // namespace
}  // namespace entropic::bandits

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  return entropic::bandits::Main();
}
