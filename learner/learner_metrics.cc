#include "learner/learner_metrics.h"

namespace entropic {
namespace {

template <typename Builder>
auto& Register(Builder builder, prometheus::Registry& registry,
               const char* name, const char* help) {
  return builder.Name(name).Help(help).Register(registry);
}

}  // namespace

LearnerMetrics::LearnerMetrics(prometheus::Registry& registry)
    : updates_(Register(prometheus::BuildCounter(), registry,
                        "entropic_learner_updates_total",
                        "Gradient updates of the job's models")),
      loss_(Register(prometheus::BuildGauge(), registry,
                     "entropic_learner_loss", "Q loss of the latest update")),
      q_mean_(Register(prometheus::BuildGauge(), registry,
                       "entropic_learner_q_mean",
                       "Mean Q(s, a) of the latest batch")),
      temperature_(Register(prometheus::BuildGauge(), registry,
                            "entropic_learner_temperature",
                            "Policy temperature alpha")),
      policy_entropy_(Register(prometheus::BuildGauge(), registry,
                               "entropic_learner_policy_entropy_nats",
                               "Mean entropy of the Boltzmann policy on the "
                               "latest batch")),
      published_version_(
          Register(prometheus::BuildGauge(), registry,
                   "entropic_learner_published_version",
                   "Newest weights version published to actors")),
      eval_return_(Register(prometheus::BuildGauge(), registry,
                            "entropic_learner_eval_return",
                            "Mean return of the latest evaluation")),
      policy_lag_(Register(prometheus::BuildHistogram(), registry,
                           "entropic_learner_policy_lag_versions",
                           "Versions between the weights that produced a "
                           "sampled transition and the newest published")),
      update_seconds_(Register(prometheus::BuildHistogram(), registry,
                               "entropic_learner_update_seconds",
                               "Time of one gradient update")),
      sample_wait_(Register(prometheus::BuildCounter(), registry,
                            "entropic_learner_sample_wait_seconds_total",
                            "Time the update loop waited for batches")),
      env_steps_(Register(prometheus::BuildCounter(), registry,
                          "entropic_learner_env_steps_total",
                          "Environment steps reported by the job's actors")),
      episodes_(Register(prometheus::BuildCounter(), registry,
                         "entropic_learner_episodes_total",
                         "Episodes reported by the job's actors")),
      imitation_loss_(Register(prometheus::BuildGauge(), registry,
                               "entropic_learner_imitation_loss",
                               "Supervised loss on the demonstration samples "
                               "of the latest batch")),
      expert_agreement_(Register(prometheus::BuildGauge(), registry,
                                 "entropic_learner_expert_action_agreement",
                                 "Share of the latest batch's demonstration "
                                 "samples where argmax Q is the expert's "
                                 "action")),
      discriminator_loss_(Register(prometheus::BuildGauge(), registry,
                                   "entropic_learner_discriminator_loss",
                                   "Logistic loss of the discriminator on "
                                   "the latest batch")),
      discriminator_accuracy_(
          Register(prometheus::BuildGauge(), registry,
                   "entropic_learner_discriminator_accuracy",
                   "Share of the latest batch the discriminator classified "
                   "right (demonstration or agent)")),
      learned_reward_mean_(Register(prometheus::BuildGauge(), registry,
                                    "entropic_learner_learned_reward_mean",
                                    "Mean learned reward of the latest batch")),
      learned_reward_std_(Register(
          prometheus::BuildGauge(), registry,
          "entropic_learner_learned_reward_std",
          "Standard deviation of the learned reward of the latest batch")),
      jobs_(Register(prometheus::BuildGauge(), registry,
                     "entropic_learner_jobs",
                     "Jobs known to the learner, by state")) {}

std::unique_ptr<JobMetrics> LearnerMetrics::ForJob(const std::string& job_id) {
  const std::map<std::string, std::string> labels = {{"job", job_id}};
  auto metrics = std::make_unique<JobMetrics>();
  metrics->updates = &updates_.Add(labels);
  metrics->loss = &loss_.Add(labels);
  metrics->q_mean = &q_mean_.Add(labels);
  metrics->temperature = &temperature_.Add(labels);
  metrics->policy_entropy = &policy_entropy_.Add(labels);
  metrics->published_version = &published_version_.Add(labels);
  metrics->eval_return = &eval_return_.Add(labels);
  metrics->policy_lag =
      &policy_lag_.Add(labels, prometheus::Histogram::BucketBoundaries{
                                   0, 1, 2, 4, 8, 16, 32, 64, 128, 256});
  metrics->update_seconds = &update_seconds_.Add(
      labels,
      prometheus::Histogram::BucketBoundaries{1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
                                              5e-3, 1e-2, 2.5e-2, 0.1, 1});
  metrics->sample_wait = &sample_wait_.Add(labels);
  metrics->env_steps = &env_steps_.Add(labels);
  metrics->episodes = &episodes_.Add(labels);
  metrics->imitation_loss = &imitation_loss_.Add(labels);
  metrics->expert_agreement = &expert_agreement_.Add(labels);
  metrics->discriminator_loss = &discriminator_loss_.Add(labels);
  metrics->discriminator_accuracy = &discriminator_accuracy_.Add(labels);
  metrics->learned_reward_mean = &learned_reward_mean_.Add(labels);
  metrics->learned_reward_std = &learned_reward_std_.Add(labels);
  return metrics;
}

prometheus::Gauge& LearnerMetrics::jobs(const std::string& state) {
  return jobs_.Add({{"state", state}});
}

}  // namespace entropic
