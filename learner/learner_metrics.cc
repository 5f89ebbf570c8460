#include "learner/learner_metrics.h"

#include <map>
#include <string>
#include <vector>

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
      jobs_(Register(prometheus::BuildGauge(), registry,
                     "entropic_learner_jobs",
                     "Jobs known to the learner, by state")),
      registry_(registry) {}

std::unique_ptr<JobMetrics> LearnerMetrics::ForJob(const std::string& job_id) {
  const std::map<std::string, std::string> labels = {{"job", job_id}};
  auto metrics = std::make_unique<JobMetrics>();
  metrics->updates = &updates_.Add(labels);
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
  return metrics;
}

std::vector<prometheus::Gauge*> LearnerMetrics::StatisticGauges(
    const std::string& job_id, const std::vector<StatisticSpec>& statistics) {
  absl::MutexLock lock(&mu_);
  std::vector<prometheus::Gauge*> gauges;
  for (const StatisticSpec& statistic : statistics) {
    const std::string name = "entropic_learner_" + statistic.name;
    auto found = statistic_families_.find(name);
    if (found == statistic_families_.end()) {
      // The first algorithm or model to declare a name gives its help.
      found = statistic_families_
                  .emplace(name, &prometheus::BuildGauge()
                                      .Name(name)
                                      .Help(statistic.help)
                                      .Register(registry_))
                  .first;
    }
    gauges.push_back(&found->second->Add({{"job", job_id}}));
  }
  return gauges;
}

prometheus::Gauge& LearnerMetrics::jobs(const std::string& state) {
  return jobs_.Add({{"state", state}});
}

}  // namespace entropic
