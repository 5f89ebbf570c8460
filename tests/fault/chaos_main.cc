// entropic-chaos: kills replay, the learner and actors with SIGKILL at
// random moments of a real job, for many rounds, and prints the figures
// (docs/reliability.md). Not run by CI:
//
//   build/tests/entropic-chaos --rounds=30 --seed=1 2>chaos.log
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gflags/gflags.h"
#include "tests/fault/chaos.h"

DEFINE_int32(rounds, 30, "Kill rounds");
DEFINE_uint64(seed, 1, "Seed of the kill moments, pauses and victims");
DEFINE_int32(actors, 2, "Actor processes");
DEFINE_string(faults, "replay,learner,actor",
              "What the rounds kill, in turn (comma-separated)");
DEFINE_int64(updates, 0, "The job's stop condition; 0 derives it from rounds");
DEFINE_int32(max_down_ms, 800,
             "Longest pause between a kill and the restart (uniform from 0)");
DEFINE_string(work_dir, "", "Where the processes write; default under TMPDIR");

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  using entropic::testing::Fault;
  entropic::testing::ChaosOptions options;
  options.replay_bin = ENTROPIC_REPLAY_BIN;
  options.learner_bin = ENTROPIC_LEARNER_BIN;
  options.actor_bin = ENTROPIC_ACTOR_BIN;
  const char* tmp = getenv("TMPDIR");
  options.work_dir =
      !FLAGS_work_dir.empty()
          ? FLAGS_work_dir
          : absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/entropic-chaos-",
                         getpid());
  options.rounds = FLAGS_rounds;
  options.seed = FLAGS_seed;
  options.actors = FLAGS_actors;
  options.updates = FLAGS_updates;
  options.max_down = absl::Milliseconds(FLAGS_max_down_ms);
  options.faults.clear();
  for (absl::string_view name : absl::StrSplit(FLAGS_faults, ',')) {
    if (name == "replay") {
      options.faults.push_back(Fault::kReplay);
    } else if (name == "learner") {
      options.faults.push_back(Fault::kLearner);
    } else if (name == "actor") {
      options.faults.push_back(Fault::kActor);
    } else {
      std::cerr << "entropic-chaos: unknown fault " << name << "\n";
      return 1;
    }
  }
  options.log = [](const std::string& line) { std::cout << line << std::endl; };
  const absl::Time start = absl::Now();
  absl::StatusOr<entropic::testing::ChaosReport> report =
      entropic::testing::RunChaos(options);
  if (!report.ok()) {
    std::cerr << "entropic-chaos: " << report.status() << "\n";
    return 1;
  }
  std::cout << "\nrounds        " << report->rounds.size() << "\n"
            << "job           " << entropic::v1::JobState_Name(report->job.state())
            << " (" << report->job.message() << ", "
            << report->job.restarts() << " learner restarts)\n"
            << "written       " << report->written << "\n"
            << "acknowledged  " << report->acknowledged << "\n"
            << "recovered     " << report->recovered << "\n"
            << "lost          " << report->lost << "\n"
            << "duplicated    " << report->duplicated << "\n"
            << "short after a replay restart: " << report->short_after_restart
            << " rounds\n";
  for (Fault fault : {Fault::kReplay, Fault::kLearner, Fault::kActor}) {
    const entropic::testing::RejoinFigures figures =
        entropic::testing::Rejoins(*report, {fault});
    if (figures.count == 0) continue;
    std::cout << absl::StrFormat(
        "rejoin after %-7s %2d rounds, median %.2f s, max %.2f s\n",
        entropic::testing::FaultName(fault), figures.count,
        absl::ToDoubleSeconds(figures.median),
        absl::ToDoubleSeconds(figures.max));
  }
  std::vector<absl::Duration> probe;
  for (const entropic::testing::ChaosRound& round : report->rounds) {
    if (!round.writers.empty()) probe.push_back(round.writers[0]);
  }
  if (!probe.empty()) {
    std::sort(probe.begin(), probe.end());
    std::cout << absl::StrFormat(
        "probe writer back after replay: median %.2f s, max %.2f s\n",
        absl::ToDoubleSeconds(probe[probe.size() / 2]),
        absl::ToDoubleSeconds(probe.back()));
  }
  std::cout << absl::StrFormat("wall time     %.0f s\n",
                               absl::ToDoubleSeconds(absl::Now() - start));
  const bool intact = report->lost == 0 && report->duplicated == 0 &&
                      report->short_after_restart == 0 &&
                      report->job.state() == entropic::v1::SUCCEEDED;
  return intact ? 0 : 1;
}
