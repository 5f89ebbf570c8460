#ifndef ENTROPIC_LEARNER_LEARNER_METRICS_H_
#define ENTROPIC_LEARNER_LEARNER_METRICS_H_

#include <memory>
#include <string>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace entropic {

// The metrics of one job, labelled {job}. Owned by the families of
// LearnerMetrics; each metric is thread-safe.
struct JobMetrics {
  prometheus::Counter* updates = nullptr;
  prometheus::Gauge* loss = nullptr;
  prometheus::Gauge* q_mean = nullptr;
  prometheus::Gauge* temperature = nullptr;
  prometheus::Gauge* policy_entropy = nullptr;
  prometheus::Gauge* published_version = nullptr;
  prometheus::Gauge* eval_return = nullptr;
  prometheus::Histogram* policy_lag = nullptr;  // versions behind, per sample
  prometheus::Histogram* update_seconds = nullptr;
  prometheus::Counter* sample_wait = nullptr;  // seconds waiting on replay
  prometheus::Counter* env_steps = nullptr;
  prometheus::Counter* episodes = nullptr;
  // Learning from demonstrations: the supervised term on the demonstration
  // samples, and how often argmax Q picks the expert's action there.
  prometheus::Gauge* imitation_loss = nullptr;
  prometheus::Gauge* expert_agreement = nullptr;
  // Adversarial IRL: the discriminator's loss and accuracy on the latest
  // batch, and the statistics of the reward it handed the policy.
  prometheus::Gauge* discriminator_loss = nullptr;
  prometheus::Gauge* discriminator_accuracy = nullptr;
  prometheus::Gauge* learned_reward_mean = nullptr;
  prometheus::Gauge* learned_reward_std = nullptr;
};

// Metric families of the learner process, built once in main. Thread-safe.
class LearnerMetrics {
 public:
  explicit LearnerMetrics(prometheus::Registry& registry);

  // The metrics of a job; the same job id gets the same metrics.
  std::unique_ptr<JobMetrics> ForJob(const std::string& job_id);

  // Jobs by state ("pending", "running", ...).
  prometheus::Gauge& jobs(const std::string& state);

 private:
  prometheus::Family<prometheus::Counter>& updates_;
  prometheus::Family<prometheus::Gauge>& loss_;
  prometheus::Family<prometheus::Gauge>& q_mean_;
  prometheus::Family<prometheus::Gauge>& temperature_;
  prometheus::Family<prometheus::Gauge>& policy_entropy_;
  prometheus::Family<prometheus::Gauge>& published_version_;
  prometheus::Family<prometheus::Gauge>& eval_return_;
  prometheus::Family<prometheus::Histogram>& policy_lag_;
  prometheus::Family<prometheus::Histogram>& update_seconds_;
  prometheus::Family<prometheus::Counter>& sample_wait_;
  prometheus::Family<prometheus::Counter>& env_steps_;
  prometheus::Family<prometheus::Counter>& episodes_;
  prometheus::Family<prometheus::Gauge>& imitation_loss_;
  prometheus::Family<prometheus::Gauge>& expert_agreement_;
  prometheus::Family<prometheus::Gauge>& discriminator_loss_;
  prometheus::Family<prometheus::Gauge>& discriminator_accuracy_;
  prometheus::Family<prometheus::Gauge>& learned_reward_mean_;
  prometheus::Family<prometheus::Gauge>& learned_reward_std_;
  prometheus::Family<prometheus::Gauge>& jobs_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_LEARNER_METRICS_H_
