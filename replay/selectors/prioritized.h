#ifndef ENTROPIC_REPLAY_SELECTORS_PRIORITIZED_H_
#define ENTROPIC_REPLAY_SELECTORS_PRIORITIZED_H_

#include <cstdint>
#include <vector>

#include "replay/selectors/interface.h"

namespace entropic {

// Proportional prioritized sampling (Schaul et al., 2016): item i is drawn
// with probability p_i^alpha / sum_k p_k^alpha, using a sum tree over a ring
// of slots (key mod slots), so drawing and updating cost O(log items). The
// ring doubles when the live items outgrow it, so memory follows the items
// held, not the capacity.
// New items get the largest priority seen so far, so each is likely to be
// sampled soon after it arrives. The ring starts small and doubles while
// more items are live than it has slots, up to `capacity`: a table's memory
// follows what it holds, not what it may hold.
class PrioritizedSelector final : public ItemSelector {
 public:
  // `capacity`: most items live at once (a bound, not an allocation);
  // `exponent`: alpha >= 0 (0 is uniform).
  PrioritizedSelector(int64_t capacity, double exponent);

  void Insert(int64_t key) override;
  void Delete(int64_t key) override;
  Selection Sample(std::mt19937_64& rng) override;
  absl::Status Update(int64_t key, double priority) override;

  // Sum of p^alpha over live items.
  double total() const { return tree_[1]; }

 private:
  void Set(int64_t key, double value);
  // Doubles the slots, keeping every live item's value.
  void Grow();
  int64_t KeyOfSlot(size_t slot) const;
  size_t Slot(int64_t key) const { return static_cast<size_t>(key) % leaves_; }

  const double exponent_;
  size_t leaves_;             // a power of two >= the live items
  std::vector<double> tree_;  // tree_[1] is the root; leaves at [leaves_, 2 leaves_)
  double max_priority_ = 1.0;
  int64_t first_ = 0;
  int64_t end_ = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_SELECTORS_PRIORITIZED_H_
