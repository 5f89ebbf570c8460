#ifndef ENTROPIC_COMMON_PROCESS_H_
#define ENTROPIC_COMMON_PROCESS_H_

#include <string>

#include "absl/status/status.h"

namespace entropic {

// Process plumbing shared by the entropic-* binaries.

// The start of every entropic-* main: blocks the shutdown signals (see
// below), parses the gflags, sends glog's output to stderr, and gRPC's log
// through glog (only at --v=1 until AnnounceReady: before, a failed start-up
// is reported once, by the process, in one line).
void InitProcess(const char* usage, int* argc, char*** argv);

// Settings for processes that serve, called by InitProcess (tests keep the
// defaults):
// - Debian's Abseil is built with lock-order (deadlock) detection on, which
//   costs a graph update per lock: off.
// - glibc's malloc hands buffers above a few MiB (sample responses, Atari
//   chunks) straight to mmap and back, so every batch pays page faults and
//   zeroing of fresh pages: such buffers come from the heap instead, and up
//   to 256 MiB of freed heap is kept for reuse.
void TuneForServing();

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts
// later, so WaitForShutdownSignal can take them. Call first thing in main.
void BlockShutdownSignals();

// Waits for SIGINT or SIGTERM and returns its number.
int WaitForShutdownSignal();

// As above, but gives up after `timeout_ms` milliseconds and returns 0.
int WaitForShutdownSignalFor(int timeout_ms);

// Ends a process whose start-up failed: prints one line naming the problem,
//   "<name>: <status message>"
// on stderr and returns EXIT_FAILURE, for main to return.
int StartupFailure(const std::string& name, const absl::Status& status);

// Prints the line that tells supervisors (and tests) the process is serving:
//   "<name> ready grpc_port=<p> metrics_port=<m>"
// on stdout and flushes it.
void AnnounceReady(const std::string& name, int grpc_port, int metrics_port);

}  // namespace entropic

#endif  // ENTROPIC_COMMON_PROCESS_H_
