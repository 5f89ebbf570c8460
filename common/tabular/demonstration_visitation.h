#ifndef ENTROPIC_COMMON_TABULAR_DEMONSTRATION_VISITATION_H_
#define ENTROPIC_COMMON_TABULAR_DEMONSTRATION_VISITATION_H_

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/demonstrations.h"

namespace entropic::tabular {

// The state of an observation, or -1 if it shows none.
using StateOfObservation = std::function<int(absl::Span<const float>)>;

// The expert's discounted state visitation, as MaxEnt IRL matches it:
//   mu(s) = mean over episodes of sum_{t=0..H} discount^t [s_t = s]
// counting each episode's H + 1 states, its final observation included.
// Every episode must last exactly `horizon` steps. InvalidArgument naming
// the episode for one that does not, or for an observation that shows no
// state.
absl::StatusOr<std::vector<double>> DemonstrationVisitation(
    const Demonstrations& demonstrations, const StateOfObservation& state_of,
    int num_states, int horizon, double discount);

// Total variation between two visitations, each normalised to sum to 1:
// half the L1 distance, in [0, 1].
double VisitationTotalVariation(const std::vector<double>& p,
                                const std::vector<double>& q);

}  // namespace entropic::tabular

#endif  // ENTROPIC_COMMON_TABULAR_DEMONSTRATION_VISITATION_H_
