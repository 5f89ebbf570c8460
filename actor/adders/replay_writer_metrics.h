#ifndef ENTROPIC_ACTOR_ADDERS_REPLAY_WRITER_METRICS_H_
#define ENTROPIC_ACTOR_ADDERS_REPLAY_WRITER_METRICS_H_

#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace entropic {

// What ReplayWriters count, registered once per registry and shared by the
// writers of a process (they add up). Each metric is thread-safe.
struct ReplayWriterMetrics {
  explicit ReplayWriterMetrics(prometheus::Registry& registry);

  prometheus::Counter& chunks_sent;
  prometheus::Counter& chunks_acknowledged;
  prometheus::Gauge& chunks_unacknowledged;
  // Streams re-established (to replay; the actor's weights stream counts
  // here too).
  prometheus::Counter& reconnects;
};

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_ADDERS_REPLAY_WRITER_METRICS_H_
