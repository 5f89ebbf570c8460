#include "tests/fault/chaos.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <memory>
#include <random>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "actor/adders/replay_writer.h"
#include "common/security.h"
#include "common/tensor.h"
#include "common/testing/http_get.h"
#include "entropic/v1/jobs.grpc.pb.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "prometheus/registry.h"
#include "replay/testing/chunks.h"
#include "tests/integration/child_process.h"

namespace entropic::testing {
namespace {

constexpr char kProbeJob[] = "chaos-probe";
constexpr char kProbeTable[] = "probe";
constexpr absl::Duration kComeBack = absl::Seconds(60);

struct Ports {
  int grpc = 0;
  int metrics = 0;
};

// A process started and ready, with its ports.
struct Server {
  std::unique_ptr<ChildProcess> process;
  Ports ports;
  absl::Time ready;
};

absl::StatusOr<Server> StartReady(const std::vector<std::string>& argv,
                                  const std::string& name) {
  Server server;
  absl::StatusOr<std::unique_ptr<ChildProcess>> started =
      ChildProcess::Start(argv);
  if (!started.ok()) return started.status();
  server.process = std::move(started).value();
  absl::StatusOr<std::string> line =
      server.process->WaitForLine(name + " ready", absl::Now() + kComeBack);
  if (!line.ok()) {
    return absl::UnavailableError(
        absl::StrCat(name, " did not start: ", line.status().ToString()));
  }
  server.ready = absl::Now();
  for (absl::string_view field : absl::StrSplit(*line, ' ')) {
    if (absl::ConsumePrefix(&field, "grpc_port=")) {
      (void)absl::SimpleAtoi(field, &server.ports.grpc);
    } else if (absl::ConsumePrefix(&field, "metrics_port=")) {
      (void)absl::SimpleAtoi(field, &server.ports.metrics);
    }
  }
  return server;
}

// The sum of a metric's samples in a Prometheus text exposition.
double MetricValue(const std::string& exposition, const std::string& name) {
  double total = 0;
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::StartsWith(line, name)) continue;
    const absl::string_view rest = line.substr(name.size());
    if (rest.empty() || (rest[0] != ' ' && rest[0] != '{')) continue;
    double value = 0;
    if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) {
      total += value;
    }
  }
  return total;
}

// Chunks an actor process has had acknowledged; -1 if it cannot be scraped.
double ActorAcknowledged(int metrics_port) {
  absl::StatusOr<std::string> body = HttpGet(metrics_port, "/metrics");
  if (!body.ok()) return -1;
  return MetricValue(*body, "entropic_actor_chunks_acknowledged_total");
}

// The job: `actors` processes and one spare slot. The learner keeps a
// killed actor's slot until it has been silent for its actor timeout (30 s),
// so without the spare a restarted actor would wait that long for work.
v1::JobSpec ChaosJob(int actors, int64_t updates) {
  v1::JobSpec spec;
  spec.set_name("chaos");
  spec.mutable_env()->set_id("CartPole-v1");
  spec.mutable_env()->set_num_envs(4);
  spec.set_actors(actors + 1);
  v1::SoftQSpec& q = *spec.mutable_algorithm()->mutable_soft_q();
  q.set_batch_size(32);
  q.add_hidden(32);
  q.set_publish_every_updates(20);
  spec.mutable_replay()->set_chunk_length(16);
  spec.mutable_replay()->set_durable(true);
  spec.mutable_replay()->mutable_agent()->set_min_size(200);
  // 64 new transitions an update: the job's pace is the actors', so the
  // rounds spread over its updates come at steady intervals of time.
  spec.mutable_replay()->mutable_agent()->set_samples_per_insert(0.5);
  spec.mutable_stop()->set_updates(updates);
  // Every evaluation is a checkpoint the learner resumes from.
  spec.mutable_eval()->set_every_updates(100);
  spec.mutable_eval()->set_episodes(2);
  return spec;
}

bool IsFinal(v1::JobState state) {
  return state == v1::SUCCEEDED || state == v1::FAILED ||
         state == v1::CANCELLED;
}

