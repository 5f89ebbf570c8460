#include "replay/replay_metrics.h"

namespace entropic {
namespace {

// Latency buckets from 50us to 10s.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {5e-5,   1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2,
          2.5e-2, 5e-2, 0.1,    0.25, 0.5,  1,      2.5,  10};
}

}  // namespace

ReplayMetrics::ReplayMetrics(prometheus::Registry& registry)
    : items_(prometheus::BuildGauge()
                 .Name("entropic_replay_items")
                 .Help("Transitions held by the table")
                 .Register(registry)),
      chunks_(prometheus::BuildGauge()
                  .Name("entropic_replay_chunks")
                  .Help("Trajectory chunks held by the table")
                  .Register(registry)),
      bytes_(prometheus::BuildGauge()
                 .Name("entropic_replay_bytes")
                 .Help("Bytes of chunk data held by the table")
                 .Register(registry)),
      policy_lag_(prometheus::BuildHistogram()
                      .Name("entropic_replay_policy_lag_versions")
                      .Help("Versions between the newest policy inserted and "
                            "the policy of each sampled item")
                      .Register(registry)),
      inserted_chunks_(prometheus::BuildCounter()
                           .Name("entropic_replay_inserted_chunks_total")
                           .Help("Chunks stored and acknowledged")
                           .Register(registry)),
      inserted_transitions_(
          prometheus::BuildCounter()
              .Name("entropic_replay_inserted_transitions_total")
              .Help("Transitions stored")
              .Register(registry)),
      duplicate_chunks_(prometheus::BuildCounter()
                            .Name("entropic_replay_duplicate_chunks_total")
                            .Help("Resent chunks acknowledged without storing "
                                  "them again")
                            .Register(registry)),
      evicted_transitions_(
          prometheus::BuildCounter()
              .Name("entropic_replay_evicted_transitions_total")
              .Help("Transitions evicted (FIFO) at capacity")
              .Register(registry)),
      samples_(prometheus::BuildCounter()
                   .Name("entropic_replay_samples_total")
                   .Help("Sample requests answered")
                   .Register(registry)),
      sampled_transitions_(
          prometheus::BuildCounter()
              .Name("entropic_replay_sampled_transitions_total")
              .Help("Transitions returned by samples")
              .Register(registry)),
      undelivered_transitions_(
          prometheus::BuildCounter()
              .Name("entropic_replay_undelivered_transitions_total")
              .Help("Sampled transitions whose response was never delivered")
              .Register(registry)),
      insert_latency_(prometheus::BuildHistogram()
                          .Name("entropic_replay_insert_latency_seconds")
                          .Help("From receiving a chunk to acknowledging it")
                          .Register(registry)),
      sample_latency_(prometheus::BuildHistogram()
                          .Name("entropic_replay_sample_latency_seconds")
                          .Help("From receiving a sample request to answering")
                          .Register(registry)),
      rate_limited_(prometheus::BuildCounter()
                        .Name("entropic_replay_rate_limited_seconds_total")
                        .Help("Time inserts and samples waited on the rate "
                              "limiter")
                        .Register(registry)),
      visit_codes_(prometheus::BuildGauge()
                       .Name("entropic_replay_visit_codes")
                       .Help("Distinct hashed observations the table has "
                             "counted (TableConfig.visit_counts)")
                       .Register(registry)),
      refused_chunks_(&prometheus::BuildCounter()
                           .Name("entropic_replay_refused_chunks_total")
                           .Help("Malformed chunks refused with "
                                 "INVALID_ARGUMENT")
                           .Register(registry)
                           .Add({})),
      open_insert_streams_(&prometheus::BuildGauge()
                                .Name("entropic_replay_insert_streams")
                                .Help("Insert streams open now")
                                .Register(registry)
                                .Add({})),
      log_segment_bytes_(&prometheus::BuildGauge()
                              .Name("entropic_replay_log_segment_bytes")
                              .Help("Bytes in the write-ahead log segment "
                                    "since the last snapshot")
                              .Register(registry)
                              .Add({})),
      snapshot_bytes_(&prometheus::BuildGauge()
                           .Name("entropic_replay_snapshot_bytes")
                           .Help("Size of the latest snapshot")
                           .Register(registry)
                           .Add({})),
      snapshot_seconds_(&prometheus::BuildHistogram()
                             .Name("entropic_replay_snapshot_seconds")
                             .Help("Time to write a snapshot")
                             .Register(registry)
                             .Add({},
                                  prometheus::Histogram::BucketBoundaries{
                                      0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300})),
      recovery_seconds_(&prometheus::BuildGauge()
                             .Name("entropic_replay_recovery_seconds")
                             .Help("Time the last start spent restoring "
                                   "durable tables")
                             .Register(registry)
                             .Add({})),
      recovered_records_(&prometheus::BuildGauge()
                              .Name("entropic_replay_recovered_records")
                              .Help("Log and snapshot records replayed at "
                                    "the last start")
                              .Register(registry)
                              .Add({})),
      corrupt_log_tails_(&prometheus::BuildCounter()
                              .Name("entropic_replay_corrupt_log_tails_total")
                              .Help("Log files whose torn or corrupt tail was "
                                    "skipped at recovery")
                              .Register(registry)
                              .Add({})) {}

