#include "learner/maxent_irl_job.h"

#include <fstream>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/demonstrations.h"
#include "common/env/registry.h"
#include "common/env/tabular_model.h"
#include "common/status_macros.h"
#include "common/tabular/demonstration_visitation.h"
#include "common/tabular/maxent_irl.h"
#include "common/tabular/soft_value_iteration.h"
#include "common/tensor.h"
#include "glog/logging.h"

namespace entropic {
namespace {

// What the recovered reward achieves.
struct IrlEvaluation {
  double total_variation = 0;  // learned policy's visitation vs expert's
  double learned_return = 0;   // expected env return of the learned policy
  double expert_return = 0;    // mean return in the demonstrations
};

double MeanDemonstrationReturn(const Demonstrations& demonstrations) {
  double total = 0;
  for (const v1::TrajectoryChunk& chunk : demonstrations.chunks) {
    for (const float reward : TensorValues<float>(chunk.rewards())) {
      total += reward;
    }
  }
  return demonstrations.episodes > 0 ? total / demonstrations.episodes : 0;
}

absl::Status WriteCsv(const std::string& path, const std::string& header,
                      const std::vector<std::vector<double>>& columns) {
  std::ofstream out(path);
  out << header << "\n";
  for (size_t row = 0; row < columns[0].size(); ++row) {
    out << row;
    for (const std::vector<double>& column : columns) {
      out << absl::StrFormat(",%.9g", column[row]);
    }
    out << "\n";
  }
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<TrainingOutcome> Run(LiveJob& job, JobMetrics& metrics) {
  const v1::JobSpec& spec = job.spec();
  const v1::MaxEntIrlSpec& irl = spec.algorithm().maxent_irl();
  const std::string output_dir = job.Snapshot().output_dir();
  ASSIGN_OR_RETURN(std::unique_ptr<Environment> env,
                   MakeEnvironment(spec.env()));
  const TabularModel* model = TabularModelOf(*env);
  if (model == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "algorithm.maxent_irl: ", spec.env().id(), " has no known dynamics"));
  }
  const tabular::Mdp& mdp = model->mdp();
  const int horizon = env->info().max_episode_steps;

  const std::string& path = spec.replay().demonstrations().path();
  DemonstrationChunking chunking;
  chunking.job_id = job.id();
  ASSIGN_OR_RETURN(Demonstrations demonstrations,
                   LoadJobDemonstrations(path, chunking));
  ASSIGN_OR_RETURN(
      const std::vector<double> expert,
      tabular::DemonstrationVisitation(
          demonstrations,
          [model](absl::Span<const float> o) { return model->StateOf(o); },
          mdp.num_states, horizon, irl.discount()));
  LOG(INFO) << "job " << job.id() << ": MaxEnt IRL on "
            << demonstrations.episodes << " demonstrated episodes";

  tabular::MaxEntIrlOptions options;
  options.horizon = horizon;
  options.discount = irl.discount();
  options.temperature = irl.temperature();
  options.max_iterations = irl.max_iterations();
  options.tolerance = irl.tolerance();
  options.l2_penalty = irl.l2_penalty();
  ASSIGN_OR_RETURN(const tabular::MaxEntIrlResult result,
                   tabular::MaxEntIrl(mdp, expert, options));

  // The soft-optimal policy of the learned reward, judged by the
  // environment's reward.
  tabular::Mdp learned = mdp;
  learned.reward =
      tabular::SpreadStateReward(result.state_reward, mdp.num_actions);
  ASSIGN_OR_RETURN(const tabular::FiniteHorizonSolution policy,
                   tabular::SoftValueIterationFiniteHorizon(
                       learned, horizon, irl.discount(), irl.temperature(),
                       result.state_reward));
  IrlEvaluation evaluation;
  evaluation.total_variation =
      tabular::VisitationTotalVariation(result.visitation, expert);
  evaluation.learned_return = tabular::ExpectedReturn(
      policy, tabular::StateOccupancies(learned, policy), mdp.reward);
  evaluation.expert_return = MeanDemonstrationReturn(demonstrations);

  std::vector<double> true_state_reward(mdp.num_states);
  for (int s = 0; s < mdp.num_states; ++s) true_state_reward[s] = mdp.R(s, 0);
  RETURN_IF_ERROR(WriteCsv(output_dir + "/reward.csv",
                           "state,learned_reward,environment_reward",
                           {result.state_reward, true_state_reward}));
  RETURN_IF_ERROR(WriteCsv(output_dir + "/visitation.csv",
                           "state,expert,learned_policy",
                           {expert, result.visitation}));

  metrics.updates->Increment(result.iterations);
  metrics.eval_return->Set(evaluation.learned_return);
  TrainingStats stats;
  stats.updates = result.iterations;
  // The gradient's size: how far the visitations still differ.
  stats.loss = result.largest_gap;
  stats.temperature = irl.temperature();
  job.RecordTraining(stats);
  v1::EvalResult eval;
  eval.set_updates(result.iterations);
  eval.set_mean_return(evaluation.learned_return);
  eval.set_min_return(evaluation.learned_return);
  eval.set_max_return(evaluation.learned_return);
  job.RecordEvaluation(eval);

  const std::string summary = absl::StrFormat(
      "MaxEnt IRL %s after %d iterations: the learned reward's soft-optimal "
      "policy visits states within total variation %.4f of the expert's "
      "%d episodes; its expected return %.3f (demonstrations: %.3f)",
      result.converged ? "converged" : "stopped", result.iterations,
      evaluation.total_variation, demonstrations.episodes,
      evaluation.learned_return, evaluation.expert_return);
  LOG(INFO) << "job " << job.id() << ": " << summary;
  return TrainingOutcome{v1::SUCCEEDED, summary};
}

}  // namespace

TrainingOutcome RunMaxEntIrlJob(LiveJob& job, JobMetrics& metrics) {
  absl::StatusOr<TrainingOutcome> outcome = Run(job, metrics);
  if (!outcome.ok()) {
    return {v1::FAILED, std::string(outcome.status().message())};
  }
  return *outcome;
}

}  // namespace entropic
