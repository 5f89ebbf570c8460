#include "cli/progress_display.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace entropic {
namespace {

// How far along the job is: the largest fraction of any stop condition that
// has a natural scale (env steps, updates, wall time).
double Fraction(const v1::Job& job) {
  const v1::StopSpec& stop = job.spec().stop();
  const v1::JobProgress& progress = job.progress();
  double fraction = 0;
  if (stop.env_steps() > 0) {
    fraction = std::max(
        fraction, static_cast<double>(progress.env_steps()) / stop.env_steps());
  }
  if (stop.updates() > 0) {
    fraction = std::max(
        fraction, static_cast<double>(progress.updates()) / stop.updates());
  }
  if (stop.has_wall_time() && stop.wall_time().seconds() > 0) {
    fraction = std::max(
        fraction, progress.wall_time_seconds() / stop.wall_time().seconds());
  }
  return std::min(fraction, 1.0);
}

std::string EvalText(const v1::EvalResult& eval) {
  // Tabular jobs evaluate exactly, from the known dynamics.
  if (eval.episodes() == 0) {
    return absl::StrFormat("%.2f (expected, computed exactly)",
                           eval.mean_return());
  }
  return absl::StrFormat("%.1f ± %.1f over %d episodes (min %.1f, max %.1f)",
                         eval.mean_return(), eval.std_return(), eval.episodes(),
                         eval.min_return(), eval.max_return());
}

}  // namespace

std::string WithThousands(int64_t value) {
  std::string digits = absl::StrCat(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string HumanDuration(double seconds) {
  const int64_t total = static_cast<int64_t>(std::llround(seconds));
  if (total < 60) return absl::StrCat(total, "s");
  if (total < 3600) {
    return absl::StrFormat("%dm %02ds", total / 60, total % 60);
  }
  return absl::StrFormat("%dh %02dm", total / 3600, (total % 3600) / 60);
}

ProgressDisplay::ProgressDisplay(std::FILE* out, bool interactive)
    : out_(out), interactive_(interactive) {}

std::string ProgressDisplay::ProgressLine(const v1::Job& job, int width) {
  const double fraction = Fraction(job);
  const int filled = static_cast<int>(fraction * width);
  const v1::JobProgress& progress = job.progress();
  std::string line = absl::StrCat(
      "[", std::string(filled, '#'), std::string(width - filled, '.'), "] ",
      absl::StrFormat("%3d%%", static_cast<int>(fraction * 100)), " | ",
      WithThousands(progress.env_steps()), " steps | return ",
      absl::StrFormat("%.1f", progress.mean_episode_return()));
  if (job.evaluations_size() > 0) {
    absl::StrAppendFormat(
        &line, " | eval %.1f",
        job.evaluations(job.evaluations_size() - 1).mean_return());
  }
  absl::StrAppendFormat(&line, " | %.0f upd/s | %s",
                        progress.updates_per_second(),
                        HumanDuration(progress.wall_time_seconds()));
  return line;
}

void ProgressDisplay::ClearBar() {
  if (bar_shown_) {
    std::fprintf(out_, "\r\033[K");
    bar_shown_ = false;
  }
}

void ProgressDisplay::OnEvent(const v1::JobEvent& event) {
  const v1::Job& job = event.job();
  switch (event.kind()) {
    case v1::JobEvent::SNAPSHOT:
    case v1::JobEvent::STATE_CHANGED:
      ClearBar();
      std::fprintf(out_, "job %s %s%s%s\n", job.id().c_str(),
                   v1::JobState_Name(job.state()).c_str(),
                   job.message().empty() ? "" : ": ", job.message().c_str());
      break;
    case v1::JobEvent::EVALUATION: {
      ClearBar();
      const v1::EvalResult& eval = job.evaluations(job.evaluations_size() - 1);
      std::fprintf(out_, "eval after %s updates, %s env steps: return %s\n",
                   WithThousands(eval.updates()).c_str(),
                   WithThousands(eval.env_steps()).c_str(),
                   EvalText(eval).c_str());
      break;
    }
    case v1::JobEvent::PROGRESS:
      if (interactive_) {
        std::fprintf(out_, "\r\033[K%s", ProgressLine(job, 24).c_str());
        bar_shown_ = true;
      } else if (absl::Now() - last_plain_line_ >= absl::Seconds(5)) {
        std::fprintf(out_, "%s\n", ProgressLine(job, 24).c_str());
        last_plain_line_ = absl::Now();
      }
      break;
    default:
      break;
  }
  std::fflush(out_);
}

void ProgressDisplay::Summary(const v1::Job& job) {
  ClearBar();
  const v1::JobProgress& progress = job.progress();
  std::fprintf(out_, "\n%s %s%s%s\n", job.id().c_str(),
               v1::JobState_Name(job.state()).c_str(),
               job.message().empty() ? "" : ": ", job.message().c_str());
  if (job.evaluations_size() > 0) {
    std::fprintf(out_, "  eval return  %s\n",
                 EvalText(job.evaluations(job.evaluations_size() - 1)).c_str());
  }
  std::fprintf(out_, "  env steps    %s (%s episodes)\n",
               WithThousands(progress.env_steps()).c_str(),
               WithThousands(progress.episodes()).c_str());
  std::fprintf(out_, "  updates      %s\n",
               WithThousands(progress.updates()).c_str());
  std::fprintf(out_, "  wall time    %s\n",
               HumanDuration(progress.wall_time_seconds()).c_str());
  if (!job.output_dir().empty() && job.spec().algorithm().has_maxent_irl()) {
    std::fprintf(out_, "  results      %s/reward.csv, visitation.csv\n",
                 job.output_dir().c_str());
  } else if (!job.output_dir().empty() &&
             job.spec().algorithm().has_bandit()) {
    // A bandit job keeps no checkpoint: it reruns in seconds.
    std::fprintf(out_, "  curves       %s/training.csv, evaluations.csv\n",
                 job.output_dir().c_str());
  } else if (!job.output_dir().empty()) {
    std::fprintf(out_, "  checkpoint   %s/checkpoint\n",
                 job.output_dir().c_str());
    std::fprintf(out_,
                 "  curves       %s/training.csv, evaluations.csv, "
                 "episodes.csv\n",
                 job.output_dir().c_str());
  }
  std::fflush(out_);
}

}  // namespace entropic
