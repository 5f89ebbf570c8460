// entropic: train a job on this machine, or submit and follow jobs on a
// learner. See `entropic --help`.
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "common/process.h"
#include "common/security.h"

DEFINE_string(learner, "localhost:7200",
              "host:port of the learner (submit, jobs, watch, cancel)");
DEFINE_bool(watch, false, "submit: follow the job until it ends");
DEFINE_string(job, "", "demos upload: the job whose table gets the file");
DEFINE_string(replay, "",
              "demos upload: host:port of replay, when the learner's address "
              "for it does not reach from here");
DEFINE_string(checkpoint, "",
              "demos record: a finished job's output directory, whose "
              "policy is the expert");
DEFINE_string(output, "",
              "export: the TorchScript file to write (default "
              "RUN_DIR/policy.pt)");
DEFINE_string(env, "",
              "demos record: environment of the soft-optimal expert (known "
              "dynamics, e.g. Gridworld-v0)");
DEFINE_int32(episodes, 10,
             "demos record: episodes to record; eval: episodes to run "
             "(default 20 there)");
DEFINE_double(temperature, 1.0,
              "demos record: temperature of the soft-optimal expert");
DEFINE_bool(greedy, true,
            "demos record, eval: a checkpoint acts deterministically (argmax "
            "Q, the Gaussian's mean), else samples pi");
DEFINE_uint64(seed, 1, "demos record, eval: seed of environments and sampling");
DEFINE_string(output_dir, "runs",
              "run: where jobs write their checkpoints and curves");
DEFINE_string(device, "cpu", "run: LibTorch device for training (cpu, cuda)");
DEFINE_int32(metrics_port, -1,
             "run: serve Prometheus metrics on this port (0 picks one, -1 "
             "none)");
DEFINE_int32(torch_threads, 1, "run: LibTorch intra-op threads");
// Security for submit, jobs, watch, cancel, demos upload (docs/security.md);
// each flag defaults to its ENTROPIC_* environment variable.
DEFINE_string(tls_ca, entropic::EnvOrEmpty("ENTROPIC_TLS_CA"),
              "PEM CA certificates to trust: connect over TLS");
DEFINE_string(tls_client_cert, entropic::EnvOrEmpty("ENTROPIC_TLS_CLIENT_CERT"),
              "PEM client certificate for mutual TLS (with --tls_client_key)");
DEFINE_string(tls_client_key, entropic::EnvOrEmpty("ENTROPIC_TLS_CLIENT_KEY"),
              "PEM private key of --tls_client_cert");
DEFINE_string(token_file, entropic::EnvOrEmpty("ENTROPIC_TOKEN_FILE"),
              "File holding the bearer token sent with every call (or set "
              "the token itself in ENTROPIC_TOKEN)");
DECLARE_bool(help);
DEFINE_bool(verbose, false, "Log the components' progress to stderr");

namespace {

constexpr char kUsage[] = R"(usage: entropic COMMAND [ARGS] [FLAGS]

commands:
  run JOB.yaml        train JOB in an embedded cluster on this machine
                      (replay, learner and actors on loopback ports)
  submit JOB.yaml     submit JOB to --learner; prints its id (--watch follows)
  jobs                list the jobs of --learner
  watch ID            follow job ID until it ends
  cancel ID           cancel job ID
  demos upload FILE --job=ID
                      stream a demonstrations file (.npz, see
                      docs/demonstrations.md) into job ID's replay table
  eval RUN_DIR        run a finished job's policy (its output directory)
                      for --episodes=N episodes (default 20)
  export RUN_DIR      write a finished job's policy as TorchScript for
                      Python's torch.jit.load (--output=FILE, default
                      RUN_DIR/policy.pt; docs/export.md)
  demos record FILE --checkpoint=RUN_DIR | --env=ID
                      write --episodes=N episodes of an expert as a
                      demonstrations file: a finished job's policy,
                      or the exact soft-optimal policy of an environment
                      with known dynamics (--temperature=T)

exit codes: 0 success, 1 job failed or was cancelled, 2 bad command line or
job file, 3 learner unreachable, 4 no such job, 5 refused (credentials).

flags: --learner=HOST:PORT (default localhost:7200), --output_dir=runs,
--device=cpu, --metrics_port=-1, --watch, --verbose; see --helpfull.
secured clusters (docs/security.md): --tls_ca=FILE, --token_file=FILE or
ENTROPIC_TOKEN, --tls_client_cert/--tls_client_key for mutual TLS.)";

// The commands that call servers connect with these (`run` needs none).
absl::StatusOr<entropic::ClientSecurity> SecurityFromFlags() {
  entropic::ClientSecurity::Options options;
  options.tls_ca = FLAGS_tls_ca;
  options.tls_client_cert = FLAGS_tls_client_cert;
  options.tls_client_key = FLAGS_tls_client_key;
  options.token = entropic::EnvOrEmpty("ENTROPIC_TOKEN");
  options.token_file = FLAGS_token_file;
  return entropic::ClientSecurity::Create(options);
}

