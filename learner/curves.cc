#include "learner/curves.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace entropic {
namespace {

// Appends to `path`, writing `header` first if the file is new.
std::ofstream Open(const std::string& path, const std::string& header) {
  const bool exists = std::filesystem::exists(path);
  std::ofstream out(path, std::ios::app);
  if (!exists) out << header << "\n";
  return out;
}

std::string TrainingHeader(const std::vector<StatisticSpec>& statistics) {
  std::string header =
      "wall_seconds,updates,env_steps,episodes,mean_episode_return";
  for (const StatisticSpec& statistic : statistics) {
    absl::StrAppend(&header, ",", statistic.name);
  }
  return header;
}

}  // namespace

Curves::Curves(const std::string& directory,
               const std::vector<StatisticSpec>& statistics)
    : statistics_(statistics),
      training_(Open(directory + "/training.csv", TrainingHeader(statistics))),
      evaluations_(Open(directory + "/evaluations.csv",
                        "wall_seconds,updates,env_steps,episodes,mean_return,"
                        "std_return,min_return,max_return")),
      episodes_(Open(directory + "/episodes.csv",
                     "wall_seconds,env_steps,episode_return,length,"
                     "terminated")) {}

void Curves::Training(double seconds, const v1::JobProgress& progress,
                      const Statistics& statistics) {
  training_ << absl::StrFormat("%.3f,%d,%d,%d,%.4f", seconds,
                               progress.updates(), progress.env_steps(),
                               progress.episodes(),
                               progress.mean_episode_return());
  for (const StatisticSpec& statistic : statistics_) {
    training_ << ",";
    auto found = statistics.find(statistic.name);
    if (found != statistics.end()) {
      training_ << absl::StrFormat("%.6g", found->second);
    }
  }
  training_ << "\n";
  training_.flush();
}

void Curves::Evaluation(double seconds, const v1::EvalResult& eval) {
  evaluations_ << absl::StrFormat(
      "%.3f,%d,%d,%d,%.4f,%.4f,%.4f,%.4f\n", seconds, eval.updates(),
      eval.env_steps(), eval.episodes(), eval.mean_return(), eval.std_return(),
      eval.min_return(), eval.max_return());
  evaluations_.flush();
}

void Curves::Episodes(double seconds, int64_t env_steps,
                      const std::vector<v1::EpisodeSummary>& episodes) {
  if (episodes.empty()) return;
  for (const v1::EpisodeSummary& episode : episodes) {
    episodes_ << absl::StrFormat("%.3f,%d,%.6g,%d,%d\n", seconds, env_steps,
                                 episode.episode_return(), episode.length(),
                                 episode.terminated() ? 1 : 0);
  }
  episodes_.flush();
}

}  // namespace entropic
