// Starts entropic-replay, entropic-learner and entropic-actor as separate
// processes on loopback, trains a short job submitted over gRPC, and checks
// what each process serves on /metrics, by plain scrapes and through a real
// Prometheus server when one is installed.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/job_client.h"
#include "common/demonstrations.h"
#include "common/testing/http_get.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/child_process.h"

namespace entropic {
namespace {

using ::entropic::testing::ChildProcess;
using ::entropic::testing::HttpGet;
using ::testing::HasSubstr;

struct Ports {
  int grpc = 0;
  int metrics = 0;
};

// Parses "<name> ready grpc_port=N metrics_port=M".
Ports ParseReady(const std::string& line) {
  Ports ports;
  for (absl::string_view field : absl::StrSplit(line, ' ')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(field, '=');
    if (kv.first == "grpc_port") {
      EXPECT_TRUE(absl::SimpleAtoi(kv.second, &ports.grpc));
    }
    if (kv.first == "metrics_port") {
      EXPECT_TRUE(absl::SimpleAtoi(kv.second, &ports.metrics));
    }
  }
  return ports;
}

// The sum of a metric's samples whose label set contains `labels`.
double MetricValue(const std::string& exposition, const std::string& name,
                   const std::string& labels = "") {
  double total = 0;
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::StartsWith(line, name)) continue;
    const absl::string_view rest = line.substr(name.size());
    if (rest.empty() || (rest[0] != ' ' && rest[0] != '{')) continue;
    if (!labels.empty() && !absl::StrContains(rest, labels)) continue;
    double value = 0;
    if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) {
      total += value;
    }
  }
  return total;
}

class ClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setup_error_ = new std::string();
    output_dir_ = new std::string(std::string(::testing::TempDir()) +
                                  "/entropic_cluster_test");
    std::filesystem::remove_all(*output_dir_);
    const absl::Time deadline = absl::Now() + absl::Seconds(60);

    replay_ = Start({ENTROPIC_REPLAY_BIN, "--host=127.0.0.1", "--port=0",
                     "--metrics_port=0"});
    if (!AwaitReady(*replay_, "entropic-replay", deadline, replay_ports_)) {
      return;
    }
    learner_ = Start({ENTROPIC_LEARNER_BIN, "--host=127.0.0.1", "--port=0",
                      "--metrics_port=0", "--torch_threads=1",
                      absl::StrCat("--replay=127.0.0.1:", replay_ports_.grpc),
                      "--output_dir=" + *output_dir_});
    if (!AwaitReady(*learner_, "entropic-learner", deadline, learner_ports_)) {
      return;
    }
    actor_ = Start({ENTROPIC_ACTOR_BIN, "--metrics_host=127.0.0.1",
                    "--metrics_port=0", "--name=integration-actor",
                    absl::StrCat("--learner=127.0.0.1:", learner_ports_.grpc)});
    AwaitReady(*actor_, "entropic-actor", deadline, actor_ports_);
  }

  // Reads the process's ready line; records why not in setup_error_.
  static bool AwaitReady(ChildProcess& process, const std::string& name,
                         absl::Time deadline, Ports& ports) {
    absl::StatusOr<std::string> line =
        process.WaitForLine(name + " ready", deadline);
    if (!line.ok()) {
      *setup_error_ =
          absl::StrCat(name, " did not start: ", line.status().ToString());
      return false;
    }
    ports = ParseReady(*line);
    return true;
  }

  void SetUp() override {
    if (!setup_error_->empty()) GTEST_FAIL() << *setup_error_;
  }

  static void TearDownTestSuite() {
    delete actor_.release();
    delete learner_.release();
    delete replay_.release();
  }

  static std::unique_ptr<ChildProcess> Start(
      const std::vector<std::string>& argv) {
    absl::StatusOr<std::unique_ptr<ChildProcess>> child =
        ChildProcess::Start(argv);
    if (!child.ok()) {
      ADD_FAILURE() << child.status();
      std::abort();  // fork failed: nothing sensible can follow
    }
    return std::move(child).value();
  }

  static v1::JobSpec ShortJob() {
    v1::JobSpec spec;
    spec.set_name("integration");
    spec.mutable_env()->set_id("CartPole-v1");
    spec.mutable_env()->set_num_envs(4);
    spec.set_actors(1);
    v1::SoftQSpec& q = *spec.mutable_algorithm()->mutable_soft_q();
    q.set_batch_size(32);
    q.add_hidden(32);
    q.set_publish_every_updates(20);
    spec.mutable_replay()->set_chunk_length(16);
    spec.mutable_replay()->mutable_agent()->set_min_size(200);
    spec.mutable_replay()->mutable_agent()->set_samples_per_insert(2);
    // Env steps, as the actor reports them, end the job.
    spec.mutable_stop()->set_env_steps(4000);
    spec.mutable_eval()->set_every_updates(100);
    spec.mutable_eval()->set_episodes(3);
    return spec;
  }

  static std::string* output_dir_;
  static std::string* setup_error_;
  static std::unique_ptr<ChildProcess> replay_, learner_, actor_;
  static Ports replay_ports_, learner_ports_, actor_ports_;
};

