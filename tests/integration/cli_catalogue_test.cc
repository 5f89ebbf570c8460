// Bad command lines and files, for the `entropic` CLI and the three server
// binaries: each ends with its documented exit code (never a crash) and a
// message that names the problem.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/metrics_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/durability/log_file.h"
#include "tests/integration/child_process.h"

namespace entropic {
namespace {

namespace fs = std::filesystem;
using ::entropic::testing::ChildProcess;
using ::testing::HasSubstr;

struct Ended {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `argv` to its end (at most a minute) and collects what it printed.
Ended RunToEnd(const std::vector<std::string>& argv) {
  Ended ended;
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Start(argv, /*with_stderr=*/true);
  EXPECT_TRUE(process.ok()) << process.status();
  if (!process.ok()) return ended;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (true) {
    absl::StatusOr<std::string> line = (*process)->ReadLine(deadline);
    if (!line.ok()) break;
    absl::StrAppend(&ended.output, *line, "\n");
  }
  absl::StatusOr<int> code = (*process)->Wait(deadline);
  EXPECT_TRUE(code.ok()) << code.status();
  if (code.ok()) ended.exit_code = *code;
  return ended;
}

// A listening socket that holds a loopback port for the test.
class BusyPort {
 public:
  BusyPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(fd_, 4);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~BusyPort() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class CliCatalogueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::string(::testing::TempDir()) + "/cli_catalogue_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = directory_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  struct Case {
    std::vector<std::string> argv;
    int exit_code;
    std::string message;
  };

  void ExpectAll(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
      std::string command;
      for (const std::string& arg : c.argv) absl::StrAppend(&command, arg, " ");
      SCOPED_TRACE(command);
      const Ended ended = RunToEnd(c.argv);
      EXPECT_EQ(ended.exit_code, c.exit_code) << ended.output;
      EXPECT_THAT(ended.output, HasSubstr(c.message));
    }
  }

