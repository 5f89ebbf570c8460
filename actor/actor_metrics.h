#ifndef ENTROPIC_ACTOR_ACTOR_METRICS_H_
#define ENTROPIC_ACTOR_ACTOR_METRICS_H_

#include "actor/adders/replay_writer_metrics.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace entropic {

// Metrics of the actors of one process, built once in main and shared by its
// actors (they add up). Each metric is thread-safe.
struct ActorMetrics {
  explicit ActorMetrics(prometheus::Registry& registry);

  // The replay writers' counters (chunks, reconnects).
  ReplayWriterMetrics writer;

  prometheus::Counter& env_steps;
  prometheus::Counter& episodes;
  prometheus::Histogram& episode_return;
  prometheus::Gauge& last_episode_return;
  prometheus::Gauge& policy_version;
  prometheus::Counter& weight_updates;
  prometheus::Gauge& assignments;  // actors working on a job now
};

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_ACTOR_METRICS_H_