// gflags exits with 1 on an unknown flag or a value it cannot parse; the
// CLI promises 2 for a bad command line. Checks every flag first (on a
// copy of the flags' values: the real parse comes after) and returns the
// first problem, or "".
std::string FlagProblem(int argc, char** argv) {
  gflags::FlagSaver restore_afterwards;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    arg = arg.substr(arg[1] == '-' ? 2 : 1);
    const size_t equals = arg.find('=');
    const std::string name = arg.substr(0, equals);
    const bool has_value = equals != std::string::npos;
    std::string value = has_value ? arg.substr(equals + 1) : "";
    gflags::CommandLineFlagInfo info;
    if (!gflags::GetCommandLineFlagInfo(name.c_str(), &info)) {
      // --noFLAG turns a boolean off.
      if (!has_value && name.rfind("no", 0) == 0 &&
          gflags::GetCommandLineFlagInfo(name.substr(2).c_str(), &info) &&
          info.type == "bool") {
        continue;
      }
      return "unknown flag --" + name + " (see --help)";
    }
    if (!has_value) {
      if (info.type == "bool") continue;
      if (i + 1 >= argc) return "--" + name + " needs a value";
      value = argv[++i];
    }
    if (gflags::SetCommandLineOption(name.c_str(), value.c_str()).empty()) {
      return "--" + name + ": '" + value + "' is not a valid " + info.type;
    }
  }
  return "";
}

int Usage(const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "entropic: %s\n", problem.c_str());
  std::fprintf(stderr, "%s\n", kUsage);
  return entropic::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage(kUsage);
  if (const std::string problem = FlagProblem(argc, argv); !problem.empty()) {
    return Usage(problem);
  }
  gflags::ParseCommandLineNonHelpFlags(&argc, &argv, /*remove_flags=*/true);
  if (FLAGS_help) {
    std::printf("%s\n", kUsage);
    return entropic::kExitOk;
  }
  gflags::HandleCommandLineHelpFlags();
  entropic::TuneForServing();
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  // The progress display is the interface; component logs only on request.
  FLAGS_minloglevel = FLAGS_verbose ? google::GLOG_INFO : google::GLOG_ERROR;

  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage("");
  const std::string& command = args[0];
  auto one_argument = [&]() -> const std::string* {
    return args.size() == 2 ? &args[1] : nullptr;
  };
  if (command == "run") {
    const std::string* job = one_argument();
    if (job == nullptr) return Usage("run takes one job file");
    entropic::RunOptions options;
    options.output_dir = FLAGS_output_dir;
    options.device = FLAGS_device;
    options.metrics_port = FLAGS_metrics_port;
    options.torch_threads = FLAGS_torch_threads;
    return entropic::RunCommand(*job, options);
  }
  absl::StatusOr<entropic::ClientSecurity> security = SecurityFromFlags();
  if (!security.ok()) {
    std::fprintf(stderr, "entropic: %s\n",
                 std::string(security.status().message()).c_str());
    return entropic::kExitUsage;
  }
  if (command == "submit") {
    const std::string* job = one_argument();
    if (job == nullptr) return Usage("submit takes one job file");
    return entropic::SubmitCommand(*job, FLAGS_learner, *security, FLAGS_watch);
  }
  if (command == "jobs") {
    if (args.size() != 1) return Usage("jobs takes no arguments");
    return entropic::JobsCommand(FLAGS_learner, *security);
  }
  if (command == "watch") {
    const std::string* id = one_argument();
    if (id == nullptr) return Usage("watch takes one job id");
    return entropic::WatchCommand(*id, FLAGS_learner, *security);
  }
  if (command == "demos") {
    if (args.size() == 3 && args[1] == "record") {
      entropic::DemosRecordOptions options;
      options.checkpoint = FLAGS_checkpoint;
      options.env_id = FLAGS_env;
      options.episodes = FLAGS_episodes;
      options.temperature = FLAGS_temperature;
      options.greedy = FLAGS_greedy;
      options.seed = FLAGS_seed;
      if (options.episodes < 1) return Usage("--episodes must be positive");
      if (!(options.temperature > 0)) {
        return Usage("--temperature must be positive");
      }
      return entropic::DemosRecordCommand(args[2], options);
    }
    if (args.size() != 3 || args[1] != "upload") {
      return Usage("demos takes: upload FILE --job=ID, or record FILE");
    }
    if (FLAGS_job.empty()) return Usage("demos upload needs --job=ID");
    return entropic::DemosUploadCommand(args[2], FLAGS_job, FLAGS_learner,
                                        FLAGS_replay, *security);
  }
  if (command == "eval") {
    const std::string* run_dir = one_argument();
    if (run_dir == nullptr) return Usage("eval takes one run directory");
    entropic::EvalOptions options;
    // --episodes defaults to 10 for demos record; 20 here unless given.
    gflags::CommandLineFlagInfo episodes;
    gflags::GetCommandLineFlagInfo("episodes", &episodes);
    options.episodes = episodes.is_default ? 20 : FLAGS_episodes;
    options.greedy = FLAGS_greedy;
    options.seed = FLAGS_seed;
    if (options.episodes < 1) return Usage("--episodes must be positive");
    return entropic::EvalCommand(*run_dir, options);
  }
  if (command == "export") {
    const std::string* run_dir = one_argument();
    if (run_dir == nullptr) return Usage("export takes one run directory");
    return entropic::ExportCommand(*run_dir, FLAGS_output);
  }
  if (command == "cancel") {
    const std::string* id = one_argument();
    if (id == nullptr) return Usage("cancel takes one job id");
    return entropic::CancelCommand(*id, FLAGS_learner, *security);
  }
  return Usage("unknown command '" + command + "'");
}
