#ifndef ENTROPIC_LEARNER_CURVES_H_
#define ENTROPIC_LEARNER_CURVES_H_

#include <fstream>
#include <string>
#include <vector>

#include "entropic/v1/jobs.pb.h"
#include "learner/statistics.h"

namespace entropic {

// The job's learning curves as CSV files in its output directory:
// training.csv (progress, then one column per declared statistic, empty
// where an update did not report it) and evaluations.csv. A resumed job
// appends to the files it wrote before its learner restarted. Rows that
// cannot be written are skipped (the job still trains). Not thread-safe.
class Curves {
 public:
  Curves(const std::string& directory,
         const std::vector<StatisticSpec>& statistics);

  void Training(double seconds, const v1::JobProgress& progress,
                const Statistics& statistics);
  void Evaluation(double seconds, const v1::EvalResult& eval);

 private:
  const std::vector<StatisticSpec> statistics_;
  std::ofstream training_;
  std::ofstream evaluations_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_CURVES_H_
