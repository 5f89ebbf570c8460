#ifndef ENTROPIC_REPLAY_REPLAY_METRICS_H_
#define ENTROPIC_REPLAY_REPLAY_METRICS_H_

#include <memory>
#include <string>
#include <vector>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace entropic {

// Bucket bounds of entropic_replay_policy_lag_versions.
inline const std::vector<double>& PolicyLagBuckets() {
  static const std::vector<double> buckets = {0,  1,  2,   4,   8,   16,
                                              32, 64, 128, 256, 1024};
  return buckets;
}

// The metrics of one table, labelled {job, table}. The pointers are owned by
// the families in ReplayMetrics and stay valid until RemoveTable. Each
// metric is thread-safe.
struct TableMetrics {
  prometheus::Gauge* items = nullptr;  // transitions held
  prometheus::Gauge* chunks = nullptr;
  prometheus::Gauge* bytes = nullptr;  // chunk data held
  prometheus::Counter* inserted_chunks = nullptr;
  prometheus::Counter* inserted_transitions = nullptr;
  prometheus::Counter* duplicate_chunks = nullptr;
  prometheus::Counter* evicted_transitions = nullptr;
  prometheus::Counter* samples = nullptr;  // sample calls answered
  prometheus::Counter* sampled_transitions = nullptr;
  // Sampled but never delivered (the client went away, the response could
  // not be sent): not counted by the rate limiter, and back in a FIFO queue.
  prometheus::Counter* undelivered_transitions = nullptr;
  prometheus::Histogram* insert_latency = nullptr;  // until acknowledged
  prometheus::Histogram* sample_latency = nullptr;
  prometheus::Counter* insert_wait = nullptr;  // seconds held by the limiter
  prometheus::Counter* sample_wait = nullptr;
  // Versions between the newest inserted policy and a sampled item's.
  prometheus::Histogram* policy_lag = nullptr;
  // Tables with visit counts: distinct observation codes counted.
  prometheus::Gauge* visit_codes = nullptr;
};

// Metric families of the replay process, built once and registered in the
// process's registry. Thread-safe.
class ReplayMetrics {
 public:
  explicit ReplayMetrics(prometheus::Registry& registry);

  // Adds the metrics of a new table; RemoveTable drops them.
  std::unique_ptr<TableMetrics> AddTable(const std::string& job_id,
                                         const std::string& table);
  void RemoveTable(const TableMetrics& metrics);

  // Chunks refused as malformed, over all tables.
  prometheus::Counter& refused_chunks() { return *refused_chunks_; }
  // Insert streams currently open.
  prometheus::Gauge& open_insert_streams() { return *open_insert_streams_; }

  // Durability (with --checkpoint_dir).
  prometheus::Gauge& log_segment_bytes() { return *log_segment_bytes_; }
  prometheus::Gauge& snapshot_bytes() { return *snapshot_bytes_; }
  prometheus::Histogram& snapshot_seconds() { return *snapshot_seconds_; }
  prometheus::Gauge& recovery_seconds() { return *recovery_seconds_; }
  prometheus::Gauge& recovered_records() { return *recovered_records_; }
  prometheus::Counter& corrupt_log_tails() { return *corrupt_log_tails_; }

 private:
  prometheus::Family<prometheus::Gauge>& items_;
  prometheus::Family<prometheus::Gauge>& chunks_;
  prometheus::Family<prometheus::Gauge>& bytes_;
  prometheus::Family<prometheus::Histogram>& policy_lag_;
  prometheus::Family<prometheus::Counter>& inserted_chunks_;
  prometheus::Family<prometheus::Counter>& inserted_transitions_;
  prometheus::Family<prometheus::Counter>& duplicate_chunks_;
  prometheus::Family<prometheus::Counter>& evicted_transitions_;
  prometheus::Family<prometheus::Counter>& samples_;
  prometheus::Family<prometheus::Counter>& sampled_transitions_;
  prometheus::Family<prometheus::Counter>& undelivered_transitions_;
  prometheus::Family<prometheus::Histogram>& insert_latency_;
  prometheus::Family<prometheus::Histogram>& sample_latency_;
  prometheus::Family<prometheus::Counter>& rate_limited_;
  prometheus::Family<prometheus::Gauge>& visit_codes_;
  prometheus::Counter* refused_chunks_;
  prometheus::Gauge* open_insert_streams_;
  prometheus::Gauge* log_segment_bytes_;
  prometheus::Gauge* snapshot_bytes_;
  prometheus::Histogram* snapshot_seconds_;
  prometheus::Gauge* recovery_seconds_;
  prometheus::Gauge* recovered_records_;
  prometheus::Counter* corrupt_log_tails_;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_REPLAY_METRICS_H_
