#ifndef ENTROPIC_LEARNER_STATISTICS_H_
#define ENTROPIC_LEARNER_STATISTICS_H_

#include <map>
#include <string>
#include <vector>

namespace entropic {

// One scalar an algorithm or reward model reports after each update. Its
// name becomes the Prometheus gauge entropic_learner_<name> (labelled by
// job) and a column of the job's training.csv, so a new algorithm or model
// needs no edits in the metrics or curves code. Names are snake_case and
// carry their unit where there is one (policy_entropy_nats).
struct StatisticSpec {
  std::string name;
  std::string help;
};

// The values of one update, by name. A declared statistic may be absent
// from an update (e.g. the imitation loss of a batch without
// demonstrations): its gauge keeps its last value and its CSV cell is empty.
using Statistics = std::map<std::string, double>;

// Appends `more` to `specs`.
inline void AddStatistics(std::vector<StatisticSpec>& specs,
                          const std::vector<StatisticSpec>& more) {
  specs.insert(specs.end(), more.begin(), more.end());
}

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_STATISTICS_H_
