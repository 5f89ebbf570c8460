#ifndef ENTROPIC_LEARNER_LEARNER_METRICS_H_
#define ENTROPIC_LEARNER_LEARNER_METRICS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "learner/statistics.h"

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace entropic {

// The job driver's metrics of one job, labelled {job}. The algorithm's and
// reward models' statistics have gauges of their own
// (LearnerMetrics::StatisticGauges). Owned by the families of
// LearnerMetrics; each metric is thread-safe.
struct JobMetrics {
  prometheus::Counter* updates = nullptr;
  prometheus::Gauge* published_version = nullptr;
  prometheus::Gauge* eval_return = nullptr;
  prometheus::Histogram* policy_lag = nullptr;  // versions behind, per sample
  prometheus::Histogram* update_seconds = nullptr;
  prometheus::Counter* sample_wait = nullptr;  // seconds waiting on replay
  prometheus::Counter* env_steps = nullptr;
  prometheus::Counter* episodes = nullptr;
};

// Metric families of the learner process, built once in main. Thread-safe.
class LearnerMetrics {
 public:
  explicit LearnerMetrics(prometheus::Registry& registry);

  // The metrics of a job; the same job id gets the same metrics.
  std::unique_ptr<JobMetrics> ForJob(const std::string& job_id);

  // One gauge entropic_learner_<name>{job} per statistic, in order; a
  // family is registered the first time any job declares its name.
  std::vector<prometheus::Gauge*> StatisticGauges(
      const std::string& job_id, const std::vector<StatisticSpec>& statistics);

  // Jobs by state ("pending", "running", ...).
  prometheus::Gauge& jobs(const std::string& state);

 private:
  prometheus::Family<prometheus::Counter>& updates_;
  prometheus::Family<prometheus::Gauge>& published_version_;
  prometheus::Family<prometheus::Gauge>& eval_return_;
  prometheus::Family<prometheus::Histogram>& policy_lag_;
  prometheus::Family<prometheus::Histogram>& update_seconds_;
  prometheus::Family<prometheus::Counter>& sample_wait_;
  prometheus::Family<prometheus::Counter>& env_steps_;
  prometheus::Family<prometheus::Counter>& episodes_;
  prometheus::Family<prometheus::Gauge>& jobs_;
  prometheus::Registry& registry_;
  absl::Mutex mu_;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*>
      statistic_families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_LEARNER_METRICS_H_