std::unique_ptr<TableMetrics> ReplayMetrics::AddTable(
    const std::string& job_id, const std::string& table) {
  const std::map<std::string, std::string> labels = {{"job", job_id},
                                                     {"table", table}};
  auto metrics = std::make_unique<TableMetrics>();
  metrics->items = &items_.Add(labels);
  metrics->chunks = &chunks_.Add(labels);
  metrics->bytes = &bytes_.Add(labels);
  metrics->policy_lag = &policy_lag_.Add(labels, PolicyLagBuckets());
  metrics->inserted_chunks = &inserted_chunks_.Add(labels);
  metrics->inserted_transitions = &inserted_transitions_.Add(labels);
  metrics->duplicate_chunks = &duplicate_chunks_.Add(labels);
  metrics->evicted_transitions = &evicted_transitions_.Add(labels);
  metrics->samples = &samples_.Add(labels);
  metrics->sampled_transitions = &sampled_transitions_.Add(labels);
  metrics->undelivered_transitions = &undelivered_transitions_.Add(labels);
  metrics->insert_latency = &insert_latency_.Add(labels, LatencyBuckets());
  metrics->sample_latency = &sample_latency_.Add(labels, LatencyBuckets());
  auto with_op = [&](const char* op) {
    std::map<std::string, std::string> op_labels = labels;
    op_labels["op"] = op;
    return &rate_limited_.Add(op_labels);
  };
  metrics->visit_codes = &visit_codes_.Add(labels);
  metrics->insert_wait = with_op("insert");
  metrics->sample_wait = with_op("sample");
  return metrics;
}

void ReplayMetrics::RemoveTable(const TableMetrics& metrics) {
  items_.Remove(metrics.items);
  chunks_.Remove(metrics.chunks);
  bytes_.Remove(metrics.bytes);
  policy_lag_.Remove(metrics.policy_lag);
  inserted_chunks_.Remove(metrics.inserted_chunks);
  inserted_transitions_.Remove(metrics.inserted_transitions);
  duplicate_chunks_.Remove(metrics.duplicate_chunks);
  evicted_transitions_.Remove(metrics.evicted_transitions);
  samples_.Remove(metrics.samples);
  sampled_transitions_.Remove(metrics.sampled_transitions);
  undelivered_transitions_.Remove(metrics.undelivered_transitions);
  insert_latency_.Remove(metrics.insert_latency);
  sample_latency_.Remove(metrics.sample_latency);
  rate_limited_.Remove(metrics.insert_wait);
  rate_limited_.Remove(metrics.sample_wait);
  visit_codes_.Remove(metrics.visit_codes);
}

}  // namespace entropic