// Replay rounds: each writer's and the learner's time to come back.
std::string Details(const ChaosRound& round) {
  if (round.writers.empty()) return "";
  std::string details = " (probe";
  for (size_t i = 0; i < round.writers.size(); ++i) {
    if (i > 0) absl::StrAppend(&details, ", actor ", i - 1);
    absl::StrAppend(&details, " ", absl::FormatDuration(round.writers[i]));
  }
  absl::StrAppend(&details, "; learner sampling again after ",
                  absl::FormatDuration(round.learner_sampling), ")");
  return details;
}

class Chaos {
 public:
  explicit Chaos(const ChaosOptions& options)
      : options_(options), rng_(options.seed) {}

  absl::StatusOr<ChaosReport> Run();

 private:
  void Log(const std::string& line) {
    if (options_.log) options_.log(line);
  }
  std::vector<std::string> ReplayArgs() const {
    return {options_.replay_bin, "--host=127.0.0.1",
            absl::StrCat("--port=", replay_port_), "--metrics_port=0",
            "--checkpoint_dir=" + options_.work_dir + "/replay"};
  }
  std::vector<std::string> LearnerArgs() const {
    return {options_.learner_bin,
            "--host=127.0.0.1",
            absl::StrCat("--port=", learner_port_),
            "--metrics_port=0",
            "--torch_threads=1",
            absl::StrCat("--replay=127.0.0.1:", replay_port_),
            "--output_dir=" + options_.work_dir + "/learner"};
  }
  std::vector<std::string> ActorArgs(int i) const {
    return {options_.actor_bin, "--metrics_host=127.0.0.1", "--metrics_port=0",
            absl::StrCat("--name=chaos-actor-", i),
            absl::StrCat("--learner=127.0.0.1:", learner_port_)};
  }
  absl::StatusOr<Server> StartReplay() {
    absl::StatusOr<Server> server = StartReady(ReplayArgs(), "entropic-replay");
    if (server.ok()) {
      replay_port_ = server->ports.grpc;
      if (replay_stub_ == nullptr) {
        replay_stub_ = v1::ReplayService::NewStub(CreateEntropicChannel(
            absl::StrCat("127.0.0.1:", replay_port_), ClientSecurity()));
      }
    }
    return server;
  }
  absl::StatusOr<Server> StartLearner() {
    absl::StatusOr<Server> server =
        StartReady(LearnerArgs(), "entropic-learner");
    if (server.ok()) {
      learner_port_ = server->ports.grpc;
      if (jobs_ == nullptr) {
        jobs_ = v1::JobsService::NewStub(CreateEntropicChannel(
            absl::StrCat("127.0.0.1:", learner_port_), ClientSecurity()));
      }
    }
    return server;
  }
  absl::StatusOr<v1::Job> GetJob() {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    v1::GetJobRequest request;
    request.set_job_id(job_id_);
    v1::Job job;
    const grpc::Status status = jobs_->GetJob(&context, request, &job);
    if (!status.ok()) return absl::UnavailableError(status.error_message());
    return job;
  }
  int64_t ProbeChunks() {
    return TableChunks(*replay_stub_, kProbeJob, kProbeTable);
  }
  absl::Status Round(Fault fault, ChaosRound& round);
  absl::Duration RandomDuration(absl::Duration max) {
    return absl::Milliseconds(std::uniform_int_distribution<int64_t>(
        0, absl::ToInt64Milliseconds(max))(rng_));
  }

  const ChaosOptions options_;
  std::mt19937_64 rng_;
  int replay_port_ = 0;
  int learner_port_ = 0;
  Server replay_, learner_;
  std::vector<Server> actors_;
  std::unique_ptr<v1::ReplayService::Stub> replay_stub_;
  std::unique_ptr<v1::JobsService::Stub> jobs_;
  std::unique_ptr<ProbeWriter> probe_;
  std::string job_id_;
  ChaosReport report_;
};

