#include "common/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"

namespace entropic {
namespace {

using ::testing::HasSubstr;

std::string Get(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return "";
  }
  const std::string request = absl::StrCat("GET ", path, " HTTP/1.1\r\n\r\n");
  EXPECT_EQ(write(fd, request.data(), request.size()),
            static_cast<ssize_t>(request.size()));
  std::string response;
  char chunk[4096];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof(chunk))) > 0) response.append(chunk, n);
  close(fd);
  return response;
}

TEST(MetricsServerTest, ServesTheRegistryInTextFormat) {
  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::BuildCounter()
      .Name("entropic_test_things_total")
      .Help("Things")
      .Register(*registry)
      .Add({{"job", "j1"}})
      .Increment(3);
  absl::StatusOr<std::unique_ptr<MetricsServer>> server =
      MetricsServer::Create("127.0.0.1", 0, registry);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);
  const std::string response = Get((*server)->port(), "/metrics");
  EXPECT_THAT(response, ::testing::StartsWith("HTTP/1.0 200 OK"));
  EXPECT_THAT(response, HasSubstr("entropic_test_things_total{job=\"j1\"} 3"));
  EXPECT_THAT(Get((*server)->port(), "/other"), HasSubstr("404"));
}

TEST(MetricsServerTest, BusyPortIsUnavailable) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto first = MetricsServer::Create("127.0.0.1", 0, registry);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(
      MetricsServer::Create("127.0.0.1", (*first)->port(), registry)
          .status()
          .code(),
      absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace entropic
