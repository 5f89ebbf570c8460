#include "learner/parameters_service.h"

#include <torch/torch.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "actor/actor_metrics.h"
#include "actor/assignment.h"
#include "actor/policy/policy.h"
#include "common/grpc_server.h"
#include "common/message_size.h"
#include "common/security.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

std::shared_ptr<const v1::Weights> MakeWeights(int64_t version) {
  auto weights = std::make_shared<v1::Weights>();
  weights->set_job_id("job");
  weights->set_version(version);
  weights->set_temperature(0.1 * (version + 1));
  weights->add_tensors()->set_name("layers.0.weight");
  return weights;
}

class ParametersServiceTest : public ::testing::Test {
 protected:
  // Served as the learner serves it, read through a channel made as actors
  // make theirs.
  void SetUp() override {
    absl::StatusOr<StartedServer> started = StartGrpcServer(
        "127.0.0.1", 0, {&service_}, kMaxMessageBytes, ServerSecurity());
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::move(started->server);
    port_ = started->port;
    stub_ = v1::ParametersService::NewStub(CreateEntropicChannel(
        absl::StrCat("127.0.0.1:", port_), ClientSecurity()));
  }

  void TearDown() override { server_->Shutdown(); }

  static void SetDeadline(grpc::ClientContext& context) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  }

  int port_ = 0;
  ParameterStore store_;
  ParametersServiceImpl service_{&store_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::ParametersService::Stub> stub_;
};

TEST_F(ParametersServiceTest, UnknownJobIsNotFound) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::SubscribeWeightsRequest request;
  request.set_job_id("nope");
  auto stream = stub_->SubscribeWeights(&context, request);
  v1::Weights weights;
  EXPECT_FALSE(stream->Read(&weights));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ParametersServiceTest, SubscribersGetNewerVersionsUntilTheJobCloses) {
  store_.Open("job", MakeWeights(0));
  grpc::ClientContext context;
  SetDeadline(context);
  v1::SubscribeWeightsRequest request;
  request.set_job_id("job");
  request.set_newer_than(-1);
  auto stream = stub_->SubscribeWeights(&context, request);
  v1::Weights weights;
  ASSERT_TRUE(stream->Read(&weights));
  EXPECT_EQ(weights.version(), 0);
  EXPECT_EQ(weights.tensors(0).name(), "layers.0.weight");

  ASSERT_TRUE(store_.Publish(MakeWeights(1)).ok());
  ASSERT_TRUE(stream->Read(&weights));
  EXPECT_EQ(weights.version(), 1);
  EXPECT_DOUBLE_EQ(weights.temperature(), 0.2);
  // Versions never go back.
  EXPECT_EQ(store_.Publish(MakeWeights(1)).code(),
            absl::StatusCode::kFailedPrecondition);

  // A burst: the reader sees versions in increasing order and ends with the
  // newest, possibly skipping some.
  for (int v = 2; v <= 20; ++v)
    ASSERT_TRUE(store_.Publish(MakeWeights(v)).ok());
  int64_t last = 1;
  while (last < 20) {
    ASSERT_TRUE(stream->Read(&weights));
    EXPECT_GT(weights.version(), last);
    last = weights.version();
  }
  store_.Close("job");
  EXPECT_FALSE(stream->Read(&weights));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ParametersServiceTest, SubscriberThatHasTheNewestWaitsForTheNext) {
  store_.Open("job", MakeWeights(0));
  ASSERT_TRUE(store_.Publish(MakeWeights(3)).ok());
  grpc::ClientContext context;
  SetDeadline(context);
  v1::SubscribeWeightsRequest request;
  request.set_job_id("job");
  request.set_newer_than(3);
  auto stream = stub_->SubscribeWeights(&context, request);
  ASSERT_TRUE(store_.Publish(MakeWeights(4)).ok());
  v1::Weights weights;
  ASSERT_TRUE(stream->Read(&weights));
  EXPECT_EQ(weights.version(), 4);
  context.TryCancel();
}

TEST_F(ParametersServiceTest, GetWeightsOnlySendsNewerTensors) {
  store_.Open("job", MakeWeights(0));
  ASSERT_TRUE(store_.Publish(MakeWeights(5)).ok());
  v1::GetWeightsRequest request;
  request.set_job_id("job");
  request.set_newer_than(2);
  {
    grpc::ClientContext context;
    SetDeadline(context);
    v1::Weights weights;
    ASSERT_TRUE(stub_->GetWeights(&context, request, &weights).ok());
    EXPECT_EQ(weights.version(), 5);
    EXPECT_EQ(weights.tensors_size(), 1);
  }
  request.set_newer_than(5);
  grpc::ClientContext context;
  SetDeadline(context);
  v1::Weights weights;
  ASSERT_TRUE(stub_->GetWeights(&context, request, &weights).ok());
  EXPECT_EQ(weights.version(), 5);
  EXPECT_EQ(weights.tensors_size(), 0);
}

