#include "actor/adders/replay_writer_metrics.h"

namespace entropic {

ReplayWriterMetrics::ReplayWriterMetrics(prometheus::Registry& registry)
    : chunks_sent(prometheus::BuildCounter()
                      .Name("entropic_actor_chunks_sent_total")
                      .Help("Trajectory chunks written to replay, resends "
                            "included")
                      .Register(registry)
                      .Add({})),
      chunks_acknowledged(prometheus::BuildCounter()
                              .Name("entropic_actor_chunks_acknowledged_total")
                              .Help("Chunks replay acknowledged as stored")
                              .Register(registry)
                              .Add({})),
      chunks_unacknowledged(prometheus::BuildGauge()
                                .Name("entropic_actor_chunks_unacknowledged")
                                .Help("Chunks written but not yet acknowledged")
                                .Register(registry)
                                .Add({})),
      reconnects(prometheus::BuildCounter()
                     .Name("entropic_actor_reconnects_total")
                     .Help("Streams to replay or the learner re-established")
                     .Register(registry)
                     .Add({})) {}

}  // namespace entropic
