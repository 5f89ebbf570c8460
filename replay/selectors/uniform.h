#ifndef ENTROPIC_REPLAY_SELECTORS_UNIFORM_H_
#define ENTROPIC_REPLAY_SELECTORS_UNIFORM_H_

#include "replay/selectors/interface.h"

namespace entropic {

// Every live item equally likely.
class UniformSelector final : public ItemSelector {
 public:
  void Insert(int64_t key) override { end_ = key + 1; }
  void Delete(int64_t key) override { first_ = key + 1; }
  Selection Sample(std::mt19937_64& rng) override {
    std::uniform_int_distribution<int64_t> pick(first_, end_ - 1);
    return {pick(rng), 1.0 / static_cast<double>(end_ - first_)};
  }

 private:
  int64_t first_ = 0;
  int64_t end_ = 0;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_SELECTORS_UNIFORM_H_