// A network with wide hidden layers: its weights are well over gRPC's default
// 4 MiB receive limit, and must still reach a subscriber.
TEST_F(ParametersServiceTest, WeightsLargerThanFourMebibytesReachSubscribers) {
  auto weights = std::make_shared<v1::Weights>();
  weights->set_job_id("job");
  weights->set_version(0);
  v1::Tensor* tensor = weights->add_tensors()->mutable_tensor();
  tensor->set_dtype(v1::DTYPE_FLOAT32);
  tensor->add_shape(2048);
  tensor->add_shape(1024);
  tensor->set_data(std::string(2048 * 1024 * sizeof(float), '\x01'));
  ASSERT_GT(weights->ByteSizeLong(), size_t{4} << 20);
  store_.Open("job", weights);

  grpc::ClientContext context;
  SetDeadline(context);
  v1::SubscribeWeightsRequest request;
  request.set_job_id("job");
  request.set_newer_than(-1);
  auto stream = stub_->SubscribeWeights(&context, request);
  v1::Weights received;
  ASSERT_TRUE(stream->Read(&received)) << stream->Finish().error_message();
  EXPECT_EQ(received.tensors(0).tensor().data(), tensor->data());

  v1::GetWeightsRequest get;
  get.set_job_id("job");
  get.set_newer_than(-1);
  grpc::ClientContext get_context;
  SetDeadline(get_context);
  v1::Weights got;
  const grpc::Status status = stub_->GetWeights(&get_context, get, &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.tensors(0).tensor().data().size(), tensor->data().size());
  store_.Close("job");
  context.TryCancel();
}

// A policy that loads any weights and fails to act, as LibTorch fails.
class ThrowingPolicy : public Policy {
 public:
  absl::Status Load(const v1::Weights& weights) override {
    version_ = weights.version();
    return absl::OkStatus();
  }
  ActionBatch Act(absl::Span<const float>, int, bool,
                  std::mt19937_64&) override {
    TORCH_CHECK(false, "out of memory, say");
    return {};
  }
  int64_t version() const override { return version_; }

 private:
  int64_t version_ = -1;
};

// A LibTorch error on the acting thread fails the assignment (the actor
// asks for work again); it used to end the actor process.
TEST_F(ParametersServiceTest, ALibTorchErrorWhileActingFailsTheAssignment) {
  store_.Open("job", MakeWeights(0));
  prometheus::Registry registry;
  ActorMetrics metrics(registry);
  AssignmentOptions options;
  options.assignment.set_job_id("job");
  options.assignment.set_actor_id("actor-0");
  options.assignment.set_replay_address("127.0.0.1:1");
  options.assignment.mutable_env()->set_id("CartPole-v1");
  options.assignment.mutable_env()->set_num_envs(2);
  options.assignment.set_chunk_length(8);
  options.assignment.set_table("agent");
  v1::BoltzmannPolicySpec& policy =
      *options.assignment.mutable_policy()->mutable_boltzmann();
  policy.set_observation_size(4);
  policy.set_num_actions(2);
  options.learner = CreateEntropicChannel(absl::StrCat("127.0.0.1:", port_),
                                          ClientSecurity());
  options.metrics = &metrics;
  options.make_policy = [](const v1::PolicySpec&)
      -> absl::StatusOr<std::unique_ptr<Policy>> {
    return std::make_unique<ThrowingPolicy>();
  };
  const absl::Status status = RunAssignment(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_NE(status.message().find("out of memory, say"), std::string::npos)
      << status;
}

// The assignment's policy must fit the environment, or acting would read
// past the observations.
TEST_F(ParametersServiceTest, AnAssignmentWhosePolicyDoesNotFitIsRefused) {
  prometheus::Registry registry;
  ActorMetrics metrics(registry);
  AssignmentOptions options;
  options.assignment.set_job_id("job");
  options.assignment.mutable_env()->set_id("CartPole-v1");
  options.assignment.mutable_env()->set_num_envs(1);
  v1::BoltzmannPolicySpec& policy =
      *options.assignment.mutable_policy()->mutable_boltzmann();
  policy.set_observation_size(6);
  policy.set_num_actions(2);
  options.learner = CreateEntropicChannel(absl::StrCat("127.0.0.1:", port_),
                                          ClientSecurity());
  options.metrics = &metrics;
  const absl::Status status = RunAssignment(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_NE(status.message().find("policy.boltzmann"), std::string::npos);
}

}  // namespace
}  // namespace entropic
