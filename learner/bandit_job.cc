#include "learner/bandit_job.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/bandits/bandit_run.h"
#include "common/bandits/factory.h"
#include "common/bandits/regret_analysis.h"
#include "common/env/bandit.h"
#include "common/env/registry.h"
#include "common/status_macros.h"
#include "glog/logging.h"
#include "learner/curves.h"
#include "learner/statistics.h"

namespace entropic {
namespace {

// Curve rows (and progress reports) over a whole run.
constexpr int64_t kCurveRows = 1000;
// Pulls whose rewards make the progress's mean episode return.
constexpr size_t kReturnWindow = 100;

std::vector<StatisticSpec> BanditStatistics() {
  return {
      {"regret",
       "Cumulative pseudo-regret of the bandit agent: sum over pulls of the "
       "best arm's mean minus the pulled arm's"},
      {"regret_per_pull", "Cumulative regret divided by the pulls so far"},
      {"best_arm_fraction", "Fraction of the pulls that pulled the best arm"},
      {"mean_reward", "Mean reward a pull so far"},
  };
}

// The pulls the job makes: algorithm.bandit.pulls, or fewer if a stop
// condition counting pulls comes first.
int64_t PullsToMake(const v1::JobSpec& spec) {
  int64_t pulls = spec.algorithm().bandit().pulls();
  if (spec.stop().env_steps() > 0) {
    pulls = std::min(pulls, spec.stop().env_steps());
  }
  if (spec.stop().updates() > 0) pulls = std::min(pulls, spec.stop().updates());
  return pulls;
}

absl::StatusOr<TrainingOutcome> Run(LiveJob& job, LearnerMetrics& metrics) {
  const v1::JobSpec& spec = job.spec();
  const v1::BanditSpec& bandit_spec = spec.algorithm().bandit();
  const std::string output_dir = job.Snapshot().output_dir();
  ASSIGN_OR_RETURN(std::unique_ptr<Environment> env,
                   MakeEnvironment(spec.env()));
  auto* bandit = dynamic_cast<Bandit*>(env.get());
  if (bandit == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "algorithm.bandit: ", spec.env().id(), " is not a bandit"));
  }
  std::unique_ptr<bandits::BanditAgent> agent =
      bandits::MakeBanditAgent(bandit_spec, bandit->num_arms(), spec.seed());
  const std::string agent_name = bandits::AgentName(bandit_spec.agent());

  const std::vector<StatisticSpec> statistics = BanditStatistics();
  std::vector<prometheus::Gauge*> gauges =
      metrics.StatisticGauges(job.id(), statistics);
  std::unique_ptr<JobMetrics> job_metrics = metrics.ForJob(job.id());
  // A restarted job starts over: its curves are this run's alone.
  std::error_code ignored;
  std::filesystem::remove(output_dir + "/training.csv", ignored);
  std::filesystem::remove(output_dir + "/evaluations.csv", ignored);
  Curves curves(output_dir, statistics);

  const int64_t total = PullsToMake(spec);
  const int64_t row_every = std::max<int64_t>(1, total / kCurveRows);
  const absl::Time start = absl::Now();
  const absl::Duration wall_limit =
      spec.stop().has_wall_time()
          ? absl::Seconds(spec.stop().wall_time().seconds()) +
                absl::Nanoseconds(spec.stop().wall_time().nanos())
          : absl::InfiniteDuration();
  bandits::BanditRun run(*bandit, *agent, spec.seed());
  std::vector<double> recent_rewards(kReturnWindow, 0.0);
  double recent_sum = 0;
  int64_t reported = 0;
  TrainingOutcome outcome{v1::SUCCEEDED, ""};
  std::string stop_reason;
  while (run.pulls() < total) {
    run.Pull();
    const size_t slot = (run.pulls() - 1) % kReturnWindow;
    recent_sum += run.last_reward() - recent_rewards[slot];
    recent_rewards[slot] = run.last_reward();
    if (run.pulls() % row_every != 0 && run.pulls() != total) continue;

    const int64_t pulls = run.pulls();
    const Statistics values = {
        {"regret", run.regret()},
        {"regret_per_pull", run.regret() / pulls},
        {"best_arm_fraction",
         static_cast<double>(run.arm_pulls()[bandit->best_arm()]) / pulls},
        {"mean_reward", run.total_reward() / pulls},
    };
    for (size_t i = 0; i < statistics.size(); ++i) {
      gauges[i]->Set(values.at(statistics[i].name));
    }
    const double mean_return =
        recent_sum / std::min<int64_t>(pulls, kReturnWindow);
    job.RecordLearnerSteps(pulls - reported, pulls - reported, mean_return);
    TrainingStats stats;
    stats.updates = pulls;
    job.RecordTraining(stats);
    job_metrics->updates->Increment(pulls - reported);
    job_metrics->env_steps->Increment(pulls - reported);
    job_metrics->episodes->Increment(pulls - reported);
    reported = pulls;
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    v1::JobProgress progress;
    progress.set_updates(pulls);
    progress.set_env_steps(pulls);
    progress.set_episodes(pulls);
    progress.set_mean_episode_return(mean_return);
    curves.Training(seconds, progress, values);

    if (job.cancel_requested()) {
      outcome = {v1::CANCELLED, "cancelled"};
      break;
    }
    if (absl::Now() - start >= wall_limit) {
      stop_reason = "the wall time ran out; ";
      break;
    }
  }
  if (outcome.state == v1::CANCELLED) return outcome;

  // The greedy arm's reward is known exactly: the bandit's arm means.
  const int greedy = agent->GreedyArm();
  const double greedy_mean = bandit->arm_means()[greedy];
  v1::EvalResult eval;
  eval.set_updates(run.pulls());
  eval.set_env_steps(run.pulls());
  eval.set_mean_return(greedy_mean);
  eval.set_min_return(greedy_mean);
  eval.set_max_return(greedy_mean);
  job.RecordEvaluation(eval);
  curves.Evaluation(absl::ToDoubleSeconds(absl::Now() - start), eval);
  job_metrics->eval_return->Set(greedy_mean);

  const double per_pull = run.regret() / std::max<int64_t>(1, run.pulls());
  std::string score;
  if (spec.env().id() == kDeterministicBanditId) {
    // bsuite's base regret 0.5 is what uniform pulls lose on this bandit.
    score = absl::StrFormat(", bsuite score %.3f",
                            bandits::BsuiteBanditScore(per_pull));
  }
  outcome.message = absl::StrFormat(
      "%s%s made %d pulls: regret %.1f (%.4f a pull%s), the best arm "
      "pulled %.1f%% of the time; greedy arm %d, expected reward %.3f "
      "(best arm %d: %.3f)",
      stop_reason, agent_name, run.pulls(), run.regret(), per_pull, score,
      100.0 * run.arm_pulls()[bandit->best_arm()] /
          std::max<int64_t>(1, run.pulls()),
      greedy, greedy_mean, bandit->best_arm(), bandit->best_mean());
  LOG(INFO) << "job " << job.id() << ": " << outcome.message;
  return outcome;
}

}  // namespace

TrainingOutcome RunBanditJob(LiveJob& job, LearnerMetrics& metrics) {
  absl::StatusOr<TrainingOutcome> outcome = Run(job, metrics);
  if (!outcome.ok()) {
    return {v1::FAILED, std::string(outcome.status().message())};
  }
  return *outcome;
}

}  // namespace entropic
