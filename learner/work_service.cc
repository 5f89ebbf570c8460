#include "learner/work_service.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace entropic {
namespace {

// Bounds on one report (actors report every 250 ms): far above what any
// actor sends, low enough that no sum of reports overflows a job's counts.
constexpr int64_t kMaxStepsPerReport = int64_t{1} << 32;
constexpr int kMaxEpisodesPerReport = 1 << 16;
constexpr size_t kMaxNameBytes = 256;

}  // namespace

absl::Status ValidateProgressReport(const v1::ReportProgressRequest& report) {
  if (report.job_id().empty()) {
    return absl::InvalidArgumentError("job_id: is required");
  }
  if (report.actor_id().empty() || report.actor_id().size() > kMaxNameBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "actor_id: must be 1 to ", kMaxNameBytes, " bytes, got ",
        report.actor_id().size()));
  }
  if (report.env_steps() < 0 || report.env_steps() > kMaxStepsPerReport) {
    return absl::InvalidArgumentError(
        absl::StrCat("env_steps: must be in [0, ", kMaxStepsPerReport,
                     "], got ", report.env_steps()));
  }
  if (report.policy_version() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "policy_version: must be >= 0, got ", report.policy_version()));
  }
  if (report.episodes_size() > kMaxEpisodesPerReport) {
    return absl::InvalidArgumentError(
        absl::StrCat("episodes: at most ", kMaxEpisodesPerReport,
                     " per report, got ", report.episodes_size()));
  }
  for (int i = 0; i < report.episodes_size(); ++i) {
    const v1::EpisodeSummary& episode = report.episodes(i);
    if (!std::isfinite(episode.episode_return())) {
      return absl::InvalidArgumentError(
          absl::StrCat("episodes[", i, "].episode_return: must be finite, got ",
                       episode.episode_return()));
    }
    if (episode.length() < 1 || episode.length() > kMaxStepsPerReport) {
      return absl::InvalidArgumentError(
          absl::StrCat("episodes[", i, "].length: must be in [1, ",
                       kMaxStepsPerReport, "], got ", episode.length()));
    }
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* WorkServiceImpl::GetWork(
    grpc::CallbackServerContext* context, const v1::GetWorkRequest* request,
    v1::GetWorkResponse* response) {
  if (request->actor_name().size() > kMaxNameBytes) {
    return FinishNow(context, absl::InvalidArgumentError(absl::StrCat(
                                  "actor_name: at most ", kMaxNameBytes,
                                  " bytes, got ",
                                  request->actor_name().size())));
  }
  *response = jobs_->GetWork(*request);
  return FinishNow(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* WorkServiceImpl::ReportProgress(
    grpc::CallbackServerContext* context,
    const v1::ReportProgressRequest* request,
    v1::ReportProgressResponse* response) {
  absl::Status valid = ValidateProgressReport(*request);
  if (!valid.ok()) return FinishNow(context, valid);
  absl::StatusOr<v1::ReportProgressResponse> result =
      jobs_->ReportProgress(*request);
  if (result.ok()) *response = std::move(result).value();
  return FinishNow(context, result.status());
}

}  // namespace entropic