absl::Status Chaos::Round(Fault fault, ChaosRound& round) {
  round.fault = fault;
  const absl::Duration down = RandomDuration(options_.max_down);
  switch (fault) {
    case Fault::kReplay: {
      std::vector<double> before;
      replay_.process->Signal(SIGKILL);
      if (!replay_.process->Wait(absl::Now() + kComeBack).ok()) {
        return absl::InternalError("replay did not die");
      }
      round.acknowledged_at_kill = probe_->acknowledged();
      for (const Server& actor : actors_) {
        before.push_back(ActorAcknowledged(actor.ports.metrics));
      }
      absl::SleepFor(down);
      absl::StatusOr<Server> restarted = StartReplay();
      if (!restarted.ok()) return restarted.status();
      replay_ = std::move(restarted).value();
      round.held_after_restart = ProbeChunks();
      if (round.held_after_restart < 0) {
        return absl::UnavailableError("replay did not describe the probe table");
      }
      // Every actor and the probe writer have chunks acknowledged again.
      std::vector<bool> back(actors_.size(), false);
      bool probe_back = false;
      absl::Time last = replay_.ready;
      round.writers.assign(actors_.size() + 1, absl::InfiniteDuration());
      int64_t updates_then = -1;
      bool sampling = false;
      while (absl::Now() < replay_.ready + kComeBack) {
        for (size_t i = 0; i < actors_.size(); ++i) {
          if (!back[i] &&
              ActorAcknowledged(actors_[i].ports.metrics) > before[i]) {
            back[i] = true;
            last = std::max(last, absl::Now());
            round.writers[i + 1] = absl::Now() - replay_.ready;
          }
        }
        if (!probe_back && probe_->acknowledged() > round.acknowledged_at_kill) {
          probe_back = true;
          round.writers[0] = absl::Now() - replay_.ready;
        }
        if (!sampling) {
          absl::StatusOr<v1::Job> job = GetJob();
          if (job.ok() && updates_then < 0) {
            updates_then = job->progress().updates();
          } else if (job.ok() && job->progress().updates() > updates_then) {
            sampling = true;
            round.learner_sampling = absl::Now() - replay_.ready;
          }
        }
        if (probe_back && sampling &&
            std::all_of(back.begin(), back.end(), [](bool b) { return b; })) {
          round.rejoin = last - replay_.ready;
          return absl::OkStatus();
        }
        absl::SleepFor(absl::Milliseconds(20));
      }
      std::string missing = probe_back ? "" : " the probe writer";
      for (size_t i = 0; i < actors_.size(); ++i) {
        if (!back[i]) {
          absl::StrAppend(&missing, " actor ", i, " (acknowledged ", before[i],
                          " then ", ActorAcknowledged(actors_[i].ports.metrics),
                          ")");
        }
      }
      return absl::DeadlineExceededError(
          "writers did not come back to replay:" + missing);
    }
    case Fault::kLearner: {
      learner_.process->Signal(SIGKILL);
      if (!learner_.process->Wait(absl::Now() + kComeBack).ok()) {
        return absl::InternalError("the learner did not die");
      }
      round.acknowledged_at_kill = probe_->acknowledged();
      absl::SleepFor(down);
      absl::StatusOr<Server> restarted = StartLearner();
      if (!restarted.ok()) return restarted.status();
      learner_ = std::move(restarted).value();
      // The resumed job counts actors' steps again.
      int64_t first = -1;
      while (absl::Now() < learner_.ready + kComeBack) {
        absl::StatusOr<v1::Job> job = GetJob();
        if (job.ok()) {
          if (IsFinal(job->state())) {
            return absl::FailedPreconditionError(absl::StrCat(
                "the job ended after a learner restart: ", job->message()));
          }
          if (first < 0) {
            first = job->progress().env_steps();
          } else if (job->progress().env_steps() > first) {
            round.rejoin = absl::Now() - learner_.ready;
            return absl::OkStatus();
          }
        }
        absl::SleepFor(absl::Milliseconds(20));
      }
      return absl::DeadlineExceededError("actors did not come back to the job");
    }
    case Fault::kActor: {
      const int i = std::uniform_int_distribution<int>(
          0, static_cast<int>(actors_.size()) - 1)(rng_);
      actors_[i].process->Signal(SIGKILL);
      if (!actors_[i].process->Wait(absl::Now() + kComeBack).ok()) {
        return absl::InternalError("the actor did not die");
      }
      round.acknowledged_at_kill = probe_->acknowledged();
      absl::SleepFor(down);
      absl::StatusOr<Server> restarted =
          StartReady(ActorArgs(i), "entropic-actor");
      if (!restarted.ok()) return restarted.status();
      actors_[i] = std::move(restarted).value();
      while (absl::Now() < actors_[i].ready + kComeBack) {
        if (ActorAcknowledged(actors_[i].ports.metrics) > 0) {
          round.rejoin = absl::Now() - actors_[i].ready;
          return absl::OkStatus();
        }
        if (absl::StatusOr<v1::Job> job = GetJob();
            job.ok() && IsFinal(job->state())) {
          return absl::FailedPreconditionError(
              "the job ended before the new actor joined; give it more "
              "--updates");
        }
        absl::SleepFor(absl::Milliseconds(20));
      }
      return absl::DeadlineExceededError("the new actor never wrote");
    }
  }
  return absl::InternalError("unknown fault");
}

