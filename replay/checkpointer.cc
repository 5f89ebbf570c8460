#include "replay/checkpointer.h"

#include <glog/logging.h>

namespace entropic {

Checkpointer::Checkpointer(TableStore* store, ReplayMetrics* metrics)
    : store_(store), metrics_(metrics) {
  thread_ = std::thread([this] { Loop(); });
}

Checkpointer::~Checkpointer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  for (Done& done : requests_) {
    done(absl::CancelledError("replay is shutting down"));
  }
}

void Checkpointer::Request(Done done) {
  absl::MutexLock lock(&mu_);
  requests_.push_back(std::move(done));
}

absl::StatusOr<v1::CheckpointResponse> Checkpointer::SnapshotNow() {
  absl::StatusOr<v1::CheckpointResponse> snapshot = store_->Checkpoint();
  if (snapshot.ok()) {
    metrics_->snapshot_bytes().Set(snapshot->bytes());
    metrics_->snapshot_seconds().Observe(snapshot->seconds());
    LOG(INFO) << "snapshot " << snapshot->path() << ": " << snapshot->tables()
              << " tables, " << snapshot->transitions() << " transitions, "
              << snapshot->bytes() << " bytes in " << snapshot->seconds()
              << " s";
  } else {
    LOG(ERROR) << "snapshot failed: " << snapshot.status();
  }
  return snapshot;
}

void Checkpointer::Loop() {
  while (true) {
    std::deque<Done> requests;
    {
      absl::MutexLock lock(&mu_);
      auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !requests_.empty();
      };
      mu_.AwaitWithTimeout(absl::Condition(&wake), absl::Seconds(1));
      if (stopping_) return;
      requests.swap(requests_);
    }
    metrics_->log_segment_bytes().Set(store_->LogSegmentBytes());
    if (requests.empty() && !store_->SnapshotDue()) continue;
    absl::StatusOr<v1::CheckpointResponse> snapshot = SnapshotNow();
    for (Done& done : requests) done(snapshot);
  }
}

}  // namespace entropic
