#ifndef ENTROPIC_TESTS_INTEGRATION_CHILD_PROCESS_H_
#define ENTROPIC_TESTS_INTEGRATION_CHILD_PROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace entropic::testing {

// A process started by a test, with its stdout readable line by line (its
// stderr goes to the test's). Killed with SIGKILL if still running when
// destroyed.
class ChildProcess {
 public:
  // Starts `argv[0]` with the arguments; with `with_stderr`, its stderr is
  // read as part of its output. Internal error if fork/exec fails.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::vector<std::string>& argv, bool with_stderr = false);
  ~ChildProcess();

  // The next line of stdout, without the newline; DeadlineExceeded if none
  // comes before `deadline`, OutOfRange at end of output.
  absl::StatusOr<std::string> ReadLine(absl::Time deadline);

  // Reads lines until one starts with `prefix`.
  absl::StatusOr<std::string> WaitForLine(const std::string& prefix,
                                          absl::Time deadline);

  void Signal(int signal);
  // Waits for the process to exit; its exit code, or 128 + signal.
  absl::StatusOr<int> Wait(absl::Time deadline);

  pid_t pid() const { return pid_; }

 private:
  ChildProcess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}

  pid_t pid_;
  int stdout_fd_;
  std::string buffer_;
  std::optional<int> exit_code_;
};

// A loopback TCP port that was free a moment ago.
int PickFreePort();


}  // namespace entropic::testing

#endif  // ENTROPIC_TESTS_INTEGRATION_CHILD_PROCESS_H_
