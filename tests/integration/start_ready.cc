#include "tests/integration/start_ready.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace entropic::testing {

int StartReady(const std::vector<std::string>& argv, const std::string& name,
               std::unique_ptr<ChildProcess>& process) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> started =
      ChildProcess::Start(argv);
  EXPECT_TRUE(started.ok()) << started.status();
  if (!started.ok()) return 0;
  process = std::move(started).value();
  absl::StatusOr<std::string> ready =
      process->WaitForLine(name + " ready", absl::Now() + absl::Seconds(60));
  EXPECT_TRUE(ready.ok()) << ready.status();
  if (!ready.ok()) return 0;
  int port = 0;
  for (absl::string_view field : absl::StrSplit(*ready, ' ')) {
    if (absl::ConsumePrefix(&field, "grpc_port=")) {
      EXPECT_TRUE(absl::SimpleAtoi(field, &port));
    }
  }
  return port;
}

}  // namespace entropic::testing
