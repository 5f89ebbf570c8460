#include "learner/trainer.h"

#include <glog/logging.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "actor/adders/upload.h"
#include "common/demonstrations.h"
#include "common/env/registry.h"
#include "common/grpc_status.h"
#include "common/job_file.h"
#include "common/replay_columns.h"
#include "common/status_macros.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "learner/algorithms/factory.h"
#include "learner/curves.h"
#include "learner/evaluator.h"
#include "learner/bandit_job.h"
#include "learner/maxent_irl_job.h"
#include "learner/replay_sampler.h"
#include "learner/reward_models/factory.h"
#include "learner/reward_models/hashed_count_bonus.h"
#include "learner/run_checkpoint.h"

namespace entropic {
namespace {

constexpr char kAgentTable[] = "agent";
// A restarted job's first version skips this many past the newest its
// record saw: more than a learner publishes between two records (one a
// second), so no actor holds a version at or above it.
constexpr int64_t kVersionsPerRecordInterval = 10000;
constexpr char kDemonstrationsTable[] = "demonstrations";
// Longest chunk the demonstrations table takes: what files are cut into.
const int kDemonstrationChunkLength = DemonstrationChunking().max_chunk_length;

v1::TableConfig::Sampler TableSampler(v1::TableSpec::Sampler sampler) {
  switch (sampler) {
    case v1::TableSpec::PRIORITIZED:
      return v1::TableConfig::PRIORITIZED;
    case v1::TableSpec::FIFO:
      return v1::TableConfig::FIFO;
    default:
      return v1::TableConfig::UNIFORM;
  }
}

// Moves linearly from `start` to `end` over `span` updates.
double Anneal(double start, double end, int64_t updates, int64_t span) {
  if (span <= 0) return end;
  const double progress =
      std::min(1.0, static_cast<double>(updates) / static_cast<double>(span));
  return start + (end - start) * progress;
}

v1::CreateTablesRequest TablesFor(const LiveJob& job,
                                  const EnvironmentInfo& env) {
  const v1::JobSpec& spec = job.spec();
  const v1::TableSpec& agent_spec = spec.replay().agent();
  v1::CreateTablesRequest request;
  request.set_job_id(job.id());
  v1::TableConfig& agent = *request.add_tables();
  agent.set_name(kAgentTable);
  agent.mutable_observation()->set_dtype(v1::DTYPE_FLOAT32);
  agent.mutable_observation()->add_shape(env.observation_space.FlatSize());
  if (env.action_space.kind == Space::Kind::kDiscrete) {
    agent.mutable_action()->set_dtype(v1::DTYPE_INT64);
  } else {
    agent.mutable_action()->set_dtype(v1::DTYPE_FLOAT32);
    agent.mutable_action()->add_shape(env.action_space.FlatSize());
  }
  // The behaviour policy's log-probability of each action, written by
  // actors beside the action.
  v1::ColumnSpec& behaviour_log_prob = *agent.add_extra_columns();
  behaviour_log_prob.set_name(kBehaviourLogProbColumn);
  behaviour_log_prob.mutable_spec()->set_dtype(v1::DTYPE_FLOAT32);
  // Hashed counts: replay counts every actor's observations and returns
  // each sampled transition's count (kVisitCountColumn).
  if (spec.exploration().has_hashed_counts()) {
    *agent.mutable_visit_counts() = VisitCountConfigFor(
        spec.exploration().hashed_counts(), env.observation_space);
  }
  // Bootstrapped heads: each step's mask over the K heads, drawn by actors.
  if (spec.exploration().has_bootstrapped_heads()) {
    v1::ColumnSpec& mask = *agent.add_extra_columns();
    mask.set_name(kBootstrapMaskColumn);
    mask.mutable_spec()->set_dtype(v1::DTYPE_FLOAT32);
    mask.mutable_spec()->add_shape(
        spec.exploration().bootstrapped_heads().heads());
  }
  agent.set_capacity(agent_spec.capacity());
  agent.set_capacity_bytes(agent_spec.capacity_bytes());
  agent.set_max_chunk_length(spec.replay().chunk_length());
  agent.set_sampler(TableSampler(agent_spec.sampler()));
  agent.set_priority_exponent(agent_spec.priority_exponent());
  agent.set_importance_exponent(agent_spec.importance_exponent());
  agent.set_max_policy_lag(agent_spec.max_policy_lag());
  agent.set_durable(spec.replay().durable());
  v1::RateLimit& limit = *agent.mutable_rate_limit();
  limit.set_min_size_to_sample(agent_spec.min_size());
  limit.set_samples_per_insert(agent_spec.samples_per_insert());
  limit.set_error_buffer(agent_spec.error_buffer());

  // Demonstrations: their own table, sampled freely once it holds any.
  v1::TableConfig& demonstrations = *request.add_tables();
  demonstrations.set_name(kDemonstrationsTable);
  *demonstrations.mutable_observation() = agent.observation();
  *demonstrations.mutable_action() = agent.action();
  demonstrations.set_capacity(spec.replay().demonstrations().capacity());
  demonstrations.set_max_chunk_length(kDemonstrationChunkLength);
  demonstrations.set_sampler(v1::TableConfig::UNIFORM);
  demonstrations.set_durable(spec.replay().durable());
  demonstrations.mutable_rate_limit()->set_min_size_to_sample(1);
  return request;
}

// What every actor of the job is told besides its ids: the table its chunks
// go to, with the extra columns `tables` declares for it, and the policy to
// build.
v1::WorkAssignment ActorWork(const v1::CreateTablesRequest& tables,
                             const v1::PolicySpec& policy) {
  v1::WorkAssignment work;
  *work.mutable_policy() = policy;
  work.set_table(kAgentTable);
  for (const v1::TableConfig& table : tables.tables()) {
    if (table.name() != kAgentTable) continue;
    for (const v1::ColumnSpec& column : table.extra_columns()) {
      work.add_columns(column.name());
    }
  }
  return work;
}

// Creates the job's tables, retrying while replay is unreachable.
absl::Status CreateTables(v1::ReplayService::Stub& replay,
                          const v1::CreateTablesRequest& request,
                          const LiveJob& job, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  absl::Duration delay = absl::Milliseconds(100);
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    v1::CreateTablesResponse response;
    const grpc::Status status =
        replay.CreateTables(&context, request, &response);
    if (status.ok()) return absl::OkStatus();
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
        status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
      return FromGrpcStatus(status);
    }
    if (absl::Now() + delay > give_up || job.cancel_requested()) {
      return absl::UnavailableError(
          absl::StrCat("replay unreachable: ", status.error_message()));
    }
    absl::SleepFor(delay);
    delay = std::min(delay * 2, absl::Seconds(2));
  }
}

