// A catalogue of bad requests, across replay's and the learner's services:
// each must be refused with the right code and a message that names the
// problem, and must change nothing. The CLI's and the binaries' bad command
// lines and files are in cli_catalogue_test.cc.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/job_file.h"
#include "common/tensor.h"
#include "entropic/v1/jobs.grpc.pb.h"
#include "entropic/v1/parameters.grpc.pb.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "entropic/v1/work.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "learner/learner_server.h"
#include "replay/replay_server.h"
#include "replay/testing/chunks.h"

namespace entropic {
namespace {

namespace fs = std::filesystem;
using ::entropic::testing::CartPoleTable;
using ::entropic::testing::MakeChunk;
using ::testing::HasSubstr;

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
}

// One unary call with a deadline; its status.
template <typename Stub, typename Request, typename Response>
grpc::Status Unary(Stub& stub,
                   grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                const Request&, Response*),
                   const Request& request) {
  grpc::ClientContext context;
  SetDeadline(context);
  Response response;
  return (stub.*method)(&context, request, &response);
}

// One server-streaming call read to its end; its status.
template <typename Stub, typename Request, typename Response>
grpc::Status ServerStream(
    Stub& stub,
    std::unique_ptr<grpc::ClientReader<Response>> (Stub::*method)(
        grpc::ClientContext*, const Request&),
    const Request& request) {
  grpc::ClientContext context;
  SetDeadline(context);
  std::unique_ptr<grpc::ClientReader<Response>> stream =
      (stub.*method)(&context, request);
  Response response;
  while (stream->Read(&response)) {
  }
  return stream->Finish();
}

// One bad request: what it is, how to send it, and the answer it must get.
struct BadRequest {
  std::string what;
  std::function<grpc::Status()> send;
  grpc::StatusCode code;
  std::string message;  // a part of the status message naming the problem
};

class CatalogueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    output_ = std::string(::testing::TempDir()) + "/catalogue_test";
    fs::remove_all(output_);
    ReplayServer::Options replay;
    replay.host = "127.0.0.1";
    absl::StatusOr<std::unique_ptr<ReplayServer>> replay_server =
        ReplayServer::Create(replay, registry_);
    ASSERT_TRUE(replay_server.ok()) << replay_server.status();
    replay_ = std::move(replay_server).value();
    LearnerServer::Options learner;
    learner.host = "127.0.0.1";
    learner.replay_address = absl::StrCat("127.0.0.1:", replay_->port());
    learner.output_root = output_;
    absl::StatusOr<std::unique_ptr<LearnerServer>> learner_server =
        LearnerServer::Create(learner, registry_);
    ASSERT_TRUE(learner_server.ok()) << learner_server.status();
    learner_ = std::move(learner_server).value();

    auto replay_channel = grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", replay_->port()),
        grpc::InsecureChannelCredentials());
    auto learner_channel = grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", learner_->port()),
        grpc::InsecureChannelCredentials());
    replay_stub_ = v1::ReplayService::NewStub(replay_channel);
    jobs_ = v1::JobsService::NewStub(learner_channel);
    work_ = v1::WorkService::NewStub(learner_channel);
    parameters_ = v1::ParametersService::NewStub(learner_channel);

    // A job's tables with a little data: a uniform and a prioritized one.
    v1::CreateTablesRequest create;
    create.set_job_id("job");
    *create.add_tables() = CartPoleTable(1000);
    v1::TableConfig* prioritized = create.add_tables();
    *prioritized = CartPoleTable(1000);
    prioritized->set_name("prioritized");
    prioritized->set_sampler(v1::TableConfig::PRIORITIZED);
    ASSERT_TRUE(CreateTables(create).ok());
    v1::TrajectoryChunk into_prioritized = MakeChunk("a", 2, 8, 0);
    into_prioritized.set_table("prioritized");
    ASSERT_TRUE(Insert({MakeChunk("a", 1, 8, 0)}).ok());
    ASSERT_TRUE(Insert({into_prioritized}).ok());

    absl::StatusOr<v1::JobSpec> spec = LoadJobFile(
        std::string(ENTROPIC_SOURCE_DIR) + "/examples/cartpole-softq.yaml");
    ASSERT_TRUE(spec.ok()) << spec.status();
    good_spec_ = *spec;
  }

  void TearDown() override {
    learner_->Shutdown();
    replay_->Shutdown();
    fs::remove_all(output_);
  }

  grpc::Status CreateTables(const v1::CreateTablesRequest& request) {
    return Unary(*replay_stub_, &v1::ReplayService::Stub::CreateTables,
                 request);
  }

  // Sends chunks on one stream; the stream's status.
  grpc::Status Insert(const std::vector<v1::TrajectoryChunk>& chunks) {
    grpc::ClientContext context;
    SetDeadline(context);
    auto stream = replay_stub_->Insert(&context);
    for (const v1::TrajectoryChunk& chunk : chunks) {
      v1::InsertRequest request;
      *request.mutable_chunk() = chunk;
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
    v1::InsertResponse ack;
    while (stream->Read(&ack)) {
    }
    return stream->Finish();
  }

  grpc::Status Sample(const v1::SampleRequest& request) {
    return Unary(*replay_stub_, &v1::ReplayService::Stub::Sample, request);
  }

  grpc::Status SampleStream(const v1::SampleRequest& request) {
    grpc::ClientContext context;
    SetDeadline(context);
    auto stream = replay_stub_->SampleStream(&context);
    stream->Write(request);
    stream->WritesDone();
    v1::SampleResponse response;
    while (stream->Read(&response)) {
    }
    return stream->Finish();
  }

  grpc::Status Submit(const v1::JobSpec& spec) {
    v1::SubmitJobRequest request;
    *request.mutable_spec() = spec;
    return Unary(*jobs_, &v1::JobsService::Stub::SubmitJob, request);
  }

  // Everything a bad request must leave as it was: replay's tables of the
  // job (sizes, counts, chunks) and the learner's jobs.
  std::string State() {
    std::string state;
    {
      grpc::ClientContext context;
      SetDeadline(context);
      v1::GetTableInfoRequest request;
      request.set_job_id("job");
      v1::GetTableInfoResponse response;
      EXPECT_TRUE(replay_stub_->GetTableInfo(&context, request, &response).ok());
      for (const v1::TableInfo& table : response.tables()) {
        absl::StrAppend(&state, table.name(), ":", table.size(), "/",
                        table.chunks(), "/", table.inserted_transitions(), "/",
                        table.sampled_transitions(), " ");
      }
    }
    {
      grpc::ClientContext context;
      SetDeadline(context);
      v1::ListJobsResponse response;
      EXPECT_TRUE(
          jobs_->ListJobs(&context, v1::ListJobsRequest(), &response).ok());
      absl::StrAppend(&state, "jobs:", response.jobs_size());
    }
    return state;
  }

  void ExpectAllRefused(const std::vector<BadRequest>& requests) {
    for (const BadRequest& request : requests) {
      SCOPED_TRACE(request.what);
      const std::string before = State();
      const grpc::Status status = request.send();
      EXPECT_EQ(status.error_code(), request.code) << status.error_message();
      EXPECT_FALSE(status.error_message().empty());
      EXPECT_THAT(status.error_message(), HasSubstr(request.message));
      EXPECT_EQ(State(), before);
    }
  }

  v1::SampleRequest SampleOf(int batch_size,
                             const std::string& table = "agent") {
    v1::SampleRequest request;
    request.set_job_id("job");
    request.set_table(table);
    request.set_batch_size(batch_size);
    return request;
  }

  prometheus::Registry registry_;
  std::string output_;
  std::unique_ptr<ReplayServer> replay_;
  std::unique_ptr<LearnerServer> learner_;
  std::unique_ptr<v1::ReplayService::Stub> replay_stub_;
  std::unique_ptr<v1::JobsService::Stub> jobs_;
  std::unique_ptr<v1::WorkService::Stub> work_;
  std::unique_ptr<v1::ParametersService::Stub> parameters_;
  v1::JobSpec good_spec_;
  int count_ = 0;
};

// Kinds of spoiled messages, each from a good one.
template <typename Message>
std::function<Message()> Spoiled(Message good,
                                 std::function<void(Message&)> spoil) {
  return [good, spoil] {
    Message message = good;
    spoil(message);
    return message;
  };
}

// Visit counts that CartPoleTable takes: 8 bits over its 4 elements.
v1::VisitCountConfig& ValidVisitCounts(v1::TableConfig& config) {
  v1::VisitCountConfig& counts = *config.mutable_visit_counts();
  counts.set_bits(8);
  for (int j = 0; j < 4; ++j) {
    counts.add_center(0);
    counts.add_half_width(1);
  }
  counts.set_column("visit_count");
  return counts;
}

