#ifndef ENTROPIC_TESTS_FAULT_CHAOS_H_
#define ENTROPIC_TESTS_FAULT_CHAOS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "actor/adders/replay_writer_metrics.h"
#include "actor/adders/replay_writer.h"
#include "entropic/v1/jobs.pb.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "prometheus/registry.h"

namespace entropic::testing {

// Writes numbered one-step chunks into `job`'s `table` through a
// ReplayWriter, as an actor does, about 500 a second from a thread of its
// own: the k-th chunk written has sequence k and policy version k, so a
// drained transition names its chunk. Thread-safe.
class ProbeWriter {
 public:
  ProbeWriter(const std::string& address, std::string job, std::string table);
  // Stop()s, then closes the writer.
  ~ProbeWriter();

  // Stops writing; chunks written stay queued for Flush. Idempotent.
  void Stop();
  absl::Status Flush(absl::Time deadline) { return writer_.Flush(deadline); }
  // Chunks replay acknowledged (in order: sequences 1 to this).
  int64_t acknowledged() const;
  int64_t written() const { return written_.load(); }
  int64_t reconnects() const;
  // A writer error other than waiting (the writer stopped then).
  absl::Status error() const;

 private:
  void Loop();

  const std::string job_, table_;
  prometheus::Registry registry_;
  ReplayWriterMetrics metrics_;
  ReplayWriter writer_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> written_{0};
  mutable absl::Mutex mu_;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// Creates `job`'s FIFO table `table` for CartPole-shaped chunks, never
// evicting; durable if asked.
absl::Status CreateFifoTable(v1::ReplayService::Stub& replay,
                             const std::string& job, const std::string& table,
                             bool durable);
// Chunks the table holds; -1 if replay does not describe it.
int64_t TableChunks(v1::ReplayService::Stub& replay, const std::string& job,
                    const std::string& table);
// Samples a FIFO table empty: policy version (= probe sequence) -> times
// handed out.
absl::StatusOr<std::map<int64_t, int>> DrainFifo(
    v1::ReplayService::Stub& replay, const std::string& job,
    const std::string& table);

// What a round kills with SIGKILL.
enum class Fault { kReplay, kLearner, kActor };
const char* FaultName(Fault fault);

// A cluster of separate processes on loopback (entropic-replay with
// --checkpoint_dir, entropic-learner keeping its jobs, `actors`
// entropic-actor processes) training a short durable CartPole job, and a
// probe writer (ReplayWriter, in this process) streaming numbered chunks
// into a FIFO table of its own beside the job. `rounds` times, at a
// seeded-random moment of the job (spread over its updates), one process
// chosen in turn from `faults` is killed with SIGKILL and, after a random
// pause, started again on the same ports and directories.
struct ChaosOptions {
  std::string replay_bin, learner_bin, actor_bin;
  // Everything the processes write goes here (removed first).
  std::string work_dir;
  int rounds = 6;
  uint64_t seed = 1;
  int actors = 2;
  std::vector<Fault> faults = {Fault::kReplay, Fault::kLearner, Fault::kActor};
  // The job's stop condition; 0 derives it from `rounds`.
  int64_t updates = 0;
  // Longest pause between a kill and the restart.
  absl::Duration max_down = absl::Milliseconds(800);
  // Called with a line per round and per phase, when set.
  std::function<void(const std::string&)> log;
};

struct ChaosRound {
  Fault fault = Fault::kReplay;
  // Job updates when the process was killed.
  int64_t updates = 0;
  // Probe chunks acknowledged when the process died, and (replay rounds)
  // how many replay held right after it was back.
  int64_t acknowledged_at_kill = 0;
  int64_t held_after_restart = -1;
  // From the restarted process's ready line until every actor process has
  // chunks acknowledged again (replay), the job counts actors' steps again
  // (learner), or the new actor has chunks acknowledged (actor).
  absl::Duration rejoin;
  // Replay rounds: when each writer was back, the probe first, then each
  // actor; and when the learner sampled again (its updates rose).
  std::vector<absl::Duration> writers;
  absl::Duration learner_sampling;
};

struct ChaosReport {
  std::vector<ChaosRound> rounds;
  // The job as it ended.
  v1::Job job;
  // Probe chunks written and acknowledged (all written ones are flushed at
  // the end), how many of those a last kill -9 and restart of replay left
  // in its table (each sequence drained once from the FIFO table), how many
  // acknowledged were missing, and how many came out more than once.
  int64_t written = 0;
  int64_t acknowledged = 0;
  int64_t recovered = 0;
  int64_t lost = 0;
  int64_t duplicated = 0;
  // Replay rounds where replay held fewer chunks than were acknowledged.
  int64_t short_after_restart = 0;
};

// Runs the whole scenario. An error when a process does not start, the job
// ends before the rounds are done, or something does not come back within
// 60 s; data figures are in the report either way they could be measured.
absl::StatusOr<ChaosReport> RunChaos(const ChaosOptions& options);

// Median and maximum of the rejoin times of rounds of `fault` (all rounds
// when nullopt is not wanted: pass every fault).
struct RejoinFigures {
  int count = 0;
  absl::Duration median, max;
};
RejoinFigures Rejoins(const ChaosReport& report,
                      const std::vector<Fault>& faults);

}  // namespace entropic::testing

#endif  // ENTROPIC_TESTS_FAULT_CHAOS_H_
