#ifndef ENTROPIC_ACTOR_ADDERS_STEP_COLUMNS_H_
#define ENTROPIC_ACTOR_ADDERS_STEP_COLUMNS_H_

#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "actor/adders/chunk_builder.h"
#include "entropic/v1/policy.pb.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace entropic {

// The extra per-step columns an actor fills, as its assignment names them
// (WorkAssignment.columns), and what goes in them at each step:
//   behaviour_log_prob: the acting policy's log-probability of the action;
//   bootstrap_mask: K Bernoulli(mask_probability) draws, 1 or 0, with K and
//     the probability from the assignment's bootstrapped_q policy.
// Immutable once created; Fill is called by the acting thread.
class StepColumns {
 public:
  // InvalidArgument naming assignment.columns[i] for a column the actor
  // cannot fill (an unknown name, or a bootstrap mask without a
  // bootstrapped_q policy).
  static absl::StatusOr<StepColumns> Create(
      const google::protobuf::RepeatedPtrField<std::string>& columns,
      const v1::PolicySpec& policy);

  // The columns in the order chunks carry them (ChunkLayout.extra_columns).
  const std::vector<ExtraColumnLayout>& layout() const { return layout_; }

  // One step's values of every column, concatenated in layout order into
  // `values` (replacing what it held), as ChunkBuilder::Append takes them.
  void Fill(float behaviour_log_prob, std::mt19937_64& rng,
            std::vector<float>& values) const;

 private:
  enum class Kind { kBehaviourLogProb, kBootstrapMask };

  std::vector<ExtraColumnLayout> layout_;
  std::vector<Kind> kinds_;
  double mask_probability_ = 1.0;
};

}  // namespace entropic

#endif  // ENTROPIC_ACTOR_ADDERS_STEP_COLUMNS_H_
