#include "common/process.h"

#include <gflags/gflags.h>
#include <glog/logging.h>
#include <grpc/support/log.h>
#include <malloc.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"

namespace entropic {
namespace {

// Until the process announces it is ready, gRPC's own diagnostics only
// repeat (at length) the start-up error the process reports in one line.
std::atomic<bool> serving{false};

// gRPC's log lines, through glog: one log for the whole process.
void LogFromGrpc(gpr_log_func_args* args) {
  if (!serving.load()) {
    VLOG(1) << "grpc " << args->file << ":" << args->line << "] "
            << args->message;
    return;
  }
  const google::LogSeverity severity =
      args->severity == GPR_LOG_SEVERITY_ERROR   ? google::GLOG_ERROR
      : args->severity == GPR_LOG_SEVERITY_INFO  ? google::GLOG_INFO
                                                 : google::GLOG_WARNING;
  google::LogMessage(args->file, args->line, severity).stream()
      << args->message;
}

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void InitProcess(const char* usage, int* argc, char*** argv) {
  BlockShutdownSignals();
  TuneForServing();
  gflags::SetUsageMessage(usage);
  gflags::ParseCommandLineFlags(argc, argv, /*remove_flags=*/true);
  google::InitGoogleLogging((*argv)[0]);
  FLAGS_logtostderr = true;
  gpr_set_log_function(&LogFromGrpc);
}

void TuneForServing() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

void BlockShutdownSignals() {
  const sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForShutdownSignal() {
  const sigset_t set = ShutdownSignals();
  int signal = 0;
  sigwait(&set, &signal);
  return signal;
}

int WaitForShutdownSignalFor(int timeout_ms) {
  const sigset_t set = ShutdownSignals();
  timespec timeout;
  timeout.tv_sec = timeout_ms / 1000;
  timeout.tv_nsec = (timeout_ms % 1000) * 1000000L;
  const int signal = sigtimedwait(&set, nullptr, &timeout);
  return signal > 0 ? signal : 0;
}

int StartupFailure(const std::string& name, const absl::Status& status) {
  const std::string why = status.message().empty()
                              ? absl::StatusCodeToString(status.code())
                              : std::string(status.message());
  std::fprintf(stderr, "%s: %s\n", name.c_str(), why.c_str());
  std::fflush(stderr);
  return EXIT_FAILURE;
}

void AnnounceReady(const std::string& name, int grpc_port, int metrics_port) {
  serving.store(true);
  std::printf("%s ready grpc_port=%d metrics_port=%d\n", name.c_str(),
              grpc_port, metrics_port);
  std::fflush(stdout);
}

}  // namespace entropic
