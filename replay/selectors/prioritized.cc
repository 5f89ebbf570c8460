#include "replay/selectors/prioritized.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace entropic {

namespace {
// Slots the tree starts with (fewer if the capacity is smaller).
constexpr int64_t kInitialLeaves = 1024;
}  // namespace

PrioritizedSelector::PrioritizedSelector(int64_t capacity, double exponent)
    : exponent_(exponent) {
  // The capacity bounds how far the tree grows; it is not allocated up front
  // (a table may allow 2^34 items and hold a few thousand).
  leaves_ = 1;
  while (static_cast<int64_t>(leaves_) < std::min(capacity, kInitialLeaves)) {
    leaves_ *= 2;
  }
  tree_.assign(2 * leaves_, 0.0);
}

void PrioritizedSelector::Grow() {
  const size_t leaves = 2 * leaves_;
  std::vector<double> tree(2 * leaves, 0.0);
  for (int64_t key = first_; key < end_; ++key) {
    tree[leaves + static_cast<size_t>(key) % leaves] = tree_[leaves_ + Slot(key)];
  }
  for (size_t node = leaves - 1; node >= 1; --node) {
    tree[node] = tree[2 * node] + tree[2 * node + 1];
  }
  leaves_ = leaves;
  tree_ = std::move(tree);
}

void PrioritizedSelector::Set(int64_t key, double value) {
  size_t node = leaves_ + Slot(key);
  // Recompute sums rather than adding deltas, so rounding cannot drift.
  tree_[node] = value;
  for (node /= 2; node >= 1; node /= 2) {
    tree_[node] = tree_[2 * node] + tree_[2 * node + 1];
  }
}

void PrioritizedSelector::Insert(int64_t key) {
  if (key + 1 - first_ > static_cast<int64_t>(leaves_)) Grow();
  end_ = key + 1;
  Set(key, std::pow(max_priority_, exponent_));
}

void PrioritizedSelector::Delete(int64_t key) {
  first_ = key + 1;
  Set(key, 0.0);
}

Selection PrioritizedSelector::Sample(std::mt19937_64& rng) {
  const double total = tree_[1];
  if (total > 0) {
    std::uniform_real_distribution<double> uniform(0.0, total);
    double target = uniform(rng);
    size_t node = 1;
    while (node < leaves_) {
      const size_t left = 2 * node;
      if (target < tree_[left] || tree_[left + 1] <= 0.0) {
        node = left;
      } else {
        target -= tree_[left];
        node = left + 1;
      }
    }
    // Rounding can, very rarely, end on an empty slot; then draw uniformly.
    if (tree_[node] > 0) {
      return {KeyOfSlot(node - leaves_), tree_[node] / total};
    }
  }
  // Every live priority is zero: all items are equally (un)likely.
  std::uniform_int_distribution<int64_t> pick(first_, end_ - 1);
  return {pick(rng), 1.0 / static_cast<double>(end_ - first_)};
}

int64_t PrioritizedSelector::KeyOfSlot(size_t slot) const {
  // Slots of live keys are distinct because at most `leaves_` items live at
  // once, so the live key in `slot` is the one in [first_, first_ + leaves_).
  const int64_t base = first_ - static_cast<int64_t>(Slot(first_));
  int64_t key = base + static_cast<int64_t>(slot);
  if (key < first_) key += static_cast<int64_t>(leaves_);
  return key;
}

absl::Status PrioritizedSelector::Update(int64_t key, double priority) {
  if (!(std::isfinite(priority) && priority >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("priority of item ", key, " must be finite and >= 0, got ",
                     priority));
  }
  if (key < first_ || key >= end_) return absl::OkStatus();  // gone already
  max_priority_ = std::max(max_priority_, priority);
  Set(key, std::pow(priority, exponent_));
  return absl::OkStatus();
}

}  // namespace entropic
