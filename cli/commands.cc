#include "cli/commands.h"

#include <ATen/Parallel.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "actor/policy/torchscript_export.h"
#include "actor/adders/upload.h"
#include "cli/embedded_cluster.h"
#include "cli/job_client.h"
#include "cli/progress_display.h"
#include "common/demonstrations.h"
#include "common/job_file.h"
#include "common/job_spec.h"
#include "common/npz.h"
#include "common/process.h"
#include "learner/demonstration_recorder.h"
#include "learner/evaluator.h"
#include "learner/run_checkpoint.h"

namespace entropic {
namespace {

// Prints why, and returns `exit_code`. A status without a message still
// says what happened: its code.
int Fail(const absl::Status& status, int exit_code) {
  const std::string why =
      status.message().empty()
          ? absl::StrCat(absl::StatusCodeToString(status.code()),
                         " (no message)")
          : std::string(status.message());
  std::fprintf(stderr, "entropic: %s\n", why.c_str());
  return exit_code;
}

int Fail(const absl::Status& status) {
  return Fail(status, ExitCodeFor(status));
}

// `spec` from `job_file` with its defaults filled in, if it validates;
// InvalidArgument naming the file and the field if not.
absl::StatusOr<v1::JobSpec> WithDefaultsChecked(const std::string& job_file,
                                                v1::JobSpec spec) {
  ApplyJobDefaults(spec);
  if (absl::Status valid = ValidateJobSpec(spec); !valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(job_file, ": ", valid.message()));
  }
  return spec;
}

int ExitCodeForJob(const v1::Job& job) {
  return job.state() == v1::SUCCEEDED ? kExitOk : kExitJobFailed;
}

// Follows a job with a progress display; returns the exit code.
int Follow(JobClient& client, const std::string& job_id) {
  ProgressDisplay display(stdout, isatty(STDOUT_FILENO));
  absl::StatusOr<v1::Job> job = client.Watch(
      job_id, [&](const v1::JobEvent& event) { display.OnEvent(event); });
  if (!job.ok()) return Fail(job.status());
  display.Summary(*job);
  return ExitCodeForJob(*job);
}

}  // namespace

int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
      return kExitUsage;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitUnavailable;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kExitDenied;
    default:
      return kExitJobFailed;
  }
}

int RunCommand(const std::string& job_file, const RunOptions& options) {
  absl::StatusOr<v1::JobSpec> spec = LoadJobFile(job_file);
  if (!spec.ok()) {
    return Fail(spec.status(), kExitUsage);
  }
  // A relative demonstrations path means relative to the job file.
  std::string* demonstrations =
      spec->mutable_replay()->mutable_demonstrations()->mutable_path();
  if (!demonstrations->empty() && (*demonstrations)[0] != '/') {
    *demonstrations =
        (std::filesystem::path(job_file).parent_path() / *demonstrations)
            .lexically_normal()
            .string();
  }
  // Check before starting anything, so a bad file fails fast.
  absl::StatusOr<v1::JobSpec> checked = WithDefaultsChecked(job_file, *spec);
  if (!checked.ok()) return Fail(checked.status(), kExitUsage);
  // Actors and learner share this machine's cores: one intra-op thread each.
  at::set_num_threads(options.torch_threads);

  BlockShutdownSignals();
  EmbeddedCluster::Options cluster_options;
  cluster_options.actors = checked->actors();
  cluster_options.output_root = options.output_dir;
  cluster_options.device = options.device;
  cluster_options.metrics_port = options.metrics_port;
  if (checked->replay().durable()) {
    cluster_options.replay_checkpoint_dir =
        (std::filesystem::path(options.output_dir) / "replay").string();
  }
  absl::StatusOr<std::unique_ptr<EmbeddedCluster>> cluster =
      EmbeddedCluster::Start(cluster_options);
  if (!cluster.ok()) return Fail(cluster.status());
  std::printf("embedded cluster: learner %s, %d actor%s",
              (*cluster)->learner_address().c_str(), checked->actors(),
              checked->actors() == 1 ? "" : "s");
  if ((*cluster)->metrics_port() >= 0) {
    std::printf(", metrics http://127.0.0.1:%d/metrics",
                (*cluster)->metrics_port());
  }
  std::printf("\n");

  JobClient client((*cluster)->learner_address());
  absl::StatusOr<v1::Job> job = client.Submit(*spec);
  if (!job.ok()) return Fail(job.status());

  // Ctrl-C cancels the job; the watch then ends with it.
  std::atomic<bool> done{false};
  std::thread interrupt([&] {
    while (!done.load()) {
      if (WaitForShutdownSignalFor(200) != 0) {
        std::fprintf(stderr, "\ncancelling job %s...\n", job->id().c_str());
        (void)client.Cancel(job->id());
        return;
      }
    }
  });
  const int code = Follow(client, job->id());
  done.store(true);
  interrupt.join();
  (*cluster)->Stop();
  return code;
}