TEST_F(CatalogueTest, BadTableConfigsAreRefused) {
  v1::CreateTablesRequest good;
  good.set_job_id("other-job");
  *good.add_tables() = CartPoleTable(1000);
  using Spoil = std::function<void(v1::TableConfig&)>;
  struct Case {
    std::string what;
    Spoil spoil;
    grpc::StatusCode code;
    std::string message;
  };
  const auto invalid = grpc::StatusCode::INVALID_ARGUMENT;
  const std::vector<Case> cases = {
      {"no name", [](v1::TableConfig& c) { c.clear_name(); }, invalid,
       "table.name"},
      {"no observation dtype",
       [](v1::TableConfig& c) { c.mutable_observation()->clear_dtype(); },
       invalid, "observation.dtype"},
      {"no action dtype",
       [](v1::TableConfig& c) { c.mutable_action()->clear_dtype(); }, invalid,
       "action.dtype"},
      {"zero dimension",
       [](v1::TableConfig& c) { c.mutable_observation()->add_shape(0); },
       invalid, "observation.shape"},
      {"negative dimension",
       [](v1::TableConfig& c) { c.mutable_action()->add_shape(-4); }, invalid,
       "action.shape"},
      {"element count overflows",
       [](v1::TableConfig& c) {
         for (int i = 0; i < 4; ++i) {
           c.mutable_observation()->add_shape(int64_t{1} << 32);
         }
       },
       invalid, "observation.shape"},
      {"row larger than a chunk",
       [](v1::TableConfig& c) {
         c.mutable_observation()->add_shape(int64_t{1} << 30);
       },
       invalid, "max_chunk_bytes"},
      {"no chunk length", [](v1::TableConfig& c) { c.set_max_chunk_length(0); },
       invalid, "max_chunk_length"},
      {"huge chunk length",
       [](v1::TableConfig& c) {
         c.set_max_chunk_length(1 << 30);
         c.set_capacity(int64_t{1} << 31);
       },
       invalid, "max_chunk_length"},
      {"capacity below a chunk", [](v1::TableConfig& c) { c.set_capacity(8); },
       invalid, "capacity"},
      {"capacity beyond any machine",
       [](v1::TableConfig& c) { c.set_capacity(int64_t{1} << 50); },
       grpc::StatusCode::RESOURCE_EXHAUSTED, "capacity"},
      {"min size zero",
       [](v1::TableConfig& c) {
         c.mutable_rate_limit()->set_min_size_to_sample(0);
       },
       invalid, "min_size_to_sample"},
      {"min size above capacity",
       [](v1::TableConfig& c) {
         c.mutable_rate_limit()->set_min_size_to_sample(5000);
       },
       invalid, "min_size_to_sample"},
      {"negative samples per insert",
       [](v1::TableConfig& c) {
         c.mutable_rate_limit()->set_samples_per_insert(-1);
       },
       invalid, "samples_per_insert"},
      {"NaN samples per insert",
       [](v1::TableConfig& c) {
         c.mutable_rate_limit()->set_samples_per_insert(std::nan(""));
       },
       invalid, "samples_per_insert"},
      {"NaN error buffer",
       [](v1::TableConfig& c) {
         c.mutable_rate_limit()->set_error_buffer(std::nan(""));
       },
       invalid, "error_buffer"},
      {"unknown sampler",
       [](v1::TableConfig& c) {
         c.set_sampler(static_cast<v1::TableConfig::Sampler>(77));
       },
       invalid, "sampler"},
      {"negative priority exponent",
       [](v1::TableConfig& c) { c.set_priority_exponent(-1); }, invalid,
       "priority_exponent"},
      {"infinite importance exponent",
       [](v1::TableConfig& c) {
         c.set_importance_exponent(std::numeric_limits<double>::infinity());
       },
       invalid, "importance_exponent"},
      {"negative capacity bytes",
       [](v1::TableConfig& c) { c.set_capacity_bytes(-5); }, invalid,
       "capacity_bytes"},
      {"capacity bytes below a chunk",
       [](v1::TableConfig& c) { c.set_capacity_bytes(1000); }, invalid,
       "capacity_bytes"},
      {"negative max chunk bytes",
       [](v1::TableConfig& c) { c.set_max_chunk_bytes(-1); }, invalid,
       "max_chunk_bytes"},
      {"negative policy lag",
       [](v1::TableConfig& c) { c.set_max_policy_lag(-1); }, invalid,
       "max_policy_lag"},
      {"durable without a checkpoint dir",
       [](v1::TableConfig& c) { c.set_durable(true); },
       grpc::StatusCode::FAILED_PRECONDITION, "--checkpoint_dir"},
      {"visit counts of no bits",
       [](v1::TableConfig& c) { ValidVisitCounts(c).set_bits(0); }, invalid,
       "visit_counts.bits"},
      {"visit counts of 65 bits",
       [](v1::TableConfig& c) { ValidVisitCounts(c).set_bits(65); }, invalid,
       "visit_counts.bits"},
      {"visit counts centred on more elements",
       [](v1::TableConfig& c) { ValidVisitCounts(c).add_center(0); }, invalid,
       "visit_counts.center"},
      {"visit counts of zero width",
       [](v1::TableConfig& c) { ValidVisitCounts(c).set_half_width(2, 0); },
       invalid, "visit_counts.half_width[2]"},
      {"visit counts in a column named like a response field",
       [](v1::TableConfig& c) { ValidVisitCounts(c).set_column("keys"); },
       invalid, "visit_counts.column"},
  };
  std::vector<BadRequest> requests;
  for (const Case& c : cases) {
    auto make = Spoiled<v1::CreateTablesRequest>(
        good, [spoil = c.spoil](v1::CreateTablesRequest& r) {
          spoil(*r.mutable_tables(0));
        });
    requests.push_back(
        {c.what, [this, make] { return CreateTables(make()); }, c.code,
         c.message});
  }
  requests.push_back({"no job id",
                      [this, good] {
                        v1::CreateTablesRequest r = good;
                        r.clear_job_id();
                        return CreateTables(r);
                      },
                      invalid, "job_id"});
  requests.push_back({"job id too long",
                      [this, good] {
                        v1::CreateTablesRequest r = good;
                        r.set_job_id(std::string(1000, 'j'));
                        return CreateTables(r);
                      },
                      invalid, "job_id"});
  requests.push_back({"no tables",
                      [this] {
                        v1::CreateTablesRequest r;
                        r.set_job_id("other-job");
                        return CreateTables(r);
                      },
                      invalid, "tables"});
  requests.push_back({"a table twice",
                      [this, good] {
                        v1::CreateTablesRequest r = good;
                        *r.add_tables() = r.tables(0);
                        return CreateTables(r);
                      },
                      invalid, "listed twice"});
  requests.push_back({"an existing table changed",
                      [this] {
                        v1::CreateTablesRequest r;
                        r.set_job_id("job");
                        *r.add_tables() = CartPoleTable(2000);
                        return CreateTables(r);
                      },
                      grpc::StatusCode::FAILED_PRECONDITION,
                      "different configuration"});
  ExpectAllRefused(requests);
  // None of them made a job's tables.
  grpc::ClientContext context;
  SetDeadline(context);
  v1::GetTableInfoRequest info;
  info.set_job_id("other-job");
  v1::GetTableInfoResponse response;
  EXPECT_EQ(replay_stub_->GetTableInfo(&context, info, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(CatalogueTest, BadChunksAreRefused) {
  const v1::TrajectoryChunk good = MakeChunk("b", 1, 8, 0);
  using Spoil = std::function<void(v1::TrajectoryChunk&)>;
  struct Case {
    std::string what;
    Spoil spoil;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"no actor", [](v1::TrajectoryChunk& c) { c.clear_actor_id(); },
       "chunk.actor_id"},
      {"unknown job", [](v1::TrajectoryChunk& c) { c.set_job_id("nope"); },
       "chunk.job_id"},
      {"unknown table", [](v1::TrajectoryChunk& c) { c.set_table("nope"); },
       "chunk.job_id/chunk.table"},
      {"negative policy version",
       [](v1::TrajectoryChunk& c) { c.set_policy_version(-1); },
       "chunk.policy_version"},
      {"rewards of two dimensions",
       [](v1::TrajectoryChunk& c) { c.mutable_rewards()->add_shape(1); },
       "chunk.rewards"},
      {"no rewards", [](v1::TrajectoryChunk& c) { c.clear_rewards(); },
       "chunk.rewards"},
      {"longer than a chunk",
       [](v1::TrajectoryChunk& c) {
         c = MakeChunk("b", 1, 65, 0);
       },
       "chunk.rewards"},
      {"rewards as float64",
       [](v1::TrajectoryChunk& c) {
         c.mutable_rewards()->set_dtype(v1::DTYPE_FLOAT64);
       },
       "chunk.rewards"},
      {"rewards short of their shape",
       [](v1::TrajectoryChunk& c) { c.mutable_rewards()->mutable_data()->resize(5); },
       "chunk.rewards"},
      {"observation rows missing",
       [](v1::TrajectoryChunk& c) {
         *c.mutable_observations() =
             MakeTensor<float>(std::vector<float>(32, 0.f), {8, 4});
       },
       "chunk.observations"},
      {"observations of another shape",
       [](v1::TrajectoryChunk& c) {
         *c.mutable_observations() =
             MakeTensor<float>(std::vector<float>(27, 0.f), {9, 3});
       },
       "chunk.observations"},
      {"observations as int64",
       [](v1::TrajectoryChunk& c) {
         c.mutable_observations()->set_dtype(v1::DTYPE_INT64);
       },
       "chunk.observations"},
      {"actions as float32",
       [](v1::TrajectoryChunk& c) {
         *c.mutable_actions() = MakeTensor<float>(std::vector<float>(8), {8});
       },
       "chunk.actions"},
      {"too few actions",
       [](v1::TrajectoryChunk& c) {
         *c.mutable_actions() =
             MakeTensor<int64_t>(std::vector<int64_t>(7), {7});
       },
       "chunk.actions"},
      {"NaN reward",
       [](v1::TrajectoryChunk& c) {
         std::vector<float> r(8, 0.f);
         r[3] = std::nanf("");
         *c.mutable_rewards() = MakeTensor<float>(r, {8});
       },
       "chunk.rewards"},
      {"infinite observation",
       [](v1::TrajectoryChunk& c) {
         std::vector<float> o(36, 0.f);
         o[10] = std::numeric_limits<float>::infinity();
         *c.mutable_observations() = MakeTensor<float>(o, {9, 4});
       },
       "chunk.observations"},
      {"shape whose element count overflows",
       [](v1::TrajectoryChunk& c) {
         v1::Tensor* o = c.mutable_observations();
         o->clear_shape();
         o->add_shape(9);
         o->add_shape(int64_t{1} << 62);
         o->add_shape(int64_t{1} << 62);
       },
       "chunk.observations"},
  };
  std::vector<BadRequest> requests;
  for (const Case& c : cases) {
    auto make = Spoiled<v1::TrajectoryChunk>(good, c.spoil);
    requests.push_back({c.what, [this, make] { return Insert({make()}); },
                        grpc::StatusCode::INVALID_ARGUMENT, c.message});
  }
  ExpectAllRefused(requests);
}

TEST_F(CatalogueTest, BadSamplesAreRefusedAlikeByUnaryAndStream) {
  using Spoil = std::function<void(v1::SampleRequest&)>;
  struct Case {
    std::string what;
    Spoil spoil;
    grpc::StatusCode code;
    std::string message;
  };
  const auto invalid = grpc::StatusCode::INVALID_ARGUMENT;
  const std::vector<Case> cases = {
      {"batch of zero", [](v1::SampleRequest& r) { r.set_batch_size(0); },
       invalid, "batch_size"},
      {"negative batch", [](v1::SampleRequest& r) { r.set_batch_size(-5); },
       invalid, "batch_size"},
      {"batch beyond the limit",
       [](v1::SampleRequest& r) { r.set_batch_size(1 << 22); }, invalid,
       "batch_size"},
      {"negative n-step", [](v1::SampleRequest& r) { r.set_n_step(-1); },
       invalid, "n_step"},
      {"n-step beyond the limit",
       [](v1::SampleRequest& r) { r.set_n_step(20000); }, invalid, "n_step"},
      {"gamma above one", [](v1::SampleRequest& r) { r.set_gamma(1.5); },
       invalid, "gamma"},
      {"negative gamma", [](v1::SampleRequest& r) { r.set_gamma(-0.1); },
       invalid, "gamma"},
      {"NaN gamma", [](v1::SampleRequest& r) { r.set_gamma(std::nan("")); },
       invalid, "gamma"},
      {"negative sequence",
       [](v1::SampleRequest& r) { r.set_sequence_length(-2); }, invalid,
       "sequence_length"},
      {"sequence beyond the limit",
       [](v1::SampleRequest& r) { r.set_sequence_length(200000); }, invalid,
       "sequence_length"},
      {"sequence and n-step",
       [](v1::SampleRequest& r) {
         r.set_sequence_length(4);
         r.set_n_step(3);
       },
       invalid, "n_step"},
      {"NaN importance exponent",
       [](v1::SampleRequest& r) { r.set_importance_exponent(std::nan("")); },
       invalid, "importance_exponent"},
      {"fraction without a table",
       [](v1::SampleRequest& r) { r.set_demonstration_fraction(0.5); },
       invalid, "demonstration_fraction"},
      {"fraction above one",
       [](v1::SampleRequest& r) {
         r.set_demonstrations_table("prioritized");
         r.set_demonstration_fraction(2);
       },
       invalid, "demonstration_fraction"},
      {"unknown demonstrations table",
       [](v1::SampleRequest& r) {
         r.set_demonstrations_table("nope");
         r.set_demonstration_fraction(0.5);
       },
       grpc::StatusCode::NOT_FOUND, "nope"},
      {"unknown job", [](v1::SampleRequest& r) { r.set_job_id("nope"); },
       grpc::StatusCode::NOT_FOUND, "nope"},
      {"unknown table", [](v1::SampleRequest& r) { r.set_table("nope"); },
       grpc::StatusCode::NOT_FOUND, "nope"},
      {"answer over the message limit",
       [](v1::SampleRequest& r) { r.set_batch_size(1 << 20); },
       grpc::StatusCode::RESOURCE_EXHAUSTED, "max_message_mb"},
      {"sequences over the message limit",
       [](v1::SampleRequest& r) {
         r.set_batch_size(1 << 20);
         r.set_sequence_length(100000);
       },
       grpc::StatusCode::RESOURCE_EXHAUSTED, "max_message_mb"},
  };
  std::vector<BadRequest> requests;
  for (const Case& c : cases) {
    auto make = Spoiled<v1::SampleRequest>(SampleOf(4), c.spoil);
    requests.push_back({c.what + " (unary)",
                        [this, make] { return Sample(make()); }, c.code,
                        c.message});
    requests.push_back({c.what + " (stream)",
                        [this, make] { return SampleStream(make()); }, c.code,
                        c.message});
  }
  ExpectAllRefused(requests);
}

TEST_F(CatalogueTest, BadPriorityUpdatesAndTableCallsAreRefused) {
  auto update = [this](const std::string& table, std::vector<int64_t> keys,
                       std::vector<double> priorities) {
    return [this, table, keys, priorities] {
      v1::UpdatePrioritiesRequest request;
      request.set_job_id("job");
      request.set_table(table);
      for (int64_t key : keys) request.add_keys(key);
      for (double p : priorities) request.add_priorities(p);
      return Unary(*replay_stub_, &v1::ReplayService::Stub::UpdatePriorities,
                   request);
    };
  };
  const auto invalid = grpc::StatusCode::INVALID_ARGUMENT;
  std::vector<BadRequest> requests = {
      {"more keys than priorities", update("prioritized", {0, 1}, {1.0}),
       invalid, "priorities"},
      {"negative priority", update("prioritized", {0}, {-1.0}), invalid,
       "priorities[0]"},
      {"NaN priority", update("prioritized", {0, 1}, {1.0, std::nan("")}),
       invalid, "priorities[1]"},
      {"infinite priority",
       update("prioritized", {0},
              {std::numeric_limits<double>::infinity()}),
       invalid, "priorities[0]"},
      {"a table without priorities", update("agent", {0}, {1.0}),
       grpc::StatusCode::FAILED_PRECONDITION, "PRIORITIZED"},
      {"unknown table", update("nope", {0}, {1.0}),
       grpc::StatusCode::NOT_FOUND, "nope"},
      {"delete an unknown job's tables",
       [this] {
         v1::DeleteTablesRequest request;
         request.set_job_id("nope");
         return Unary(*replay_stub_, &v1::ReplayService::Stub::DeleteTables,
                      request);
       },
       grpc::StatusCode::NOT_FOUND, "nope"},
      {"info of an unknown job",
       [this] {
         v1::GetTableInfoRequest request;
         request.set_job_id("nope");
         return Unary(*replay_stub_, &v1::ReplayService::Stub::GetTableInfo,
                      request);
       },
       grpc::StatusCode::NOT_FOUND, "nope"},
      {"checkpoint without a checkpoint dir",
       [this] {
         return Unary(*replay_stub_, &v1::ReplayService::Stub::Checkpoint,
                      v1::CheckpointRequest());
       },
       grpc::StatusCode::FAILED_PRECONDITION, "--checkpoint_dir"},
  };
  ExpectAllRefused(requests);
}

TEST_F(CatalogueTest, BadJobSpecsAreRefused) {
  using Spoil = std::function<void(v1::JobSpec&)>;
  struct Case {
    std::string field;
    Spoil spoil;
  };
  auto q = [](v1::JobSpec& s) {
    return s.mutable_algorithm()->mutable_soft_q();
  };
  const std::vector<Case> cases = {
      {"env.id", [](v1::JobSpec& s) { s.mutable_env()->set_id("Nope-v0"); }},
      {"env.num_envs",
       [](v1::JobSpec& s) { s.mutable_env()->set_num_envs(-1); }},
      {"actors", [](v1::JobSpec& s) { s.set_actors(-2); }},
      {"algorithm.soft_q.gamma", [q](v1::JobSpec& s) { q(s)->set_gamma(1.5); }},
      {"algorithm.soft_q.gamma",
       [q](v1::JobSpec& s) { q(s)->set_gamma(std::nan("")); }},
      {"algorithm.soft_q.alpha", [q](v1::JobSpec& s) { q(s)->set_alpha(-1); }},
      {"algorithm.soft_q.lr",
       [q](v1::JobSpec& s) {
         q(s)->set_lr(std::numeric_limits<double>::infinity());
       }},
      {"algorithm.soft_q.batch_size",
       [q](v1::JobSpec& s) { q(s)->set_batch_size(1 << 20); }},
      {"algorithm.soft_q.hidden[0]",
       [q](v1::JobSpec& s) { q(s)->set_hidden(0, 0); }},
      {"exploration.hashed_counts.bits",
       [](v1::JobSpec& s) {
         s.mutable_exploration()->mutable_hashed_counts()->set_bits(65);
       }},
      {"exploration.hashed_counts.scale",
       [](v1::JobSpec& s) {
         s.mutable_exploration()->mutable_hashed_counts()->set_scale(
             std::nan(""));
       }},
      {"algorithm.soft_q.hidden",
       [q](v1::JobSpec& s) {
         for (int i = 0; i < 10; ++i) q(s)->add_hidden(8);
       }},
      // Weights of 80 MiB, over the 64 MiB every client accepts.
      {"algorithm.soft_q.hidden",
       [q](v1::JobSpec& s) {
         q(s)->clear_hidden();
         for (int width : {4096, 4096, 1024}) q(s)->add_hidden(width);
       }},
      {"algorithm.soft_q.target_update.polyak",
       [q](v1::JobSpec& s) { q(s)->mutable_target_update()->set_polyak(2); }},
      {"algorithm.soft_q.target_update.period",
       [q](v1::JobSpec& s) { q(s)->mutable_target_update()->set_period(-3); }},
      {"algorithm.soft_q.n_step", [q](v1::JobSpec& s) { q(s)->set_n_step(-1); }},
      {"algorithm.soft_q.n_step",
       [q](v1::JobSpec& s) { q(s)->set_n_step(5000); }},
      {"algorithm.soft_q.huber_delta",
       [q](v1::JobSpec& s) { q(s)->set_huber_delta(-1); }},
      {"algorithm.soft_q.max_grad_norm",
       [q](v1::JobSpec& s) { q(s)->set_max_grad_norm(std::nan("")); }},
      {"algorithm.soft_q.publish_every_updates",
       [q](v1::JobSpec& s) { q(s)->set_publish_every_updates(-1); }},
      {"algorithm.soft_q.auto_alpha.target_entropy",
       [q](v1::JobSpec& s) {
         q(s)->mutable_auto_alpha()->set_target_entropy(5);
       }},
      {"replay.chunk_length",
       [](v1::JobSpec& s) { s.mutable_replay()->set_chunk_length(100000); }},
      {"replay.agent.capacity",
       [](v1::JobSpec& s) {
         s.mutable_replay()->mutable_agent()->set_capacity(int64_t{1} << 40);
       }},
      {"replay.agent.min_size",
       [](v1::JobSpec& s) {
         s.mutable_replay()->mutable_agent()->set_min_size(-1);
       }},
      {"replay.agent.samples_per_insert",
       [](v1::JobSpec& s) {
         s.mutable_replay()->mutable_agent()->set_samples_per_insert(-1);
       }},
      {"replay.agent.importance_exponent",
       [](v1::JobSpec& s) {
         s.mutable_replay()->mutable_agent()->set_importance_exponent(3);
       }},
      {"replay.agent.capacity_bytes",
       [](v1::JobSpec& s) {
         s.mutable_replay()->mutable_agent()->set_capacity_bytes(-1);
       }},
      {"replay.agent.max_policy_lag",
       [](v1::JobSpec& s) {
         s.mutable_replay()->mutable_agent()->set_max_policy_lag(-1);
       }},
      {"replay.demonstrations.fraction",
       [](v1::JobSpec& s) {
         s.mutable_replay()->mutable_demonstrations()->set_fraction(1.5);
       }},
      {"replay.demonstrations.anneal_updates",
       [](v1::JobSpec& s) {
         s.mutable_replay()->mutable_demonstrations()->set_anneal_updates(-4);
       }},
  };
  std::vector<BadRequest> requests;
  for (const Case& c : cases) {
    auto make = Spoiled<v1::JobSpec>(good_spec_, c.spoil);
    requests.push_back({c.field, [this, make] { return Submit(make()); },
                        grpc::StatusCode::INVALID_ARGUMENT, c.field + ":"});
  }
  ExpectAllRefused(requests);
}

TEST_F(CatalogueTest, BadJobAndWorkCallsAreRefused) {
  // A call naming job `id`, unary or streamed.
  auto get = [this](const std::string& id) {
    return [this, id] {
      v1::GetJobRequest request;
      request.set_job_id(id);
      return Unary(*jobs_, &v1::JobsService::Stub::GetJob, request);
    };
  };
  auto cancel = [this](const std::string& id) {
    return [this, id] {
      v1::CancelJobRequest request;
      request.set_job_id(id);
      return Unary(*jobs_, &v1::JobsService::Stub::CancelJob, request);
    };
  };
  auto watch = [this](const std::string& id) {
    return [this, id] {
      v1::WatchJobRequest request;
      request.set_job_id(id);
      return ServerStream(*jobs_, &v1::JobsService::Stub::WatchJob, request);
    };
  };
  auto report = [this](std::function<void(v1::ReportProgressRequest&)> spoil) {
    return [this, spoil] {
      v1::ReportProgressRequest request;
      request.set_job_id("job-that-runs");
      request.set_actor_id("actor-1");
      request.set_env_steps(10);
      v1::EpisodeSummary* episode = request.add_episodes();
      episode->set_episode_return(5);
      episode->set_length(5);
      spoil(request);
      return Unary(*work_, &v1::WorkService::Stub::ReportProgress, request);
    };
  };
  auto weights = [this](const std::string& id) {
    return [this, id] {
      v1::GetWeightsRequest request;
      request.set_job_id(id);
      request.set_newer_than(-1);
      return Unary(*parameters_, &v1::ParametersService::Stub::GetWeights,
                   request);
    };
  };
  auto subscribe = [this](const std::string& id) {
    return [this, id] {
      v1::SubscribeWeightsRequest request;
      request.set_job_id(id);
      request.set_newer_than(-1);
      return ServerStream(*parameters_,
                          &v1::ParametersService::Stub::SubscribeWeights,
                          request);
    };
  };
  const auto invalid = grpc::StatusCode::INVALID_ARGUMENT;
  const auto not_found = grpc::StatusCode::NOT_FOUND;
  std::vector<BadRequest> requests = {
      {"get an unknown job", get("nope"), not_found, "nope"},
      {"cancel an unknown job", cancel("nope"), not_found, "nope"},
      {"watch an unknown job", watch("nope"), not_found, "nope"},
      {"weights of an unknown job", weights("nope"), not_found, "nope"},
      {"subscribe to an unknown job", subscribe("nope"), not_found, "nope"},
      {"progress without a job",
       report([](v1::ReportProgressRequest& r) { r.clear_job_id(); }), invalid,
       "job_id"},
      {"progress without an actor",
       report([](v1::ReportProgressRequest& r) { r.clear_actor_id(); }),
       invalid, "actor_id"},
      {"negative steps",
       report([](v1::ReportProgressRequest& r) { r.set_env_steps(-100); }),
       invalid, "env_steps"},
      {"absurd steps",
       report([](v1::ReportProgressRequest& r) {
         r.set_env_steps(std::numeric_limits<int64_t>::max());
       }),
       invalid, "env_steps"},
      {"NaN return",
       report([](v1::ReportProgressRequest& r) {
         r.mutable_episodes(0)->set_episode_return(std::nan(""));
       }),
       invalid, "episode_return"},
      {"empty episode",
       report([](v1::ReportProgressRequest& r) {
         r.mutable_episodes(0)->set_length(0);
       }),
       invalid, "episodes[0].length"},
      {"negative policy version",
       report([](v1::ReportProgressRequest& r) { r.set_policy_version(-1); }),
       invalid, "policy_version"},
      {"progress for an unknown job", report([](v1::ReportProgressRequest&) {}),
       not_found, "job-that-runs"},
      {"an actor name too long",
       [this] {
         v1::GetWorkRequest request;
         request.set_actor_name(std::string(5000, 'x'));
         return Unary(*work_, &v1::WorkService::Stub::GetWork, request);
       },
       invalid, "actor_name"},
  };
  ExpectAllRefused(requests);
}

}  // namespace
}  // namespace entropic
