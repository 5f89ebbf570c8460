#include "common/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "common/testing/http_get.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"

namespace entropic {
namespace {

using ::testing::HasSubstr;

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
  const absl::StatusOr<std::string> body =
      testing::HttpGet((*server)->port(), "/metrics");
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_THAT(*body, HasSubstr("entropic_test_things_total{job=\"j1\"} 3"));
  const absl::StatusOr<std::string> other =
      testing::HttpGet((*server)->port(), "/other");
  EXPECT_THAT(std::string(other.status().message()), HasSubstr("404"));
}

TEST(MetricsServerTest, ScrapesAreAnsweredWhileOtherConnectionsIdle) {
  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<MetricsServer>> server =
      MetricsServer::Create("127.0.0.1", 0, registry);
  ASSERT_TRUE(server.ok()) << server.status();
  // Connections that send half a request and then nothing: more than one
  // address may hold.
  std::vector<int> idle;
  for (int i = 0; i < 24; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons((*server)->port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address),
                      sizeof(address)),
              0);
    ASSERT_EQ(write(fd, "GET /met", 8), 8);
    idle.push_back(fd);
  }
  // Scrapes from another address are answered at once.
  for (int scrape = 0; scrape < 3; ++scrape) {
    const absl::StatusOr<std::string> body = testing::HttpGet(
        (*server)->port(), "/metrics", absl::Seconds(2), "127.0.0.2");
    EXPECT_TRUE(body.ok()) << body.status();
  }
  for (int fd : idle) close(fd);
}

TEST(MetricsServerTest, OtherMethodsAreRefused) {
  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<MetricsServer>> server =
      MetricsServer::Create("127.0.0.1", 0, registry);
  ASSERT_TRUE(server.ok()) << server.status();
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons((*server)->port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  const std::string request =
      "POST /metrics HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc";
  ASSERT_EQ(write(fd, request.data(), request.size()),
            static_cast<ssize_t>(request.size()));
  char buffer[256] = {};
  ASSERT_GT(read(fd, buffer, sizeof(buffer) - 1), 0);
  close(fd);
  EXPECT_THAT(std::string(buffer), HasSubstr("405"));
}

TEST(MetricsServerTest, BusyPortIsUnavailable) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto first = MetricsServer::Create("127.0.0.1", 0, registry);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(MetricsServer::Create("127.0.0.1", (*first)->port(), registry)
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace entropic
