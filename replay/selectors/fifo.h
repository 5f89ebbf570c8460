#ifndef ENTROPIC_REPLAY_SELECTORS_FIFO_H_
#define ENTROPIC_REPLAY_SELECTORS_FIFO_H_

#include "replay/selectors/interface.h"

namespace entropic {

// The oldest item, which then leaves the table: each item is sampled once,
// in insertion order, for consumers that want fresh on-policy data.
class FifoSelector final : public ItemSelector {
 public:
  void Insert(int64_t key) override {}
  void Delete(int64_t key) override { first_ = key + 1; }
  Selection Sample(std::mt19937_64& rng) override { return {first_, 1.0}; }
  bool ConsumesSamples() const override { return true; }

 private:
  int64_t first_ = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_SELECTORS_FIFO_H_
