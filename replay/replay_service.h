#ifndef ENTROPIC_REPLAY_REPLAY_SERVICE_H_
#define ENTROPIC_REPLAY_REPLAY_SERVICE_H_

#include "common/message_size.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "replay/checkpointer.h"
#include "replay/replay_metrics.h"
#include "replay/table_store.h"

namespace entropic {

// The gRPC face of the replay tables: finds the table, converts, calls it,
// finishes. Blocking (rate-limited) work waits on table workers, never on
// gRPC threads. Thread-safe. SampleStream works on raw bytes, so its
// responses go out without a copy of their observations (sample_wire.h).
using ReplayCallbackService =
    v1::ReplayService::WithCallbackMethod_CreateTables<
        v1::ReplayService::WithCallbackMethod_DeleteTables<
            v1::ReplayService::WithCallbackMethod_Insert<
                v1::ReplayService::WithCallbackMethod_Sample<
                    v1::ReplayService::WithRawCallbackMethod_SampleStream<
                        v1::ReplayService::WithCallbackMethod_UpdatePriorities<
                            v1::ReplayService::WithCallbackMethod_GetTableInfo<
                                v1::ReplayService::
                                    WithCallbackMethod_Checkpoint<
                                        v1::ReplayService::Service>>>>>>>>;

class ReplayServiceImpl final : public ReplayCallbackService {
 public:
  // `store`, `metrics` and `checkpointer` (null without durability) must
  // outlive the service. Samples whose answer would not fit in
  // `max_message_bytes` are refused with RESOURCE_EXHAUSTED before anything
  // is sampled.
  ReplayServiceImpl(TableStore* store, ReplayMetrics* metrics,
                    Checkpointer* checkpointer = nullptr,
                    int64_t max_message_bytes = kMaxMessageBytes);

  grpc::ServerUnaryReactor* CreateTables(
      grpc::CallbackServerContext* context,
      const v1::CreateTablesRequest* request,
      v1::CreateTablesResponse* response) override;

  grpc::ServerUnaryReactor* DeleteTables(
      grpc::CallbackServerContext* context,
      const v1::DeleteTablesRequest* request,
      v1::DeleteTablesResponse* response) override;

  grpc::ServerBidiReactor<v1::InsertRequest, v1::InsertResponse>* Insert(
      grpc::CallbackServerContext* context) override;

  grpc::ServerUnaryReactor* Sample(grpc::CallbackServerContext* context,
                                   const v1::SampleRequest* request,
                                   v1::SampleResponse* response) override;

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* SampleStream(
      grpc::CallbackServerContext* context) override;

  grpc::ServerUnaryReactor* UpdatePriorities(
      grpc::CallbackServerContext* context,
      const v1::UpdatePrioritiesRequest* request,
      v1::UpdatePrioritiesResponse* response) override;

  grpc::ServerUnaryReactor* Checkpoint(
      grpc::CallbackServerContext* context,
      const v1::CheckpointRequest* request,
      v1::CheckpointResponse* response) override;

  grpc::ServerUnaryReactor* GetTableInfo(
      grpc::CallbackServerContext* context,
      const v1::GetTableInfoRequest* request,
      v1::GetTableInfoResponse* response) override;

 private:
  TableStore* const store_;
  ReplayMetrics* const metrics_;
  Checkpointer* const checkpointer_;
  const int64_t max_response_bytes_;
};

}  // namespace entropic

#endif  // ENTROPIC_REPLAY_REPLAY_SERVICE_H_
