#include "actor/assignment.h"

#include <glog/logging.h>

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "actor/adders/chunk_builder.h"
#include "actor/adders/replay_writer.h"
#include "actor/adders/step_columns.h"
#include "actor/policy/policy.h"
#include "actor/weights_subscriber.h"
#include "common/env/vector_env.h"
#include "common/exception_status.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "entropic/v1/work.grpc.pb.h"

namespace entropic {
namespace {

// Sends the steps and episodes gathered since the last successful report.
// Keeps them when the learner cannot be reached, so none are lost.
class ProgressReporter {
 public:
  static constexpr int kMaxPendingEpisodes = 10000;

  ProgressReporter(std::shared_ptr<grpc::Channel> learner,
                   const v1::WorkAssignment& assignment)
      : stub_(v1::WorkService::NewStub(std::move(learner))) {
    pending_.set_job_id(assignment.job_id());
    pending_.set_actor_id(assignment.actor_id());
  }

  void AddSteps(int64_t steps) {
    pending_.set_env_steps(pending_.env_steps() + steps);
  }

  void AddEpisode(double episode_return, int64_t length, bool terminated) {
    // While the learner is unreachable, keep the newest episodes only.
    if (pending_.episodes_size() >= kMaxPendingEpisodes) {
      pending_.mutable_episodes()->DeleteSubrange(0, 1);
    }
    v1::EpisodeSummary* episode = pending_.add_episodes();
    episode->set_episode_return(episode_return);
    episode->set_length(length);
    episode->set_terminated(terminated);
  }

  // True while the learner wants the actor to keep working on the job.
  bool Report(int64_t policy_version) {
    pending_.set_policy_version(policy_version);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    v1::ReportProgressResponse response;
    const grpc::Status status =
        stub_->ReportProgress(&context, pending_, &response);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) return false;
    if (!status.ok()) {
      LOG_EVERY_N(WARNING, 10)
          << "progress report failed: " << status.error_message();
      return true;  // Keep the counts for the next report.
    }
    pending_.set_env_steps(0);
    pending_.clear_episodes();
    return response.keep_working();
  }