absl::StatusOr<ChaosReport> Chaos::Run() {
  std::filesystem::remove_all(options_.work_dir);
  std::filesystem::create_directories(options_.work_dir);
  absl::StatusOr<Server> replay = StartReplay();
  if (!replay.ok()) return replay.status();
  replay_ = std::move(replay).value();
  absl::StatusOr<Server> learner = StartLearner();
  if (!learner.ok()) return learner.status();
  learner_ = std::move(learner).value();
  for (int i = 0; i < options_.actors; ++i) {
    absl::StatusOr<Server> actor = StartReady(ActorArgs(i), "entropic-actor");
    if (!actor.ok()) return actor.status();
    actors_.push_back(std::move(actor).value());
  }
  if (absl::Status created =
          CreateFifoTable(*replay_stub_, kProbeJob, kProbeTable, true);
      !created.ok()) {
    return created;
  }
  probe_ = std::make_unique<ProbeWriter>(
      absl::StrCat("127.0.0.1:", replay_port_), kProbeJob, kProbeTable);

  const int64_t updates = options_.updates > 0
                              ? options_.updates
                              : 2000 + 1500 * int64_t{options_.rounds};
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::SubmitJobRequest request;
    *request.mutable_spec() = ChaosJob(options_.actors, updates);
    v1::Job job;
    const grpc::Status status = jobs_->SubmitJob(&context, request, &job);
    if (!status.ok()) {
      return absl::InternalError("SubmitJob: " + status.error_message());
    }
    job_id_ = job.id();
  }
  Log(absl::StrCat("job ", job_id_, " to ", updates, " updates"));

  // Round r comes at a random point of the r-th of `rounds` equal slices of
  // the job's first 85% of updates (slices start after 200 updates).
  const double span = 0.85 * static_cast<double>(updates) - 200;
  const double slice = span / std::max(1, options_.rounds);
  for (int r = 0; r < options_.rounds; ++r) {
    const int64_t at = 200 + static_cast<int64_t>(
                                 slice * r + std::uniform_real_distribution<>(
                                                 0.2, 0.8)(rng_) * slice);
    int64_t now = 0;
    const absl::Time give_up = absl::Now() + absl::Seconds(300);
    while (true) {
      absl::StatusOr<v1::Job> job = GetJob();
      if (job.ok()) {
        if (IsFinal(job->state())) {
          return absl::FailedPreconditionError(
              absl::StrCat("the job ended before round ", r + 1, ": ",
                           v1::JobState_Name(job->state()), " ",
                           job->message()));
        }
        now = job->progress().updates();
        if (now >= at) break;
      }
      if (absl::Now() > give_up) {
        return absl::DeadlineExceededError(
            absl::StrCat("the job stalled at ", now, " updates"));
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    const Fault fault = options_.faults[r % options_.faults.size()];
    ChaosRound round;
    round.updates = now;
    if (absl::Status done = Round(fault, round); !done.ok()) {
      return absl::Status(done.code(), absl::StrCat("round ", r + 1, " (",
                                                    FaultName(fault), "): ",
                                                    done.message()));
    }
    if (round.held_after_restart >= 0 &&
        round.held_after_restart < round.acknowledged_at_kill) {
      ++report_.short_after_restart;
    }
    Log(absl::StrCat("round ", r + 1, ": kill -9 ", FaultName(fault), " at ",
                     round.updates, " updates; acknowledged ",
                     round.acknowledged_at_kill,
                     round.held_after_restart >= 0
                         ? absl::StrCat(", held after restart ",
                                        round.held_after_restart)
                         : "",
                     "; writing again ", absl::FormatDuration(round.rejoin),
                     " after it was back", Details(round)));
    report_.rounds.push_back(round);
  }

  // The job runs to its stop condition.
  const absl::Time give_up = absl::Now() + absl::Seconds(600);
  while (true) {
    absl::StatusOr<v1::Job> job = GetJob();
    if (job.ok() && IsFinal(job->state())) {
      report_.job = *job;
      break;
    }
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError("the job did not end");
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  Log(absl::StrCat("job ", v1::JobState_Name(report_.job.state()), ": ",
                   report_.job.message()));

  // Every probe chunk acknowledged; then one more kill -9 of replay, and
  // its table drained once.
  probe_->Stop();
  if (absl::Status error = probe_->error(); !error.ok()) return error;
  if (absl::Status flushed = probe_->Flush(absl::Now() + kComeBack);
      !flushed.ok()) {
    return flushed;
  }
  report_.written = probe_->written();
  report_.acknowledged = probe_->acknowledged();
  probe_.reset();
  replay_.process->Signal(SIGKILL);
  (void)replay_.process->Wait(absl::Now() + kComeBack);
  absl::StatusOr<Server> restarted = StartReplay();
  if (!restarted.ok()) return restarted.status();
  replay_ = std::move(restarted).value();
  absl::StatusOr<std::map<int64_t, int>> seen =
      DrainFifo(*replay_stub_, kProbeJob, kProbeTable);
  if (!seen.ok()) return seen.status();
  for (int64_t sequence = 1; sequence <= report_.acknowledged; ++sequence) {
    auto it = seen->find(sequence);
    if (it == seen->end()) {
      ++report_.lost;
    } else {
      ++report_.recovered;
    }
  }
  for (const auto& [sequence, times] : *seen) {
    report_.duplicated += times - 1;
  }

  for (Server& actor : actors_) actor.process->Signal(SIGTERM);
  learner_.process->Signal(SIGTERM);
  replay_.process->Signal(SIGTERM);
  for (Server& actor : actors_) {
    (void)actor.process->Wait(absl::Now() + absl::Seconds(30));
  }
  (void)learner_.process->Wait(absl::Now() + absl::Seconds(30));
  (void)replay_.process->Wait(absl::Now() + absl::Seconds(30));
  return report_;
}

}  // namespace

ProbeWriter::ProbeWriter(const std::string& address, std::string job,
                         std::string table)
    : job_(std::move(job)),
      table_(std::move(table)),
      metrics_(registry_),
      writer_(
          [&] {
            ReplayWriter::Options options;
            options.address = address;
            return options;
          }(),
          &metrics_) {
  thread_ = std::thread([this] { Loop(); });
}

ProbeWriter::~ProbeWriter() { Stop(); }

void ProbeWriter::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

int64_t ProbeWriter::acknowledged() const {
  return static_cast<int64_t>(metrics_.chunks_acknowledged.Value());
}

int64_t ProbeWriter::reconnects() const {
  return static_cast<int64_t>(metrics_.reconnects.Value());
}

absl::Status ProbeWriter::error() const {
  absl::MutexLock lock(&mu_);
  return error_;
}

void ProbeWriter::Loop() {
  while (!stop_) {
    const int64_t sequence = written_.load() + 1;
    v1::TrajectoryChunk chunk =
        MakeChunk("probe-writer", sequence, 1, static_cast<float>(sequence));
    chunk.set_job_id(job_);
    chunk.set_table(table_);
    const absl::Status status =
        writer_.Write(std::move(chunk), absl::Now() + absl::Milliseconds(200));
    if (status.ok()) {
      ++written_;
      // About 500 chunks a second: a steady stream, not a load test.
      absl::SleepFor(absl::Milliseconds(2));
    } else if (status.code() != absl::StatusCode::kDeadlineExceeded) {
      absl::MutexLock lock(&mu_);
      error_ = status;
      return;
    }
  }
}

absl::Status CreateFifoTable(v1::ReplayService::Stub& replay,
                             const std::string& job, const std::string& table,
                             bool durable) {
  v1::CreateTablesRequest request;
  request.set_job_id(job);
  v1::TableConfig config = CartPoleTable(100000000);
  config.set_name(table);
  config.set_sampler(v1::TableConfig::FIFO);
  config.set_durable(durable);
  *request.add_tables() = config;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::CreateTablesResponse response;
  const grpc::Status status = replay.CreateTables(&context, request, &response);
  if (!status.ok()) {
    return absl::InternalError("CreateTables: " + status.error_message());
  }
  return absl::OkStatus();
}

namespace {

// The table's description; nullopt if replay does not give it.
std::optional<v1::TableInfo> DescribeTable(v1::ReplayService::Stub& replay,
                                           const std::string& job,
                                           const std::string& table) {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (true) {
    grpc::ClientContext context;
    // A channel to a replay that just came back may still be waiting out its
    // reconnect backoff, or send on the dead connection once (UNAVAILABLE).
    context.set_wait_for_ready(true);
    context.set_deadline(absl::ToChronoTime(give_up));
    v1::GetTableInfoRequest request;
    request.set_job_id(job);
    v1::GetTableInfoResponse response;
    const grpc::Status status =
        replay.GetTableInfo(&context, request, &response);
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
        absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(20));
      continue;
    }
    if (!status.ok()) {
      std::cerr << "GetTableInfo(" << job << "): " << status.error_code()
                << " " << status.error_message() << std::endl;
      return std::nullopt;
    }
    for (const v1::TableInfo& info : response.tables()) {
      if (info.name() == table) return info;
    }
    std::cerr << "GetTableInfo(" << job << "): no table " << table << std::endl;
    return std::nullopt;
  }
}

}  // namespace

