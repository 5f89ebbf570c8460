#include "common/metrics_server.h"

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
