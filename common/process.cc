#include "common/process.h"

#include <gflags/gflags.h>
#include <glog/logging.h>
#include <malloc.h>
#include <signal.h>

#include <cstdio>

#include "absl/synchronization/mutex.h"

namespace entropic {
namespace {

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

void AnnounceReady(const std::string& name, int grpc_port, int metrics_port) {
  std::printf("%s ready grpc_port=%d metrics_port=%d\n", name.c_str(),
              grpc_port, metrics_port);
  std::fflush(stdout);
}

}  // namespace entropic
