#ifndef ENTROPIC_LEARNER_PARAMETERS_SERVICE_H_
#define ENTROPIC_LEARNER_PARAMETERS_SERVICE_H_

#include "entropic/v1/parameters.grpc.pb.h"
#include "learner/parameter_store.h"

namespace entropic {

// Serves the ParameterStore: newest weights on request, and streams that
// push each newer version to subscribed actors. Thread-safe.
class ParametersServiceImpl final
    : public v1::ParametersService::CallbackService {
 public:
  // `store` must outlive the service.
  explicit ParametersServiceImpl(ParameterStore* store) : store_(store) {}

  grpc::ServerWriteReactor<v1::Weights>* SubscribeWeights(
      grpc::CallbackServerContext* context,
      const v1::SubscribeWeightsRequest* request) override;
  grpc::ServerUnaryReactor* GetWeights(grpc::CallbackServerContext* context,
                                       const v1::GetWeightsRequest* request,
                                       v1::Weights* response) override;

 private:
  ParameterStore* const store_;
};

}  // namespace entropic

#endif  // ENTROPIC_LEARNER_PARAMETERS_SERVICE_H_
