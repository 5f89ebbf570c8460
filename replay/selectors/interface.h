#ifndef ENTROPIC_REPLAY_SELECTORS_INTERFACE_H_
#define ENTROPIC_REPLAY_SELECTORS_INTERFACE_H_

#include <cstdint>
#include <random>

#include "absl/status/status.h"

namespace entropic {

// An item drawn by a selector.
struct Selection {
  int64_t key = 0;
  // Probability with which this item was drawn.
  double probability = 0;
};

// Chooses which items of a table a sample returns. A table's live items
// always have the consecutive keys [first, end): new items are appended at
// `end`, and items leave from `first` (eviction, or consumption by a FIFO
// selector).
//
// Not thread-safe: the owning Table calls it under its mutex.
class ItemSelector {
 public:
  virtual ~ItemSelector() = default;

  // Item `key` (== the previous end) joins.
  virtual void Insert(int64_t key) = 0;
  // Item `key` (== the current first) leaves.
  virtual void Delete(int64_t key) = 0;
  // Draws an item; at least one must be live.
  virtual Selection Sample(std::mt19937_64& rng) = 0;
  // Sets an item's priority. InvalidArgument for a negative or non-finite
  // priority; Unimplemented for selectors without priorities.
  virtual absl::Status Update(int64_t key, double priority) {
    return absl::UnimplementedError("this table's sampler has no priorities");
  }
  // True when a sampled item leaves the table (each item sampled once).
  virtual bool ConsumesSamples() const { return false; }
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_SELECTORS_INTERFACE_H_
