#include "common/grpc_status.h"

#include "gtest/gtest.h"

namespace entropic {
namespace {

TEST(GrpcStatusTest, KeepsCodeAndMessageBothWays) {
  const absl::Status original =
      absl::InvalidArgumentError("chunk.rewards: NaN at step 3");
  const grpc::Status wire = ToGrpcStatus(original);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(wire.error_message(), "chunk.rewards: NaN at step 3");
  EXPECT_EQ(FromGrpcStatus(wire), original);
}

TEST(GrpcStatusTest, OkIsOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatusTest, CodesMapOneToOne) {
  for (int code = 1; code <= 16; ++code) {
    const absl::Status status(static_cast<absl::StatusCode>(code), "x");
    EXPECT_EQ(static_cast<int>(ToGrpcStatus(status).error_code()), code);
  }
}

}  // namespace
}  // namespace entropic