std::string* ClusterTest::output_dir_ = nullptr;
std::string* ClusterTest::setup_error_ = nullptr;
std::unique_ptr<ChildProcess> ClusterTest::replay_;
std::unique_ptr<ChildProcess> ClusterTest::learner_;
std::unique_ptr<ChildProcess> ClusterTest::actor_;
Ports ClusterTest::replay_ports_;
Ports ClusterTest::learner_ports_;
Ports ClusterTest::actor_ports_;

TEST_F(ClusterTest, TrainsASubmittedJobAndServesMetrics) {
  ASSERT_NE(replay_ports_.grpc, 0);
  ASSERT_NE(learner_ports_.grpc, 0);
  ASSERT_NE(actor_ports_.metrics, 0);
  JobClient client(absl::StrCat("127.0.0.1:", learner_ports_.grpc));

  // A bad spec is refused with the field's name and creates nothing.
  v1::JobSpec bad = ShortJob();
  bad.mutable_env()->set_id("Nope-v0");
  const absl::StatusOr<v1::Job> refused = client.Submit(bad);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("env.id"));

  absl::StatusOr<v1::Job> job = client.Submit(ShortJob());
  ASSERT_TRUE(job.ok()) << job.status();
  // Replay's tables, and their metrics, go when the job ends: scrape replay
  // while the job trains, at its first evaluation.
  std::vector<v1::JobEvent::Kind> kinds;
  absl::StatusOr<std::string> replay = absl::UnknownError("not scraped");
  absl::StatusOr<v1::Job> done =
      client.Watch(job->id(), [&](const v1::JobEvent& event) {
        if (event.kind() == v1::JobEvent::EVALUATION &&
            event.job().evaluations_size() == 1) {
          replay = HttpGet(replay_ports_.metrics, "/metrics");
        }
        kinds.push_back(event.kind());
      });
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::SUCCEEDED) << done->message();
  EXPECT_EQ(kinds.front(), v1::JobEvent::SNAPSHOT);
  EXPECT_THAT(kinds, ::testing::Contains(v1::JobEvent::EVALUATION));
  EXPECT_GE(done->progress().updates(), 100);
  EXPECT_GT(done->progress().env_steps(), 0);
  EXPECT_GT(done->progress().episodes(), 0);
  EXPECT_GE(done->progress().env_steps(), 4000);
  ASSERT_GE(done->evaluations_size(), 2);
  EXPECT_EQ(done->evaluations(0).episodes(), 3);
  EXPECT_TRUE(
      std::filesystem::exists(done->output_dir() + "/checkpoint/q_network.pt"));
  EXPECT_TRUE(std::filesystem::exists(done->output_dir() + "/evaluations.csv"));
  EXPECT_GE(client.List()->size(), 1u);

  const std::string job_label = absl::StrCat("job=\"", job->id(), "\"");
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_GE(MetricValue(*replay, "entropic_replay_inserted_transitions_total",
                        job_label),
            200);
  EXPECT_GE(MetricValue(*replay, "entropic_replay_samples_total", job_label),
            100);
  EXPECT_GE(MetricValue(*replay, "entropic_replay_items", job_label), 200);
  EXPECT_GT(MetricValue(*replay, "entropic_replay_sample_latency_seconds_count",
                        job_label),
            0);

  absl::StatusOr<std::string> learner =
      HttpGet(learner_ports_.metrics, "/metrics");
  ASSERT_TRUE(learner.ok()) << learner.status();
  EXPECT_GE(MetricValue(*learner, "entropic_learner_updates_total", job_label),
            done->progress().updates());
  EXPECT_GT(
      MetricValue(*learner, "entropic_learner_published_version", job_label),
      0);
  EXPECT_GT(MetricValue(*learner, "entropic_learner_temperature", job_label),
            0);
  EXPECT_THAT(*learner, HasSubstr("entropic_learner_policy_entropy_nats"));
  EXPECT_THAT(*learner, HasSubstr("entropic_learner_loss"));

  absl::StatusOr<std::string> actor = HttpGet(actor_ports_.metrics, "/metrics");
  ASSERT_TRUE(actor.ok()) << actor.status();
  EXPECT_GT(MetricValue(*actor, "entropic_actor_env_steps_total"), 0);
  EXPECT_GT(MetricValue(*actor, "entropic_actor_episodes_total"), 0);
  EXPECT_GT(MetricValue(*actor, "entropic_actor_episode_return_count"), 0);
  EXPECT_GT(MetricValue(*actor, "entropic_actor_chunks_acknowledged_total"), 0);
}