 private:
  std::unique_ptr<v1::WorkService::Stub> stub_;
  v1::ReportProgressRequest pending_;
};


bool Stopped(const AssignmentOptions& options) {
  return options.stop != nullptr && options.stop->HasBeenNotified();
}

// RunAssignment's work; LibTorch errors escape it as exceptions.
absl::Status RunAssignmentOrThrow(const AssignmentOptions& options) {
  const v1::WorkAssignment& work = options.assignment;
  ActorMetrics& metrics = *options.metrics;
  ASSIGN_OR_RETURN(
      std::unique_ptr<VectorEnv> envs,
      VectorEnv::Create(work.env(), work.env().num_envs(), work.seed()));
  const EnvironmentInfo& info = envs->info();
  const int num_envs = envs->num_envs();
  RETURN_IF_ERROR(CheckPolicyFits(work.policy(), info));
  ASSIGN_OR_RETURN(const StepColumns columns,
                   StepColumns::Create(work.columns(), work.policy()));
  ASSIGN_OR_RETURN(std::unique_ptr<Policy> policy_holder,
                   options.make_policy ? options.make_policy(work.policy())
                                       : MakePolicy(work.policy()));
  Policy& policy = *policy_holder;

  WeightsSubscriber weights(options.learner, work.job_id(), options.backoff,
                            &metrics);
  if (!weights.WaitForFirst(absl::Minutes(1))) {
    if (weights.job_ended() || Stopped(options)) return absl::OkStatus();
    return absl::UnavailableError(
        absl::StrCat("no weights for job ", work.job_id(), " within a minute"));
  }
  RETURN_IF_ERROR(policy.Load(*weights.Latest()));
  metrics.policy_version.Set(policy.version());

  ReplayWriter::Options writer_options;
  writer_options.address = work.replay_address();
  writer_options.security = options.replay_security;
  writer_options.max_unacknowledged = options.max_unacknowledged_chunks;
  writer_options.backoff = options.backoff;
  ReplayWriter writer(writer_options, &metrics.writer);

  ChunkLayout layout;
  layout.job_id = work.job_id();
  layout.table = work.table();
  layout.actor_id = work.actor_id();
  layout.observation_size = envs->observation_size();
  layout.discrete_actions = info.action_space.kind == Space::Kind::kDiscrete;
  layout.action_size = info.action_space.FlatSize();
  layout.extra_columns = columns.layout();
  std::vector<ChunkBuilder> builders;
  for (int i = 0; i < num_envs; ++i) builders.emplace_back(layout, i);
  std::vector<uint64_t> episode_ids(num_envs);
  std::vector<int64_t> episode_steps(num_envs, 0);
  for (int i = 0; i < num_envs; ++i) episode_ids[i] = i;
  uint64_t next_episode_id = num_envs;

  ProgressReporter reporter(options.learner, work);
  std::mt19937_64 rng(work.seed() ^ 0x5851f42d4c957f2dULL);
  // Every environment begins its first episode.
  for (int i = 0; i < num_envs; ++i) policy.BeginEpisode(i, rng);
  std::vector<float> step_values;
  absl::Time next_report = absl::Now() + options.report_interval;
  LOG(INFO) << work.actor_id() << ": acting in " << num_envs << " x "
            << work.env().id() << " for job " << work.job_id();

  // Writes a chunk, waiting on replay while checking whether to give up.
  auto write = [&](v1::TrajectoryChunk chunk) -> absl::Status {
    while (true) {
      absl::Status status =
          writer.Write(chunk, absl::Now() + absl::Milliseconds(500));
      if (status.code() != absl::StatusCode::kDeadlineExceeded) return status;
      if (Stopped(options) || weights.job_ended()) {
        return absl::CancelledError("the assignment ended");
      }
    }
  };

  absl::Status result;
  bool keep_working = true;
  while (keep_working && !Stopped(options) && !weights.job_ended()) {
    std::shared_ptr<const v1::Weights> latest = weights.Latest();
    if (latest->version() > policy.version()) {
      RETURN_IF_ERROR(policy.Load(*latest));
      metrics.policy_version.Set(policy.version());
    }
    const ActionBatch actions = policy.Act(envs->observations(), num_envs,
                                           /*deterministic=*/false, rng);
    for (int i = 0; i < num_envs && result.ok(); ++i) {
      if (!builders[i].active()) {
        builders[i].Begin(envs->observation(i), episode_ids[i],
                          episode_steps[i], policy.version());
      }
      const Action action = actions.action(i);
      const StepResult step = envs->Step(i, action);
      const bool ended = step.terminated || step.truncated;
      columns.Fill(actions.log_probs[i], rng, step_values);
      builders[i].Append(
          action, static_cast<float>(step.reward),
          ended ? envs->final_observation(i) : envs->observation(i),
          step_values);
      ++episode_steps[i];
      if (ended || builders[i].length() >= work.chunk_length()) {
        result = write(builders[i].Finish(step.terminated, step.truncated));
      }
      if (ended) {
        metrics.episodes.Increment();
        metrics.episode_return.Observe(envs->episode_return(i));
        metrics.last_episode_return.Set(envs->episode_return(i));
        reporter.AddEpisode(envs->episode_return(i), envs->episode_length(i),
                            step.terminated);
        episode_ids[i] = next_episode_id++;
        episode_steps[i] = 0;
        policy.BeginEpisode(i, rng);
      }
    }
    metrics.env_steps.Increment(num_envs);
    reporter.AddSteps(num_envs);
    if (!result.ok()) break;
    if (absl::Now() >= next_report) {
      keep_working = reporter.Report(policy.version());
      next_report = absl::Now() + options.report_interval;
    }
  }
  // Tell the learner about the last steps; it may already have ended the job.
  const bool job_still_on = reporter.Report(policy.version());
  if (!result.ok() && (!job_still_on || weights.job_ended() ||
                       result.code() == absl::StatusCode::kCancelled)) {
    result = absl::OkStatus();  // Replay dropped the job's tables as it ended.
  }
  if (result.ok() && job_still_on && !weights.job_ended() &&
      !Stopped(options)) {
    const absl::Status flushed = writer.Flush(absl::Now() + absl::Seconds(5));
    if (!flushed.ok()) LOG(WARNING) << work.actor_id() << ": " << flushed;
  }
  writer.Close();
  weights.Stop();
  LOG(INFO) << work.actor_id() << ": assignment for job " << work.job_id()
            << " ended";
  return result;
}

}  // namespace

absl::Status RunAssignment(const AssignmentOptions& options) {
  // No exception leaves the acting thread: a LibTorch error fails the
  // assignment (the actor asks for work again) instead of the process.
  try {
    return RunAssignmentOrThrow(options);
  } catch (const std::exception& e) {
    return InternalFromException("acting failed", e);
  }
}

}  // namespace entropic
