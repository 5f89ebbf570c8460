#ifndef ENTROPIC_COMMON_GRPC_STATUS_H_
#define ENTROPIC_COMMON_GRPC_STATUS_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace entropic {

// The one place where absl::Status and grpc::Status are converted. Codes map
// one to one (both follow google.rpc.Code); the message is kept.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// Ends a unary callback call at once with `status`: for handlers that answer
// on the RPC thread.
inline grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                           const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace entropic

#endif  // ENTROPIC_COMMON_GRPC_STATUS_H_