TEST_F(ClusterTest, PrometheusScrapesEveryProcess) {
  const char* prometheus = ENTROPIC_PROMETHEUS_BIN;
  if (std::string(prometheus).empty()) {
    GTEST_SKIP() << "no prometheus binary was found when configuring";
  }
  const std::string dir = *output_dir_ + "/prometheus";
  std::filesystem::create_directories(dir);
  {
    std::ofstream config(dir + "/prometheus.yml");
    config << "global: {scrape_interval: 1s}\nscrape_configs:\n";
    for (const auto& [name, port] :
         {std::pair{"replay", replay_ports_.metrics},
          std::pair{"learner", learner_ports_.metrics},
          std::pair{"actor", actor_ports_.metrics}}) {
      config << "  - job_name: " << name << "\n    static_configs: [{targets: "
             << "['127.0.0.1:" << port << "']}]\n";
    }
  }
  const int web_port = entropic::testing::PickFreePort();
  std::unique_ptr<ChildProcess> server =
      Start({prometheus, "--config.file=" + dir + "/prometheus.yml",
             "--storage.tsdb.path=" + dir + "/data",
             absl::StrCat("--web.listen-address=127.0.0.1:", web_port)});

  // Wait (bounded) until Prometheus has scraped all three targets.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  std::map<std::string, double> up;
  while (absl::Now() < deadline) {
    absl::StatusOr<std::string> body =
        HttpGet(web_port, "/api/v1/query?query=up");
    up.clear();
    if (body.ok()) {
      const nlohmann::json result = nlohmann::json::parse(*body);
      for (const auto& sample : result["data"]["result"]) {
        up[sample["metric"]["job"].get<std::string>()] =
            std::stod(sample["value"][1].get<std::string>());
      }
    }
    if (up.size() == 3) break;
    absl::SleepFor(absl::Milliseconds(250));
  }
  EXPECT_EQ(up, (std::map<std::string, double>{
                    {"actor", 1}, {"learner", 1}, {"replay", 1}}));
  server->Signal(SIGTERM);
  (void)server->Wait(absl::Now() + absl::Seconds(30));
}

TEST_F(ClusterTest, DemonstrationsFromAFileAndFromTheCli) {
  const std::string learner = absl::StrCat("127.0.0.1:", learner_ports_.grpc);
  JobClient client(learner);
  const std::string fixture =
      std::string(ENTROPIC_SOURCE_DIR) + "/tests/data/demos_savez.npz";

  // The learner loads the job's demonstrations file itself.
  v1::JobSpec from_file = ShortJob();
  from_file.mutable_stop()->Clear();
  from_file.mutable_stop()->set_updates(150);
  from_file.mutable_replay()->mutable_demonstrations()->set_path(fixture);
  from_file.mutable_replay()->mutable_demonstrations()->set_fraction(0.5);
  absl::StatusOr<v1::Job> job = client.Submit(from_file);
  ASSERT_TRUE(job.ok()) << job.status();
  absl::StatusOr<v1::Job> done = client.Watch(job->id(), [](const auto&) {});
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::SUCCEEDED) << done->message();

  // A job that wants demonstrations waits for them; the CLI uploads them.
  v1::JobSpec waiting = from_file;
  waiting.mutable_replay()->mutable_demonstrations()->clear_path();
  job = client.Submit(waiting);
  ASSERT_TRUE(job.ok()) << job.status();
  // Upload once the job runs (its tables exist then), from the watch.
  std::unique_ptr<ChildProcess> upload;
  done = client.Watch(job->id(), [&](const v1::JobEvent& event) {
    if (event.job().state() == v1::RUNNING && upload == nullptr) {
      upload = Start({ENTROPIC_CLI_BIN, "demos", "upload", fixture,
                      "--job=" + job->id(), "--learner=" + learner});
    }
  });
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::SUCCEEDED) << done->message();
  EXPECT_GE(done->progress().updates(), 150);
  ASSERT_NE(upload, nullptr);
  absl::StatusOr<std::string> said =
      upload->ReadLine(absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(said.ok()) << said.status();
  EXPECT_THAT(*said, HasSubstr("uploaded 7 transitions (2 episodes)"));
  EXPECT_EQ(*upload->Wait(absl::Now() + absl::Seconds(30)), 0);

  // A bad file is refused before anything is sent.
  std::unique_ptr<ChildProcess> bad =
      Start({ENTROPIC_CLI_BIN, "demos", "upload", "/no/such.npz",
             "--job=" + job->id(), "--learner=" + learner});
  EXPECT_EQ(*bad->Wait(absl::Now() + absl::Seconds(30)), 2);
}