int SubmitCommand(const std::string& job_file, const std::string& learner,
                  const ClientSecurity& security, bool watch) {
  absl::StatusOr<v1::JobSpec> spec = LoadJobFile(job_file);
  if (!spec.ok()) {
    return Fail(spec.status(), kExitUsage);
  }
  // The learner checks again; checking here names the file and needs no
  // learner.
  if (absl::Status valid = WithDefaultsChecked(job_file, *spec).status();
      !valid.ok()) {
    return Fail(valid, kExitUsage);
  }
  JobClient client(learner, security);
  absl::StatusOr<v1::Job> job = client.Submit(*spec);
  if (!job.ok()) return Fail(job.status());
  std::printf("%s\n", job->id().c_str());
  std::fflush(stdout);
  return watch ? Follow(client, job->id()) : kExitOk;
}

int JobsCommand(const std::string& learner, const ClientSecurity& security) {
  JobClient client(learner, security);
  absl::StatusOr<std::vector<v1::Job>> jobs = client.List();
  if (!jobs.ok()) return Fail(jobs.status());
  std::printf("%-32s %-10s %12s %10s %10s %9s\n", "ID", "STATE", "ENV STEPS",
              "UPDATES", "EVAL", "WALL");
  for (const v1::Job& job : *jobs) {
    const std::string eval =
        job.evaluations_size() > 0
            ? absl::StrFormat(
                  "%.1f",
                  job.evaluations(job.evaluations_size() - 1).mean_return())
            : "-";
    std::printf("%-32s %-10s %12s %10s %10s %9s\n", job.id().c_str(),
                v1::JobState_Name(job.state()).c_str(),
                WithThousands(job.progress().env_steps()).c_str(),
                WithThousands(job.progress().updates()).c_str(), eval.c_str(),
                HumanDuration(job.progress().wall_time_seconds()).c_str());
  }
  return kExitOk;
}

int WatchCommand(const std::string& job_id, const std::string& learner,
                 const ClientSecurity& security) {
  JobClient client(learner, security);
  return Follow(client, job_id);
}

int DemosUploadCommand(const std::string& file, const std::string& job_id,
                       const std::string& learner, const std::string& replay,
                       const ClientSecurity& security) {
  DemonstrationChunking chunking;
  chunking.job_id = job_id;
  absl::StatusOr<Demonstrations> demonstrations =
      LoadDemonstrations(file, chunking);
  if (!demonstrations.ok()) {
    return Fail(demonstrations.status(), kExitUsage);
  }
  JobClient client(learner, security);
  absl::StatusOr<v1::Job> job = client.Get(job_id);
  if (!job.ok()) return Fail(job.status());
  if (job->state() != v1::RUNNING) {
    return Fail(absl::FailedPreconditionError(
        absl::StrCat("job ", job_id, " is ", v1::JobState_Name(job->state()),
                     "; demonstrations go to a running job's table")));
  }
  const std::string address = replay.empty() ? job->replay_address() : replay;
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  // A writer id of its own: replay de-duplicates by (writer, sequence).
  const std::string writer = absl::StrCat("upload-", host, "-", getpid(), "-",
                                          absl::ToUnixMicros(absl::Now()));
  const absl::Status uploaded =
      UploadChunks(address, security, writer, std::move(demonstrations->chunks),
                   absl::Now() + absl::Minutes(10));
  if (!uploaded.ok()) return Fail(uploaded);
  std::printf("uploaded %s transitions (%s episodes) to job %s\n",
              WithThousands(demonstrations->transitions).c_str(),
              WithThousands(demonstrations->episodes).c_str(), job_id.c_str());
  return kExitOk;
}