int64_t TableChunks(v1::ReplayService::Stub& replay, const std::string& job,
                    const std::string& table) {
  std::optional<v1::TableInfo> info = DescribeTable(replay, job, table);
  return info.has_value() ? info->chunks() : -1;
}

absl::StatusOr<std::map<int64_t, int>> DrainFifo(
    v1::ReplayService::Stub& replay, const std::string& job,
    const std::string& table) {
  std::map<int64_t, int> seen;
  // Transitions to take: a FIFO table hands each out once, and counts it
  // as held until its delivery is settled, so the table's size is read once.
  std::optional<v1::TableInfo> info = DescribeTable(replay, job, table);
  if (!info.has_value()) {
    return absl::UnavailableError("replay did not describe " + table);
  }
  int64_t remaining = info->size();
  while (remaining > 0) {
    const int64_t batch = std::min<int64_t>(remaining, 1024);
    remaining -= batch;
    v1::SampleRequest request;
    request.set_job_id(job);
    request.set_table(table);
    request.set_batch_size(static_cast<int>(batch));
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::SampleResponse response;
    const grpc::Status status = replay.Sample(&context, request, &response);
    if (!status.ok()) {
      return absl::InternalError("draining " + table + ": " +
                                 status.error_message());
    }
    for (int64_t version : TensorValues<int64_t>(response.policy_versions())) {
      ++seen[version];
    }
  }
  return seen;
}

const char* FaultName(Fault fault) {
  switch (fault) {
    case Fault::kReplay:
      return "replay";
    case Fault::kLearner:
      return "learner";
    case Fault::kActor:
      return "actor";
  }
  return "?";
}

absl::StatusOr<ChaosReport> RunChaos(const ChaosOptions& options) {
  return Chaos(options).Run();
}

RejoinFigures Rejoins(const ChaosReport& report,
                      const std::vector<Fault>& faults) {
  std::vector<absl::Duration> times;
  for (const ChaosRound& round : report.rounds) {
    if (std::find(faults.begin(), faults.end(), round.fault) != faults.end()) {
      times.push_back(round.rejoin);
    }
  }
  RejoinFigures figures;
  figures.count = static_cast<int>(times.size());
  if (times.empty()) return figures;
  std::sort(times.begin(), times.end());
  const size_t n = times.size();
  figures.median =
      n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  figures.max = times.back();
  return figures;
}

}  // namespace entropic::testing