// Behaviour cloning then the hybrid loss, and AIRL without the environment's
// reward, as submitted jobs; then a demonstrations file recorded from the
// first job's checkpoint, and the same policy evaluated by the CLI.
TEST_F(ClusterTest, LearnsFromDemonstrationsRecordsAndEvaluates) {
  const std::string learner = absl::StrCat("127.0.0.1:", learner_ports_.grpc);
  JobClient client(learner);
  const std::string fixture =
      std::string(ENTROPIC_SOURCE_DIR) + "/tests/data/demos_savez.npz";
  v1::JobSpec hybrid = ShortJob();
  hybrid.mutable_stop()->Clear();
  hybrid.mutable_stop()->set_updates(250);
  hybrid.mutable_replay()->mutable_demonstrations()->set_path(fixture);
  hybrid.mutable_replay()->mutable_demonstrations()->set_fraction(0.5);
  v1::ImitationSpec& imitation =
      *hybrid.mutable_algorithm()->mutable_soft_q()->mutable_imitation();
  imitation.set_pretrain_updates(120);
  absl::StatusOr<v1::Job> job = client.Submit(hybrid);
  ASSERT_TRUE(job.ok()) << job.status();
  absl::StatusOr<v1::Job> done = client.Watch(job->id(), [](const auto&) {});
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::SUCCEEDED) << done->message();
  // Evaluated when pretraining ended, before any actor joined.
  bool evaluated_after_pretraining = false;
  for (const v1::EvalResult& eval : done->evaluations()) {
    if (eval.updates() == 120) {
      evaluated_after_pretraining = true;
      EXPECT_EQ(eval.env_steps(), 0);
    }
  }
  EXPECT_TRUE(evaluated_after_pretraining);
  absl::StatusOr<std::string> metrics =
      HttpGet(learner_ports_.metrics, "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  const std::string hybrid_label = absl::StrCat("job=\"", job->id(), "\"");
  // Set by updates on demonstrations: -log pi(a_E|s) is never 0.
  EXPECT_GT(
      MetricValue(*metrics, "entropic_learner_imitation_loss", hybrid_label),
      0);
  EXPECT_THAT(*metrics, HasSubstr("entropic_learner_expert_action_agreement{" +
                                  hybrid_label));

  v1::JobSpec airl = ShortJob();
  airl.mutable_stop()->Clear();
  airl.mutable_stop()->set_updates(150);
  airl.mutable_replay()->mutable_demonstrations()->set_path(fixture);
  airl.mutable_replay()->mutable_demonstrations()->set_fraction(0.5);
  airl.mutable_algorithm()->mutable_soft_q()->mutable_adversarial();
  absl::StatusOr<v1::Job> adversarial = client.Submit(airl);
  ASSERT_TRUE(adversarial.ok()) << adversarial.status();
  done = client.Watch(adversarial->id(), [](const auto&) {});
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::SUCCEEDED) << done->message();
  EXPECT_TRUE(std::filesystem::exists(done->output_dir() +
                                      "/checkpoint/discriminator_g.pt"));
  metrics = HttpGet(learner_ports_.metrics, "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  const std::string airl_label =
      absl::StrCat("job=\"", adversarial->id(), "\"");
  EXPECT_GT(
      MetricValue(*metrics, "entropic_learner_discriminator_loss", airl_label),
      0);
  EXPECT_GT(MetricValue(*metrics, "entropic_learner_discriminator_accuracy",
                        airl_label),
            0);
  EXPECT_THAT(*metrics,
              HasSubstr("entropic_learner_learned_reward_std{" + airl_label));

  // The first job's policy, recorded as demonstrations.
  const std::string recorded = *output_dir_ + "/recorded.npz";
  std::unique_ptr<ChildProcess> record =
      Start({ENTROPIC_CLI_BIN, "demos", "record", recorded,
             "--checkpoint=" + job->output_dir(), "--episodes=2"});
  absl::StatusOr<std::string> said =
      record->ReadLine(absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(said.ok()) << said.status();
  EXPECT_THAT(*said, HasSubstr("recorded 2 episodes"));
  EXPECT_THAT(*said, HasSubstr("of CartPole-v1"));
  EXPECT_EQ(*record->Wait(absl::Now() + absl::Seconds(30)), 0);
  absl::StatusOr<Demonstrations> read =
      LoadDemonstrations(recorded, DemonstrationChunking{});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->episodes, 2);

  // And evaluated on its own.
  std::unique_ptr<ChildProcess> eval =
      Start({ENTROPIC_CLI_BIN, "eval", job->output_dir(), "--episodes=3"});
  said = eval->ReadLine(absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(said.ok()) << said.status();
  EXPECT_THAT(*said, HasSubstr("CartPole-v1, deterministic policy: return"));
  EXPECT_THAT(*said, HasSubstr("over 3 episodes"));
  EXPECT_EQ(*eval->Wait(absl::Now() + absl::Seconds(30)), 0);
}

// Continuous actions end to end through the three processes: SAC on
// Pendulum-v1 (float32 action rows and the behaviour log-probability column
// in replay, the actor's tanh-Gaussian), then the finished job's policy
// evaluated and exported as TorchScript.
TEST_F(ClusterTest, SoftActorCriticTrainsPendulumAndExportsItsPolicy) {
  JobClient client(absl::StrCat("127.0.0.1:", learner_ports_.grpc));
  v1::JobSpec spec;
  spec.set_name("pendulum-sac");
  spec.mutable_env()->set_id("Pendulum-v1");
  spec.mutable_env()->set_num_envs(2);
  v1::SacSpec& sac = *spec.mutable_algorithm()->mutable_sac();
  sac.set_batch_size(32);
  sac.add_hidden(32);
  spec.mutable_replay()->set_chunk_length(8);
  spec.mutable_replay()->mutable_agent()->set_min_size(100);
  spec.mutable_replay()->mutable_agent()->set_samples_per_insert(32);
  spec.mutable_stop()->set_updates(200);
  spec.mutable_eval()->set_every_updates(100);
  spec.mutable_eval()->set_episodes(2);
  absl::StatusOr<v1::Job> job = client.Submit(spec);
  ASSERT_TRUE(job.ok()) << job.status();
  absl::StatusOr<v1::Job> done = client.Watch(job->id(), [](const auto&) {});
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->state(), v1::SUCCEEDED) << done->message();
  EXPECT_GT(done->progress().env_steps(), 100);
  ASSERT_GT(done->evaluations_size(), 0);
  // Pendulum's returns are never positive; a full episode is 200 steps.
  EXPECT_LT(done->evaluations(0).mean_return(), 0);

  absl::StatusOr<std::string> metrics =
      HttpGet(learner_ports_.metrics, "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  const std::string label = absl::StrCat("job=\"", job->id(), "\"");
  EXPECT_THAT(*metrics, HasSubstr("entropic_learner_policy_loss{" + label));
  EXPECT_GT(MetricValue(*metrics, "entropic_learner_temperature", label), 0);

  std::unique_ptr<ChildProcess> eval =
      Start({ENTROPIC_CLI_BIN, "eval", done->output_dir(), "--episodes=2"});
  absl::StatusOr<std::string> said =
      eval->ReadLine(absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(said.ok()) << said.status();
  EXPECT_THAT(*said, HasSubstr("Pendulum-v1, deterministic policy: return"));
  EXPECT_EQ(*eval->Wait(absl::Now() + absl::Seconds(30)), 0);

  const std::string exported = *output_dir_ + "/pendulum.pt";
  std::unique_ptr<ChildProcess> export_policy =
      Start({ENTROPIC_CLI_BIN, "export", done->output_dir(),
             "--output=" + exported});
  said = export_policy->ReadLine(absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(said.ok()) << said.status();
  EXPECT_THAT(*said, HasSubstr("tanh-Gaussian policy of Pendulum-v1"));
  EXPECT_EQ(*export_policy->Wait(absl::Now() + absl::Seconds(30)), 0);
  EXPECT_GT(std::filesystem::file_size(exported), 0u);
}

TEST_F(ClusterTest, ProcessesExitCleanlyOnSigterm) {
  for (ChildProcess* process : {actor_.get(), learner_.get(), replay_.get()}) {
    process->Signal(SIGTERM);
    absl::StatusOr<int> code = process->Wait(absl::Now() + absl::Seconds(30));
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, 0);
  }
}

}  // namespace
}  // namespace entropic