void DeleteTables(v1::ReplayService::Stub& replay, const std::string& job_id) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  v1::DeleteTablesRequest request;
  request.set_job_id(job_id);
  v1::DeleteTablesResponse response;
  const grpc::Status status = replay.DeleteTables(&context, request, &response);
  if (!status.ok()) {
    LOG(WARNING) << "could not drop the replay tables of job " << job_id << ": "
                 << status.error_message();
  }
}

// One training run; may throw c10::Error, which RunTraining catches.
class Run {
 public:
  Run(LiveJob& job, const TrainerOptions& options)
      : job_(job),
        spec_(job.spec()),
        options_(options),
        output_dir_(job.Snapshot().output_dir()),
        metrics_(options.metrics->ForJob(job.id())),
        replay_(v1::ReplayService::NewStub(CreateEntropicChannel(
            options.replay_address, options.replay_security))) {}

  TrainingOutcome Execute() {
    absl::StatusOr<TrainingOutcome> outcome;
    try {
      outcome = Train();
    } catch (const c10::Error& e) {
      LOG(ERROR) << "job " << job_.id() << ": " << e.what();
      outcome = absl::InternalError(
          absl::StrCat("training failed: ", e.what_without_backtrace()));
    } catch (const std::exception& e) {
      outcome =
          absl::InternalError(absl::StrCat("training failed: ", e.what()));
    }
    job_.SetAcceptingActors(false);
    options_.parameters->Close(job_.id());
    if (tables_created_) DeleteTables(*replay_, job_.id());
    if (!outcome.ok()) {
      return {v1::FAILED, std::string(outcome.status().message())};
    }
    return *outcome;
  }