  std::string directory_;
};

TEST_F(CliCatalogueTest, BadCommandLinesAndFilesExitWithTheirCodes) {
  const std::string cli = ENTROPIC_CLI_BIN;
  const std::string malformed = WriteFile("malformed.yaml", "name: [unclosed\n");
  const std::string unknown_field =
      WriteFile("unknown.yaml", "name: x\nenv: {id: CartPole-v1}\nbogus: 3\n");
  const std::string bad_spec = WriteFile(
      "bad.yaml",
      "name: x\nenv: {id: CartPole-v1}\nalgorithm: {soft_q: {gamma: 1.5}}\n");
  const std::string not_npz = WriteFile("demos.npz", "not a zip file");
  BusyPort nothing_there;  // listens, never speaks gRPC
  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<MetricsServer>> http =
      MetricsServer::Create("127.0.0.1", 0, registry);
  ASSERT_TRUE(http.ok()) << http.status();
  const std::string closed_port =
      absl::StrCat("--learner=127.0.0.1:", testing::PickFreePort());
  const std::string http_port =
      absl::StrCat("--learner=127.0.0.1:", (*http)->port());
  const std::vector<Case> cases = {
      {{cli}, 2, "usage: entropic"},
      {{cli, "train"}, 2, "unknown command 'train'"},
      {{cli, "jobs", "--bogus=1"}, 2, "unknown flag --bogus"},
      {{cli, "jobs", "--nobogus"}, 2, "unknown flag --nobogus"},
      {{cli, "eval", "x", "--episodes=many"}, 2, "--episodes: 'many'"},
      {{cli, "jobs", "--learner"}, 2, "--learner needs a value"},
      {{cli, "run"}, 2, "run takes one job file"},
      {{cli, "run", "a.yaml", "b.yaml"}, 2, "run takes one job file"},
      {{cli, "run", directory_ + "/missing.yaml"}, 2, "missing.yaml"},
      {{cli, "run", malformed}, 2, "malformed.yaml"},
      {{cli, "run", unknown_field}, 2, "bogus"},
      {{cli, "run", bad_spec}, 2, "algorithm.soft_q.gamma"},
      {{cli, "submit", bad_spec, closed_port}, 2, "algorithm.soft_q.gamma"},
      {{cli, "submit"}, 2, "submit takes one job file"},
      {{cli, "jobs", "extra"}, 2, "jobs takes no arguments"},
      {{cli, "watch"}, 2, "watch takes one job id"},
      {{cli, "cancel"}, 2, "cancel takes one job id"},
      {{cli, "demos"}, 2, "demos takes"},
      {{cli, "demos", "upload", not_npz}, 2, "--job"},
      {{cli, "demos", "record", "out.npz", "--episodes=0"}, 2, "--episodes"},
      {{cli, "demos", "record", "out.npz", "--env=Gridworld-v0",
        "--temperature=-1"},
       2,
       "--temperature"},
      {{cli, "eval", directory_ + "/no-such-run"}, 2, "no-such-run"},
      {{cli, "eval", directory_, "--episodes=0"}, 2, "--episodes"},
      {{cli, "jobs", closed_port}, 3, "cannot reach the learner at 127.0.0.1"},
      {{cli, "watch", "some-id", closed_port}, 3, "cannot reach the learner"},
      {{cli, "cancel", "some-id", closed_port}, 3, "cannot reach the learner"},
      {{cli, "jobs", http_port}, 3, "127.0.0.1"},
      {{cli, "jobs", absl::StrCat("--learner=127.0.0.1:", nothing_there.port())},
       3,
       "127.0.0.1"},
  };
  ExpectAll(cases);
}

TEST_F(CliCatalogueTest, ServerStartUpFailuresAreOneLineErrors) {
  BusyPort busy;
  const std::string busy_port = absl::StrCat("--port=", busy.port());
  const std::string busy_metrics = absl::StrCat("--metrics_port=", busy.port());
  const std::string foreign = directory_ + "/foreign";
  fs::create_directories(foreign);
  WriteFile("foreign/notes.txt", "someone else's");
  const std::string newer = directory_ + "/newer";
  fs::create_directories(newer);
  // A log segment of format version 99.
  std::string header = LogFileHeader(LogFileKind::kLog);
  header[12] = 99;
  WriteFile("newer/log-000000000001.wal", header);
  const std::string not_a_directory = WriteFile("a-file", "x");
  const std::string replay = ENTROPIC_REPLAY_BIN;
  const std::string learner = ENTROPIC_LEARNER_BIN;
  const std::string local = "--host=127.0.0.1";
  const std::vector<Case> cases = {
      {{replay, local, busy_port, "--metrics_port=0"},
       1,
       absl::StrCat("entropic-replay: cannot listen on 127.0.0.1:",
                    busy.port())},
      {{replay, local, "--port=0", busy_metrics},
       1,
       "entropic-replay: cannot serve metrics"},
      {{replay, local, "--port=0", "--metrics_port=0", "--flush=sometimes"},
       1,
       "--flush"},
      {{replay, local, "--port=0", "--metrics_port=0",
        "--checkpoint_dir=" + foreign},
       1,
       "notes.txt"},
      {{replay, local, "--port=0", "--metrics_port=0",
        "--checkpoint_dir=" + newer},
       1,
       absl::StrCat("format version 99, newer than this binary's ",
                    kLogFormatVersion)},
      {{replay, local, "--port=0", "--metrics_port=0",
        "--checkpoint_dir=" + not_a_directory + "/below"},
       1,
       "--checkpoint_dir"},
      {{replay, "--bogus"}, 1, "bogus"},
      {{learner, local, busy_port, "--metrics_port=0",
        "--output_dir=" + directory_},
       1,
       absl::StrCat("entropic-learner: cannot listen on 127.0.0.1:",
                    busy.port())},
      {{learner, local, "--port=0", "--metrics_port=0", "--device=cuda",
        "--output_dir=" + directory_},
       1,
       "entropic-learner: device: cuda"},
      {{learner, local, "--port=0", "--metrics_port=0", "--device=tpu",
        "--output_dir=" + directory_},
       1,
       "device: 'tpu'"},
      {{learner, local, "--port=0", "--metrics_port=0", "--replay=",
        "--output_dir=" + directory_},
       1,
       "replay_address"},
  };
  ExpectAll(cases);
}

}  // namespace
}  // namespace entropic
