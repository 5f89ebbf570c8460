#ifndef ENTROPIC_CLI_PROGRESS_DISPLAY_H_
#define ENTROPIC_CLI_PROGRESS_DISPLAY_H_

#include <cstdio>
#include <string>

#include "absl/time/time.h"
#include "entropic/v1/jobs.pb.h"

namespace entropic {

// Shows a job's events to a person: on a terminal, one progress bar line
// redrawn in place (env steps, episode return, updates/s, last evaluation);
// elsewhere (logs, CI), a plain line every few seconds. Evaluations and
// state changes always get a line of their own. Not thread-safe.
class ProgressDisplay {
 public:
  ProgressDisplay(std::FILE* out, bool interactive);

  void OnEvent(const v1::JobEvent& event);

  // The closing summary: outcome, eval return, env steps, wall time, and
  // where the checkpoint and curves are.
  void Summary(const v1::Job& job);

  // The bar for a job, e.g. "[######....]  41% | 81,920 steps | ...".
  static std::string ProgressLine(const v1::Job& job, int width);

 private:
  void ClearBar();

  std::FILE* const out_;
  const bool interactive_;
  bool bar_shown_ = false;
  absl::Time last_plain_line_ = absl::InfinitePast();
};

// "1,234,567".
std::string WithThousands(int64_t value);

// "1m 52s", "3h 04m".
std::string HumanDuration(double seconds);

}  // namespace entropic

#endif  // ENTROPIC_CLI_PROGRESS_DISPLAY_H_