int DemosRecordCommand(const std::string& file,
                       const DemosRecordOptions& options) {
  std::string env_id = options.env_id;
  absl::StatusOr<ExpertPolicy> expert;
  if (!options.checkpoint.empty()) {
    std::string job_env;
    expert = CheckpointExpert(options.checkpoint, options.greedy, options.seed,
                              &job_env);
    if (expert.ok() && !env_id.empty() && env_id != job_env) {
      expert = absl::InvalidArgumentError(absl::StrCat(
          "--env=", env_id, " but the checkpoint's job ran ", job_env));
    }
    env_id = job_env;
  } else if (env_id.empty()) {
    expert = absl::InvalidArgumentError(
        "demos record needs --checkpoint=RUN_DIR or --env=ID");
  } else {
    expert = SoftOptimalExpert(env_id, options.temperature, options.seed);
  }
  if (!expert.ok()) {
    return Fail(expert.status(), kExitUsage);
  }
  absl::StatusOr<RecordedEpisodes> recorded =
      RecordEpisodes(env_id, *expert, options.episodes, options.seed);
  absl::Status written =
      recorded.ok() ? WriteNpz(file, recorded->arrays) : recorded.status();
  if (!written.ok()) {
    return Fail(written, kExitJobFailed);
  }
  std::printf(
      "recorded %d episodes (%s steps) of %s to %s: mean return %.2f "
      "(min %.2f, max %.2f)\n",
      recorded->episodes, WithThousands(recorded->steps).c_str(),
      env_id.c_str(), file.c_str(), recorded->mean_return, recorded->min_return,
      recorded->max_return);
  return kExitOk;
}

int EvalCommand(const std::string& run_dir, const EvalOptions& options) {
  absl::StatusOr<RunCheckpoint> checkpoint = LoadRunCheckpoint(run_dir);
  if (!checkpoint.ok()) {
    return Fail(checkpoint.status(), kExitUsage);
  }
  EvaluationOptions evaluation;
  evaluation.env = checkpoint->spec.env();
  evaluation.episodes = options.episodes;
  evaluation.greedy = options.greedy;
  evaluation.seed = options.seed;
  absl::StatusOr<v1::EvalResult> result =
      Evaluate(checkpoint->policy, checkpoint->weights, evaluation);
  if (!result.ok()) return Fail(result.status());
  std::printf(
      "%s, %s policy: return %.1f ± %.1f over %d episodes (min %.1f, "
      "max %.1f)\n",
      evaluation.env.id().c_str(),
      options.greedy ? "deterministic" : "sampled",
      result->mean_return(), result->std_return(), result->episodes(),
      result->min_return(), result->max_return());
  return kExitOk;
}

int ExportCommand(const std::string& run_dir, const std::string& output) {
  absl::StatusOr<RunCheckpoint> checkpoint = LoadRunCheckpoint(run_dir);
  if (!checkpoint.ok()) return Fail(checkpoint.status(), kExitUsage);
  const std::string path = output.empty() ? run_dir + "/policy.pt" : output;
  const absl::Status exported =
      ExportTorchScript(checkpoint->policy, checkpoint->weights, path);
  if (!exported.ok()) return Fail(exported);
  const v1::PolicySpec& policy = checkpoint->policy;
  const bool discrete = !policy.has_tanh_gaussian();
  const int64_t observation_size =
      policy.has_boltzmann()        ? policy.boltzmann().observation_size()
      : policy.has_bootstrapped_q() ? policy.bootstrapped_q().observation_size()
                                    : policy.tanh_gaussian().observation_size();
  std::printf(
      "wrote %s (%s policy of %s, weights version %lld)\n"
      "  policy = torch.jit.load(\"%s\")\n"
      "  policy(obs)  # obs: float32 [B, %lld] -> %s\n",
      path.c_str(),
      policy.has_boltzmann()        ? "Boltzmann"
      : policy.has_bootstrapped_q() ? "bootstrapped Q (the heads' mean)"
                                    : "tanh-Gaussian",
      checkpoint->spec.env().id().c_str(),
      static_cast<long long>(checkpoint->weights.version()), path.c_str(),
      static_cast<long long>(observation_size),
      discrete ? "Q values [B, actions]; policy.act(obs), "
                 "policy.probabilities(obs)"
               : "actions [B, A]; policy.distribution(obs)");
  return kExitOk;
}

int CancelCommand(const std::string& job_id, const std::string& learner,
                  const ClientSecurity& security) {
  JobClient client(learner, security);
  absl::StatusOr<v1::Job> job = client.Cancel(job_id);
  if (!job.ok()) return Fail(job.status());
  std::printf("%s %s\n", job->id().c_str(),
              job->state() == v1::PENDING || job->state() == v1::RUNNING
                  ? "cancelling"
                  : v1::JobState_Name(job->state()).c_str());
  return kExitOk;
}

}  // namespace entropic