 private:
  absl::StatusOr<TrainingOutcome> Train() {
    ASSIGN_OR_RETURN(std::unique_ptr<Environment> env,
                     MakeEnvironment(spec_.env()));
    const EnvironmentInfo env_info = env->info();

    const v1::CreateTablesRequest tables = TablesFor(job_, env_info);
    RETURN_IF_ERROR(
        CreateTables(*replay_, tables, job_, options_.replay_timeout));
    tables_created_ = true;
    RETURN_IF_ERROR(LoadDemonstrationFile());
    ASSIGN_OR_RETURN(algorithm_,
                     MakeAlgorithm(spec_, env_info, options_.device));
    ASSIGN_OR_RETURN(reward_models_, MakeRewardModels(spec_, env_info,
                                                      algorithm_->device()));
    statistics_ = algorithm_->statistics();
    for (const auto& model : reward_models_) {
      AddStatistics(statistics_, model->statistics());
    }
    statistic_gauges_ =
        options_.metrics->StatisticGauges(job_.id(), statistics_);
    plan_ = algorithm_->sampling();
    RETURN_IF_ERROR(ResumeIfRestarted());
    job_.SetActorWork(ActorWork(tables, algorithm_->policy()));
    Publish();
    // Behaviour-cloning pretraining runs on demonstrations alone, before
    // any actor joins.
    bool accepting_actors = algorithm_->updates() >= plan_.pretrain_updates;
    job_.SetAcceptingActors(accepting_actors);

    ReplaySampler::Options sampler_options;
    sampler_options.job_id = job_.id();
    sampler_options.table = kAgentTable;
    sampler_options.batch_size = plan_.batch_size;
    sampler_options.n_step = plan_.n_step;
    sampler_options.gamma = plan_.gamma;
    const v1::DemonstrationsSpec& demonstrations =
        spec_.replay().demonstrations();
    if (demonstrations.fraction() > 0 || demonstrations.final_fraction() > 0) {
      sampler_options.demonstrations_table = kDemonstrationsTable;
    }
    sampler_options.device = algorithm_->device();
    // Replay comes back from a restart in seconds: reconnect at least once
    // a second, not on gRPC's default backoff (growing up to 2 minutes).
    grpc::ChannelArguments sampler_args;
    sampler_args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    sampler_args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    sampler_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    ReplaySampler sampler(
        CreateEntropicChannel(options_.replay_address, options_.replay_security,
                              sampler_args),
        sampler_options);
    sampler.SetMix(MixAt(algorithm_->updates()));
    Curves curves(output_dir_, statistics_);
    start_ = absl::Now();
    Statistics last_statistics;
    int64_t last_eval_updates = -1;
    TrainingOutcome outcome;
    while (true) {
      if (job_.cancel_requested()) {
        outcome = {v1::CANCELLED, "cancelled"};
        break;
      }
      if (std::optional<std::string> reason = StopReason()) {
        outcome = {v1::SUCCEEDED, *reason};
        break;
      }
      const absl::Time wait_start = absl::Now();
      absl::StatusOr<TransitionBatch> batch =
          sampler.Next(absl::Milliseconds(200));
      metrics_->sample_wait->Increment(
          absl::ToDoubleSeconds(absl::Now() - wait_start));
      if (batch.status().code() == absl::StatusCode::kDeadlineExceeded) {
        continue;
      }
      if (batch.status().code() == absl::StatusCode::kNotFound) {
        // Replay restarted and lost the tables: make them again.
        LOG(WARNING) << "job " << job_.id() << ": " << batch.status()
                     << "; recreating the replay tables";
        RETURN_IF_ERROR(
            CreateTables(*replay_, tables, job_, options_.replay_timeout));
        continue;
      }
      RETURN_IF_ERROR(batch.status());

      metrics_->policy_lag->Observe(
          static_cast<double>(version_) -
          batch->policy_versions.to(torch::kFloat64).mean().item<double>());
      const absl::Time update_start = absl::Now();
      // Reward models first (a discriminator replaces the environment's
      // reward, bonuses add to it), then the algorithm's update.
      Statistics statistics;
      for (const auto& model : reward_models_) {
        statistics.merge(model->Process(*batch, *algorithm_));
      }
      AlgorithmUpdate update = algorithm_->Update(*batch);
      statistics.merge(update.statistics);
      metrics_->update_seconds->Observe(
          absl::ToDoubleSeconds(absl::Now() - update_start));
      RecordUpdate(statistics);
      last_statistics = std::move(statistics);
      const int64_t updates = algorithm_->updates();
      if (spec_.replay().agent().sampler() == v1::TableSpec::PRIORITIZED &&
          update.priorities.defined()) {
        UpdatePriorities(*batch, update.priorities);
      }
      sampler.SetMix(MixAt(updates));
      const bool pretrained =
          !accepting_actors && updates >= plan_.pretrain_updates;
      if (pretrained) {
        LOG(INFO) << "job " << job_.id() << ": pretrained on demonstrations "
                  << "for " << updates << " updates; actors join";
        Publish();
        job_.SetAcceptingActors(true);
        accepting_actors = true;
      } else if (updates % plan_.publish_every_updates == 0) {
        Publish();
      }
      if (updates % 250 == 0) {
        curves.Training(Seconds(), job_.Snapshot().progress(),
                        last_statistics);
      }
      curves.Episodes(Seconds(), job_.env_steps(), job_.TakeEpisodes());
      if (pretrained || updates % spec_.eval().every_updates() == 0) {
        // A learner restart resumes from here.
        RETURN_IF_ERROR(SaveCheckpoint());
        ASSIGN_OR_RETURN(const v1::EvalResult eval, Evaluate(curves));
        last_eval_updates = updates;
        if (spec_.stop().has_eval_return() &&
            eval.mean_return() >= spec_.stop().eval_return()) {
          outcome = {
              v1::SUCCEEDED,
              absl::StrFormat("evaluation return %.1f reached the "
                              "target %.1f",
                              eval.mean_return(), spec_.stop().eval_return())};
          break;
        }
      }
    }
    sampler.Stop();
    curves.Episodes(Seconds(), job_.env_steps(), job_.TakeEpisodes());
    if (outcome.state == v1::SUCCEEDED &&
        last_eval_updates != algorithm_->updates()) {
      RETURN_IF_ERROR(Evaluate(curves).status());
    }
    Publish();
    RETURN_IF_ERROR(SaveCheckpoint());
    return outcome;
  }

