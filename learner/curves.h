#ifndef ENTROPIC_LEARNER_CURVES_H_
#define ENTROPIC_LEARNER_CURVES_H_

#include <fstream>
#include <string>
#include <vector>

#include "entropic/v1/jobs.pb.h"
#include "entropic/v1/work.pb.h"
#include "learner/statistics.h"

namespace entropic {

// The job's learning curves as CSV files in its output directory:
// training.csv (progress, then one column per declared statistic, empty
// where an update did not report it), evaluations.csv and episodes.csv
// (every episode actors reported, in the order the learner received them). A resumed job
// appends to the files it wrote before its learner restarted. Rows that
// cannot be written are skipped (the job still trains). Not thread-safe.
class Curves {
 public:
  Curves(const std::string& directory,
         const std::vector<StatisticSpec>& statistics);

  void Training(double seconds, const v1::JobProgress& progress,
                const Statistics& statistics);
  void Evaluation(double seconds, const v1::EvalResult& eval);
  // One row per episode; `env_steps` is the job's count when they arrived.
  void Episodes(double seconds, int64_t env_steps,
                const std::vector<v1::EpisodeSummary>& episodes);

 private:
  const std::vector<StatisticSpec> statistics_;
  std::ofstream training_;
  std::ofstream evaluations_;
  std::ofstream episodes_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_CURVES_H_
