#ifndef ENTROPIC_CLI_COMMANDS_H_
#define ENTROPIC_CLI_COMMANDS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "common/security.h"

namespace entropic {

// Exit codes of the `entropic` command.
enum ExitCode {
  kExitOk = 0,           // done; the job succeeded
  kExitJobFailed = 1,    // the job failed or was cancelled, or a server error
  kExitUsage = 2,        // bad command line, job file or spec
  kExitUnavailable = 3,  // the learner could not be reached
  kExitNotFound = 4,     // no such job
  kExitDenied = 5,       // refused: missing or wrong credentials
};

// The exit code for a failed call.
int ExitCodeFor(const absl::Status& status);

struct RunOptions {
  std::string output_dir = "runs";
  std::string device = "cpu";
  int metrics_port = -1;
  int torch_threads = 1;
};

// `entropic run JOB`: trains the job in an embedded cluster with a progress
// bar and a summary. SIGINT cancels the job (it still writes its checkpoint).
int RunCommand(const std::string& job_file, const RunOptions& options);

// `entropic submit JOB`: submits to a learner; with `watch`, follows it.
// The commands that call servers connect with `security` (TLS, the user's
// token; docs/security.md).
int SubmitCommand(const std::string& job_file, const std::string& learner,
                  const ClientSecurity& security, bool watch);

// `entropic jobs`: lists the learner's jobs.
int JobsCommand(const std::string& learner, const ClientSecurity& security);

// `entropic watch ID`: follows a job until it ends.
int WatchCommand(const std::string& job_id, const std::string& learner,
                 const ClientSecurity& security);

// `entropic demos upload FILE --job ID`: streams a demonstrations file into
// the job's demonstrations table, at `replay` or else the address the
// learner reports for the job.
int DemosUploadCommand(const std::string& file, const std::string& job_id,
                       const std::string& learner, const std::string& replay,
                       const ClientSecurity& security);

struct DemosRecordOptions {
  // The output directory of a finished soft Q job (job.json, checkpoint/);
  // empty: the exact soft-optimal policy of an environment with known
  // dynamics.
  std::string checkpoint;
  std::string env_id;  // required without a checkpoint
  int episodes = 10;
  double temperature = 1.0;  // of the soft-optimal expert
  bool greedy = true;        // checkpoint: argmax Q, else sample pi
  uint64_t seed = 1;
};

// `entropic demos record FILE`: runs an expert for some episodes and writes
// them as a demonstrations file (.npz).
int DemosRecordCommand(const std::string& file,
                       const DemosRecordOptions& options);

struct EvalOptions {
  int episodes = 20;
  bool greedy = true;  // argmax Q, else sample pi
  uint64_t seed = 1;
};

// `entropic eval RUN_DIR`: runs a finished job's policy (its output
// directory: job.json and checkpoint/) for some episodes and prints the
// returns.
int EvalCommand(const std::string& run_dir, const EvalOptions& options);

// `entropic export RUN_DIR`: writes the job's policy as a TorchScript file
// (`output`, or RUN_DIR/policy.pt when empty) and prints how to load it.
int ExportCommand(const std::string& run_dir, const std::string& output);

// `entropic cancel ID`.
int CancelCommand(const std::string& job_id, const std::string& learner,
                  const ClientSecurity& security);

}  // namespace entropic

#endif  // ENTROPIC_CLI_COMMANDS_H_