  // Writes the algorithm, the reward models and the published policy
  // (policy.json, weights.pb) to <output_dir>/checkpoint, replacing the
  // previous checkpoint only once the new one is complete (a crash mid-write
  // leaves the old one, as checkpoint.old at worst).
  absl::Status SaveCheckpoint() {
    const std::string final_dir = output_dir_ + "/checkpoint";
    const std::string next = final_dir + ".next";
    const std::string old = final_dir + ".old";
    std::error_code error;
    std::filesystem::remove_all(next, error);
    std::filesystem::create_directories(next, error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("cannot create ", next, ": ", error.message()));
    }
    RETURN_IF_ERROR(algorithm_->Save(next));
    for (const auto& model : reward_models_) {
      RETURN_IF_ERROR(model->Save(next));
    }
    RETURN_IF_ERROR(WritePolicyFiles(next, algorithm_->policy(), *published_));
    std::filesystem::remove_all(old, error);
    if (std::filesystem::exists(final_dir)) {
      std::filesystem::rename(final_dir, old, error);
    }
    std::filesystem::rename(next, final_dir, error);
    if (error) {
      return absl::InternalError(absl::StrCat(
          "cannot move ", next, " to ", final_dir, ": ", error.message()));
    }
    std::filesystem::remove_all(old, error);
    return absl::OkStatus();
  }

  // A job picked up again after a learner restart goes on from its last
  // checkpoint, if it wrote one. Either way its weights versions continue
  // above every version it published before (the checkpoint's, and the one
  // its durable record last saw), so actors that hold a newer version than
  // the checkpoint's still take the restarted learner's weights.
  absl::Status ResumeIfRestarted() {
    const v1::Job saved = job_.Snapshot();
    if (saved.restarts() == 0) return absl::OkStatus();
    int64_t published = saved.progress().policy_version();
    std::string checkpoint = output_dir_ + "/checkpoint";
    if (!std::filesystem::exists(checkpoint)) checkpoint += ".old";
    if (!std::filesystem::exists(checkpoint)) {
      LOG(INFO) << "job " << job_.id() << ": restarted without a checkpoint; "
                << "training starts over";
    } else {
      RETURN_IF_ERROR(algorithm_->Load(checkpoint));
      for (const auto& model : reward_models_) {
        RETURN_IF_ERROR(model->Load(checkpoint));
      }
      absl::StatusOr<v1::Weights> weights = ReadCheckpointWeights(checkpoint);
      if (weights.ok()) published = std::max(published, weights->version());
      LOG(INFO) << "job " << job_.id() << ": resumed from " << checkpoint
                << " at " << algorithm_->updates() << " updates";
    }
    // The record is written once a second: publishes after it are not in
    // it. Skip past as many as could have happened since.
    version_ = published + 1 + kVersionsPerRecordInterval;
    return absl::OkStatus();
  }

  // Inserts the job's demonstrations file, if it names one. After a learner
  // restart the same chunks go again under the same writer id: replay drops
  // those it still holds as duplicates.
  absl::Status LoadDemonstrationFile() {
    const std::string& path = spec_.replay().demonstrations().path();
    if (path.empty()) return absl::OkStatus();
    DemonstrationChunking chunking;
    chunking.job_id = job_.id();
    chunking.table = kDemonstrationsTable;
    chunking.max_chunk_length = kDemonstrationChunkLength;
    ASSIGN_OR_RETURN(Demonstrations demonstrations,
                     LoadJobDemonstrations(path, chunking));
    RETURN_IF_ERROR(
        UploadChunks(options_.replay_address, options_.replay_security,
                     "demonstrations-file", std::move(demonstrations.chunks),
                     absl::Now() + absl::Minutes(5)));
    LOG(INFO) << "job " << job_.id() << ": loaded "
              << demonstrations.transitions << " demonstration transitions ("
              << demonstrations.episodes << " episodes) from " << path;
    return absl::OkStatus();
  }

  // The demonstration share and importance exponent after `updates`: only
  // demonstrations while pretraining.
  ReplaySampler::Mix MixAt(int64_t updates) const {
    const v1::DemonstrationsSpec& demonstrations =
        spec_.replay().demonstrations();
    const v1::TableSpec& agent = spec_.replay().agent();
    ReplaySampler::Mix mix;
    mix.demonstration_fraction =
        updates < plan_.pretrain_updates ? 1.0
        : demonstrations.has_final_fraction()
            ? Anneal(demonstrations.fraction(), demonstrations.final_fraction(),
                     updates, demonstrations.anneal_updates())
            : demonstrations.fraction();
    if (agent.sampler() == v1::TableSpec::PRIORITIZED) {
      mix.importance_exponent =
          Anneal(agent.importance_exponent(), 1.0, updates,
                 agent.importance_anneal_updates());
    }
    return mix;
  }

  // New priorities |TD error| of the agent transitions of a batch.
  void UpdatePriorities(const TransitionBatch& batch,
                        const torch::Tensor& td_errors) {
    v1::UpdatePrioritiesRequest request;
    request.set_job_id(job_.id());
    request.set_table(kAgentTable);
    const int64_t* keys = batch.keys.data_ptr<int64_t>();
    const bool* demonstration = batch.from_demonstrations.data_ptr<bool>();
    const torch::Tensor errors = td_errors.to(torch::kFloat64).contiguous();
    const double* error = errors.data_ptr<double>();
    for (int64_t i = 0; i < batch.keys.numel(); ++i) {
      if (demonstration[i]) continue;
      request.add_keys(keys[i]);
      // A small floor keeps every transition drawable.
      request.add_priorities(error[i] + 1e-6);
    }
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    v1::UpdatePrioritiesResponse response;
    const grpc::Status status =
        replay_->UpdatePriorities(&context, request, &response);
    if (!status.ok()) {
      LOG_EVERY_N(WARNING, 100)
          << "job " << job_.id()
          << ": priority update failed: " << status.error_message();
    }
  }

  // Why the job should stop now, if it should.
  std::optional<std::string> StopReason() const {
    const v1::StopSpec& stop = spec_.stop();
    const int64_t env_steps = job_.env_steps();
    if (stop.env_steps() > 0 && env_steps >= stop.env_steps()) {
      return absl::StrCat("reached ", env_steps, " environment steps");
    }
    if (stop.updates() > 0 && algorithm_->updates() >= stop.updates()) {
      return absl::StrCat("reached ", algorithm_->updates(), " updates");
    }
    if (stop.has_wall_time()) {
      const absl::Duration limit = absl::Seconds(stop.wall_time().seconds()) +
                                   absl::Nanoseconds(stop.wall_time().nanos());
      if (absl::Now() - start_ >= limit) {
        return absl::StrCat("reached the wall time of ",
                            absl::FormatDuration(limit));
      }
    }
    return std::nullopt;
  }

  // The algorithm's current weights under the version the next Publish
  // gives them.
  v1::Weights CurrentWeights() const {
    v1::Weights weights = algorithm_->Weights();
    weights.set_job_id(job_.id());
    weights.set_version(version_);
    return weights;
  }

  void Publish() {
    auto weights = std::make_shared<const v1::Weights>(CurrentWeights());
    if (published_ == nullptr) {
      options_.parameters->Open(job_.id(), weights);
    } else {
      absl::Status status = options_.parameters->Publish(weights);
      if (!status.ok()) LOG(WARNING) << status;
    }
    published_ = std::move(weights);
    metrics_->published_version->Set(version_);
    ++version_;
  }

  void RecordUpdate(const Statistics& statistics) {
    metrics_->updates->Increment();
    for (size_t i = 0; i < statistics_.size(); ++i) {
      auto found = statistics.find(statistics_[i].name);
      if (found != statistics.end()) statistic_gauges_[i]->Set(found->second);
    }
    auto value = [&](const char* name) {
      auto found = statistics.find(name);
      return found == statistics.end() ? 0.0 : found->second;
    };
    TrainingStats stats;
    stats.updates = algorithm_->updates();
    stats.policy_version = version_ - 1;
    stats.loss = value("loss");
    stats.temperature = value("temperature");
    stats.policy_entropy = value("policy_entropy_nats");
    job_.RecordTraining(stats);
  }

  absl::StatusOr<v1::EvalResult> Evaluate(Curves& curves) {
    EvaluationOptions eval_options;
    eval_options.env = spec_.env();
    eval_options.episodes = spec_.eval().episodes();
    eval_options.greedy = spec_.eval().greedy();
    eval_options.seed = spec_.seed() + 7919 * algorithm_->updates();
    ASSIGN_OR_RETURN(v1::EvalResult eval,
                     entropic::Evaluate(algorithm_->policy(),
                                        CurrentWeights(), eval_options));
    eval.set_updates(algorithm_->updates());
    eval.set_env_steps(job_.env_steps());
    metrics_->eval_return->Set(eval.mean_return());
    curves.Evaluation(Seconds(), eval);
    job_.RecordEvaluation(eval);
    LOG(INFO) << "job " << job_.id() << ": evaluation after " << eval.updates()
              << " updates, " << eval.env_steps() << " env steps: mean return "
              << eval.mean_return();
    return eval;
  }

  double Seconds() const { return absl::ToDoubleSeconds(absl::Now() - start_); }

  LiveJob& job_;
  const v1::JobSpec& spec_;
  const TrainerOptions& options_;
  const std::string output_dir_;
  const std::unique_ptr<JobMetrics> metrics_;
  const std::unique_ptr<v1::ReplayService::Stub> replay_;
  std::unique_ptr<Algorithm> algorithm_;
  // Run on each batch, in order, before the algorithm's update.
  std::vector<std::unique_ptr<RewardModel>> reward_models_;
  SamplingPlan plan_;
  // The algorithm's and the models' statistics, and a gauge for each.
  std::vector<StatisticSpec> statistics_;
  std::vector<prometheus::Gauge*> statistic_gauges_;
  // The version the next Publish gets, and the newest published weights
  // (null before the first Publish opens the job's weights).
  int64_t version_ = 0;
  std::shared_ptr<const v1::Weights> published_;
  bool tables_created_ = false;
  absl::Time start_ = absl::Now();
};

}  // namespace

TrainingOutcome RunTraining(LiveJob& job, const TrainerOptions& options) {
  // The spec beside the results, defaults filled in: what ran, and what
  // `entropic demos record --checkpoint` rebuilds the policy from.
  const std::string output_dir = job.Snapshot().output_dir();
  std::error_code error;
  std::filesystem::create_directories(output_dir, error);
  if (error) {
    return {v1::FAILED,
            absl::StrCat("cannot create ", output_dir, ": ", error.message())};
  }
  std::ofstream(output_dir + "/job.json") << JobSpecToJson(job.spec());
  if (job.spec().algorithm().has_maxent_irl()) {
    return RunMaxEntIrlJob(job, *options.metrics->ForJob(job.id()));
  }
  if (job.spec().algorithm().has_bandit()) {
    return RunBanditJob(job, *options.metrics);
  }
  return Run(job, options).Execute();
}

}  // namespace entropic
