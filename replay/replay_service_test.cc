#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/security.h"
#include "common/tensor.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/replay_server.h"
#include "replay/testing/chunks.h"

namespace entropic {
namespace {

using ::entropic::testing::AddTestColumns;
using ::entropic::testing::CartPoleTable;
using ::entropic::testing::MakeChunk;
using ::entropic::testing::MakeEpisodeChunk;
using ::entropic::testing::TestLogProb;
using ::entropic::testing::TestTask;
using ::entropic::testing::WithTestColumns;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ReplayServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ReplayServer::Options options;
    options.host = "127.0.0.1";
    options.port = 0;
    absl::StatusOr<std::unique_ptr<ReplayServer>> server =
        ReplayServer::Create(options, registry_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    stub_ = v1::ReplayService::NewStub(CreateEntropicChannel(
        absl::StrCat("127.0.0.1:", server_->port()), ClientSecurity()));

    v1::CreateTablesRequest request;
    request.set_job_id("job");
    *request.add_tables() = CartPoleTable(10000);
    v1::CreateTablesResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    ASSERT_TRUE(stub_->CreateTables(&context, request, &response).ok());
  }

  static void SetDeadline(grpc::ClientContext& context,
                          absl::Duration timeout = absl::Seconds(10)) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  }

  // Sends `chunks` on one stream and returns the acknowledgements received
  // and the stream's final status.
  std::pair<std::vector<v1::InsertResponse>, grpc::Status> InsertAll(
      const std::vector<v1::TrajectoryChunk>& chunks) {
    grpc::ClientContext context;
    SetDeadline(context);
    auto stream = stub_->Insert(&context);
    for (const v1::TrajectoryChunk& chunk : chunks) {
      v1::InsertRequest request;
      *request.mutable_chunk() = chunk;
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
    std::vector<v1::InsertResponse> acks;
    v1::InsertResponse ack;
    while (stream->Read(&ack)) acks.push_back(ack);
    return {acks, stream->Finish()};
  }

  // Creates `tables` for job "cols".
  void CreateColumnTables(const std::vector<v1::TableConfig>& tables) {
    v1::CreateTablesRequest request;
    request.set_job_id("cols");
    for (const v1::TableConfig& table : tables) *request.add_tables() = table;
    v1::CreateTablesResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    const grpc::Status status =
        stub_->CreateTables(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  absl::StatusOr<v1::SampleResponse> SampleOnce(
      const v1::SampleRequest& request) {
    v1::SampleResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    const grpc::Status status = stub_->Sample(&context, request, &response);
    if (!status.ok()) return absl::InternalError(status.error_message());
    return response;
  }

  int64_t TableSize() {
    v1::GetTableInfoRequest request;
    request.set_job_id("job");
    v1::GetTableInfoResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    EXPECT_TRUE(stub_->GetTableInfo(&context, request, &response).ok());
    return response.tables(0).size();
  }

  prometheus::Registry registry_;
  std::unique_ptr<ReplayServer> server_;
  std::unique_ptr<v1::ReplayService::Stub> stub_;
};

TEST_F(ReplayServiceTest, AcknowledgesEveryChunkInOrderAndSamples) {
  std::vector<v1::TrajectoryChunk> chunks;
  for (int i = 1; i <= 50; ++i) chunks.push_back(MakeChunk("a", i, 8, i * 100));
  auto [acks, status] = InsertAll(chunks);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(acks.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(acks[i].sequence(), static_cast<uint64_t>(i + 1));
    EXPECT_FALSE(acks[i].duplicate());
  }
  EXPECT_EQ(TableSize(), 400);

  v1::SampleRequest request;
  request.set_job_id("job");
  request.set_table("agent");
  request.set_batch_size(32);
  v1::SampleResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  ASSERT_TRUE(stub_->Sample(&context, request, &response).ok());
  EXPECT_THAT(response.observations().shape(), ::testing::ElementsAre(32, 4));
  EXPECT_THAT(response.next_observations().shape(),
              ::testing::ElementsAre(32, 4));
  EXPECT_THAT(response.actions().shape(), ::testing::ElementsAre(32));
  EXPECT_EQ(response.actions().dtype(), v1::DTYPE_INT64);
  EXPECT_EQ(response.rewards().data().size(), 32 * sizeof(float));
  EXPECT_EQ(response.terminated().dtype(), v1::DTYPE_BOOL);
  EXPECT_EQ(response.table_size(), 400);
  const std::vector<float> s = TensorValues<float>(response.observations());
  const std::vector<float> next =
      TensorValues<float>(response.next_observations());
  for (int i = 0; i < 32; ++i) EXPECT_EQ(next[i * 4], s[i * 4] + 1);
}

TEST_F(ReplayServiceTest, ResentChunksAreAcknowledgedAsDuplicates) {
  std::vector<v1::TrajectoryChunk> chunks = {MakeChunk("a", 1, 8, 0),
                                             MakeChunk("a", 2, 8, 0)};
  ASSERT_TRUE(InsertAll(chunks).second.ok());
  chunks.push_back(MakeChunk("a", 3, 8, 0));
  auto [acks, status] = InsertAll(chunks);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(acks.size(), 3u);
  EXPECT_TRUE(acks[0].duplicate());
  EXPECT_TRUE(acks[1].duplicate());
  EXPECT_FALSE(acks[2].duplicate());
  EXPECT_EQ(TableSize(), 24);
}

TEST_F(ReplayServiceTest, MalformedChunkEndsTheStreamAndStoresNothing) {
  v1::TrajectoryChunk bad = MakeChunk("a", 3, 8, 0);
  bad.mutable_observations()->set_shape(1, 3);
  auto [acks, status] =
      InsertAll({MakeChunk("a", 1, 8, 0), MakeChunk("a", 2, 8, 0), bad,
                 MakeChunk("a", 4, 8, 0)});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("chunk.observations"));
  EXPECT_THAT(status.error_message(), HasSubstr("sequence 3"));
  // The chunks before it were stored and acknowledged; nothing after it.
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(TableSize(), 16);
}

TEST_F(ReplayServiceTest, UnknownJobIsInvalidArgumentNamingIt) {
  v1::TrajectoryChunk chunk = MakeChunk("a", 1, 8, 0);
  chunk.set_job_id("nope");
  auto [acks, status] = InsertAll({chunk});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("nope"));
  EXPECT_TRUE(acks.empty());
}

TEST_F(ReplayServiceTest,
       AcknowledgesInArrivalOrderWhenTablesFinishOutOfOrder) {
  // "gated" admits one 8-step chunk, then holds inserts until 4 transitions
  // have been sampled (min size 8, 1 sample per insert, error buffer 4).
  v1::CreateTablesRequest create;
  create.set_job_id("job");
  *create.add_tables() = CartPoleTable(1000, 8, 1, 4);
  create.mutable_tables(0)->set_name("gated");
  v1::CreateTablesResponse created;
  grpc::ClientContext create_context;
  SetDeadline(create_context);
  ASSERT_TRUE(stub_->CreateTables(&create_context, create, &created).ok());

  grpc::ClientContext context;
  SetDeadline(context);
  auto stream = stub_->Insert(&context);
  for (const auto& [sequence, table] : std::vector<std::pair<int, std::string>>{
           {1, "gated"}, {2, "gated"}, {3, "agent"}}) {
    v1::InsertRequest request;
    *request.mutable_chunk() = MakeChunk("a", sequence, 8, 0);
    request.mutable_chunk()->set_table(table);
    ASSERT_TRUE(stream->Write(request));
  }
  v1::InsertResponse ack;
  ASSERT_TRUE(stream->Read(&ack));
  EXPECT_EQ(ack.sequence(), 1u);
  // Chunk 3 is stored while chunk 2 still waits on the rate limiter...
  for (int i = 0; i < 500 && TableSize() < 8; ++i)
    absl::SleepFor(absl::Milliseconds(10));
  ASSERT_EQ(TableSize(), 8);
  // ...and its acknowledgement waits for chunk 2's, released by a sample.
  v1::SampleRequest sample;
  sample.set_job_id("job");
  sample.set_table("gated");
  sample.set_batch_size(4);
  v1::SampleResponse sampled;
  grpc::ClientContext sample_context;
  SetDeadline(sample_context);
  ASSERT_TRUE(stub_->Sample(&sample_context, sample, &sampled).ok());
  stream->WritesDone();
  std::vector<uint64_t> rest;
  while (stream->Read(&ack)) rest.push_back(ack.sequence());
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(rest, (std::vector<uint64_t>{2, 3}));
}

TEST_F(ReplayServiceTest, SixtyFourConcurrentStreamsAreAllAcknowledged) {
  constexpr int kStreams = 64;
  constexpr int kChunksPerStream = 20;
  std::vector<std::thread> actors;
  std::vector<int> acknowledged(kStreams, 0);
  std::vector<grpc::Status> statuses(kStreams);
  for (int a = 0; a < kStreams; ++a) {
    actors.emplace_back([&, a] {
      std::vector<v1::TrajectoryChunk> chunks;
      for (int i = 1; i <= kChunksPerStream; ++i) {
        chunks.push_back(MakeChunk(absl::StrCat("actor-", a), i, 4, i));
      }
      auto [acks, status] = InsertAll(chunks);
      acknowledged[a] = static_cast<int>(acks.size());
      statuses[a] = status;
    });
  }
  for (std::thread& actor : actors) actor.join();
  for (int a = 0; a < kStreams; ++a) {
    EXPECT_TRUE(statuses[a].ok())
        << "stream " << a << ": " << statuses[a].error_message();
    EXPECT_EQ(acknowledged[a], kChunksPerStream) << "stream " << a;
  }
  EXPECT_EQ(TableSize(), kStreams * kChunksPerStream * 4);
}

TEST_F(ReplayServiceTest, SampleStreamAnswersEveryRequestInOrder) {
  std::vector<v1::TrajectoryChunk> chunks;
  for (int i = 1; i <= 10; ++i) chunks.push_back(MakeChunk("a", i, 8, i * 100));
  ASSERT_TRUE(InsertAll(chunks).second.ok());
  grpc::ClientContext context;
  SetDeadline(context);
  auto stream = stub_->SampleStream(&context);
  for (int batch : {3, 5, 7}) {
    v1::SampleRequest request;
    request.set_job_id("job");
    request.set_table("agent");
    request.set_batch_size(batch);
    ASSERT_TRUE(stream->Write(request));
  }
  stream->WritesDone();
  std::vector<int64_t> sizes;
  v1::SampleResponse response;
  while (stream->Read(&response)) {
    sizes.push_back(response.observations().shape(0));
    const std::vector<float> s = TensorValues<float>(response.observations());
    const std::vector<float> next =
        TensorValues<float>(response.next_observations());
    for (size_t i = 0; i < s.size(); i += 4) EXPECT_EQ(next[i], s[i] + 1);
  }
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(sizes, (std::vector<int64_t>{3, 5, 7}));
}

// Frames of 64x64 uint8 are large enough to be sent from where replay
// stores them: both rpcs must still deliver every row intact.
TEST_F(ReplayServiceTest, LargeObservationsArriveIntactByStreamAndUnary) {
  v1::CreateTablesRequest create;
  create.set_job_id("job");
  v1::TableConfig* frames = create.add_tables();
  *frames = CartPoleTable(10000);
  frames->set_name("frames");
  frames->mutable_observation()->set_dtype(v1::DTYPE_UINT8);
  frames->mutable_observation()->clear_shape();
  frames->mutable_observation()->add_shape(64);
  frames->mutable_observation()->add_shape(64);
  v1::CreateTablesResponse created;
  grpc::ClientContext create_context;
  SetDeadline(create_context);
  ASSERT_TRUE(stub_->CreateTables(&create_context, create, &created).ok());
  constexpr int kRowBytes = 64 * 64;
  std::vector<v1::TrajectoryChunk> chunks;
  for (int c = 0; c < 4; ++c) {
    v1::TrajectoryChunk chunk = MakeChunk("a", c + 1, 8, 0);
    chunk.set_table("frames");
    std::string observations;
    // Row t of chunk c is filled with the byte 16 * c + t.
    for (int t = 0; t <= 8; ++t)
      observations.append(kRowBytes, char(16 * c + t));
    v1::Tensor* tensor = chunk.mutable_observations();
    tensor->set_dtype(v1::DTYPE_UINT8);
    tensor->clear_shape();
    for (int dim : {9, 64, 64}) tensor->add_shape(dim);
    tensor->set_data(observations);
    chunks.push_back(chunk);
  }
  ASSERT_TRUE(InsertAll(chunks).second.ok());

  auto check = [&](const v1::SampleResponse& response, int batch) {
    const std::string& s = response.observations().data();
    const std::string& next = response.next_observations().data();
    ASSERT_EQ(s.size(), static_cast<size_t>(batch) * kRowBytes);
    ASSERT_EQ(next.size(), s.size());
    for (int i = 0; i < batch; ++i) {
      const char first = s[i * kRowBytes];
      EXPECT_EQ(s.substr(i * kRowBytes, kRowBytes),
                std::string(kRowBytes, first));
      EXPECT_EQ(next.substr(i * kRowBytes, kRowBytes),
                std::string(kRowBytes, char(first + 1)));
    }
  };
  v1::SampleRequest request;
  request.set_job_id("job");
  request.set_table("frames");
  request.set_batch_size(16);
  {
    grpc::ClientContext context;
    SetDeadline(context);
    auto stream = stub_->SampleStream(&context);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(stream->Write(request));
    stream->WritesDone();
    v1::SampleResponse response;
    int responses = 0;
    while (stream->Read(&response)) {
      check(response, 16);
      ++responses;
    }
    EXPECT_TRUE(stream->Finish().ok());
    EXPECT_EQ(responses, 3);
  }
  v1::SampleResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  ASSERT_TRUE(stub_->Sample(&context, request, &response).ok());
  check(response, 16);
}

TEST_F(ReplayServiceTest, SampleStreamEndsWithABadRequestsStatus) {
  grpc::ClientContext context;
  SetDeadline(context);
  auto stream = stub_->SampleStream(&context);
  v1::SampleRequest request;
  request.set_job_id("job");
  request.set_table("agent");
  request.set_batch_size(0);
  ASSERT_TRUE(stream->Write(request));
  v1::SampleResponse response;
  EXPECT_FALSE(stream->Read(&response));
  const grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("batch_size"));
}

// The status a SampleStream ends with after `request`, and whether it
// answered.
std::pair<grpc::Status, bool> SampleByStream(v1::ReplayService::Stub& stub,
                                             const v1::SampleRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  auto stream = stub.SampleStream(&context);
  stream->Write(request);
  stream->WritesDone();
  v1::SampleResponse response;
  const bool answered = stream->Read(&response);
  return {stream->Finish(), answered};
}

TEST_F(ReplayServiceTest, OversizedAndOutOfRangeSamplesAreRefusedAlikeByBothRpcs) {
  ASSERT_TRUE(InsertAll({MakeChunk("a", 1, 8, 0)}).second.ok());
  struct Case {
    std::string what;
    v1::SampleRequest request;
    grpc::StatusCode code;
    std::string message;
  };
  std::vector<Case> cases;
  auto request = [](int batch_size) {
    v1::SampleRequest r;
    r.set_job_id("job");
    r.set_table("agent");
    r.set_batch_size(batch_size);
    return r;
  };
  // Within every per-field limit, but 2^20 x 100001 rows together.
  Case huge{"sequences", request(1 << 20), grpc::StatusCode::RESOURCE_EXHAUSTED,
            "max_message_mb"};
  huge.request.set_sequence_length(100000);
  cases.push_back(huge);
  // 2^20 CartPole transitions: 79 MiB, over the 64 MiB messages.
  cases.push_back({"transitions", request(1 << 20),
                   grpc::StatusCode::RESOURCE_EXHAUSTED, "max_message_mb"});
  Case negative{"n_step", request(8), grpc::StatusCode::INVALID_ARGUMENT,
                "n_step: must be >= 0"};
  negative.request.set_n_step(-3);
  cases.push_back(negative);
  Case nan_gamma{"gamma", request(8), grpc::StatusCode::INVALID_ARGUMENT,
                 "gamma"};
  nan_gamma.request.set_gamma(std::nan(""));
  cases.push_back(nan_gamma);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    v1::SampleResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    const grpc::Status unary = stub_->Sample(&context, c.request, &response);
    EXPECT_EQ(unary.error_code(), c.code);
    EXPECT_THAT(unary.error_message(), HasSubstr(c.message));
    auto [streamed, answered] = SampleByStream(*stub_, c.request);
    EXPECT_FALSE(answered);
    EXPECT_EQ(streamed.error_code(), c.code);
    EXPECT_EQ(streamed.error_message(), unary.error_message());
  }
  // Nothing was sampled, and the server still serves.
  v1::SampleResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  EXPECT_TRUE(stub_->Sample(&context, request(4), &response).ok());
}

TEST_F(ReplayServiceTest, FifoItemsOfAnAnswerThatIsNeverReadAreNotConsumed) {
  // Rows of 256 KiB: an answer of 32 transitions (16 MiB) cannot be written
  // while the client reads nothing.
  v1::CreateTablesRequest create;
  create.set_job_id("job");
  v1::TableConfig* queue = create.add_tables();
  *queue = CartPoleTable(1000);
  queue->set_name("queue");
  queue->set_sampler(v1::TableConfig::FIFO);
  queue->mutable_observation()->set_dtype(v1::DTYPE_UINT8);
  queue->mutable_observation()->clear_shape();
  queue->mutable_observation()->add_shape(512);
  queue->mutable_observation()->add_shape(512);
  v1::CreateTablesResponse created;
  grpc::ClientContext create_context;
  SetDeadline(create_context);
  ASSERT_TRUE(stub_->CreateTables(&create_context, create, &created).ok());
  std::vector<v1::TrajectoryChunk> chunks;
  for (int c = 0; c < 4; ++c) {
    v1::TrajectoryChunk chunk = MakeChunk("a", c + 1, 8, 0);
    chunk.set_table("queue");
    v1::Tensor* tensor = chunk.mutable_observations();
    tensor->set_dtype(v1::DTYPE_UINT8);
    tensor->clear_shape();
    for (int dim : {9, 512, 512}) tensor->add_shape(dim);
    tensor->set_data(std::string(9 * 512 * 512, char(c)));
    chunks.push_back(chunk);
  }
  ASSERT_TRUE(InsertAll(chunks).second.ok());

  v1::SampleRequest request;
  request.set_job_id("job");
  request.set_table("queue");
  request.set_batch_size(32);
  auto sampled = [&] {
    v1::GetTableInfoRequest info_request;
    info_request.set_job_id("job");
    v1::GetTableInfoResponse info;
    grpc::ClientContext context;
    SetDeadline(context);
    EXPECT_TRUE(stub_->GetTableInfo(&context, info_request, &info).ok());
    for (const v1::TableInfo& table : info.tables()) {
      if (table.name() == "queue") return table.sampled_transitions();
    }
    return int64_t{-1};
  };
  {
    grpc::ClientContext context;
    SetDeadline(context);
    auto stream = stub_->SampleStream(&context);
    ASSERT_TRUE(stream->Write(request));
    // Wait (bounded) until the server has taken the batch, then go away
    // without reading it.
    for (int i = 0; i < 500 && sampled() < 32; ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    ASSERT_EQ(sampled(), 32);
    context.TryCancel();
    stream->Finish();
  }
  // The 32 items are still there, first in line: a new sample gets them.
  grpc::ChannelArguments large;
  large.SetMaxReceiveMessageSize(64 << 20);
  auto stub = v1::ReplayService::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", server_->port()),
      grpc::InsecureChannelCredentials(), large));
  v1::SampleResponse response;
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(20));
  const grpc::Status status = stub->Sample(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::vector<int64_t> keys = TensorValues<int64_t>(response.keys());
  for (int i = 0; i < 32; ++i) EXPECT_EQ(keys[i], i);
}

TEST_F(ReplayServiceTest, ShutdownIsPromptWhateverClientsAreDoing) {
  // An idle insert stream, a sample waiting on an empty table, and a stream
  // that asked and does not read.
  grpc::ClientContext insert_context;
  auto insert = stub_->Insert(&insert_context);
  grpc::ClientContext sample_context;
  auto waiting = stub_->SampleStream(&sample_context);
  v1::SampleRequest request;
  request.set_job_id("job");
  request.set_table("agent");
  request.set_batch_size(8);
  ASSERT_TRUE(waiting->Write(request));
  absl::SleepFor(absl::Milliseconds(100));  // let the calls reach the server
  const absl::Time start = absl::Now();
  server_->Shutdown();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  v1::SampleResponse response;
  EXPECT_FALSE(waiting->Read(&response));
  EXPECT_FALSE(waiting->Finish().ok());
  insert->WritesDone();
  v1::InsertResponse ack;
  EXPECT_FALSE(insert->Read(&ack));
  insert->Finish();
}

TEST_F(ReplayServiceTest, SampleOfUnknownJobIsNotFound) {
  v1::SampleRequest request;
  request.set_job_id("nope");
  request.set_table("agent");
  request.set_batch_size(1);
  v1::SampleResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  EXPECT_EQ(stub_->Sample(&context, request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ReplayServiceTest, SampleOfEmptyTableWaitsUntilItsDeadline) {
  v1::SampleRequest request;
  request.set_job_id("job");
  request.set_table("agent");
  request.set_batch_size(1);
  v1::SampleResponse response;
  grpc::ClientContext context;
  SetDeadline(context, absl::Milliseconds(200));
  EXPECT_EQ(stub_->Sample(&context, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(ReplayServiceTest, ConflictingTableConfigIsRefused) {
  v1::CreateTablesRequest request;
  request.set_job_id("job");
  *request.add_tables() = CartPoleTable(5000);
  v1::CreateTablesResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  EXPECT_EQ(stub_->CreateTables(&context, request, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ReplayServiceTest, DeletedTablesAreGone) {
  v1::DeleteTablesRequest request;
  request.set_job_id("job");
  v1::DeleteTablesResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  ASSERT_TRUE(stub_->DeleteTables(&context, request, &response).ok());
  auto [acks, status] = InsertAll({MakeChunk("a", 1, 8, 0)});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReplayServiceTest, MixedBatchesHonourTheDemonstrationFraction) {
  {
    v1::CreateTablesRequest request;
    request.set_job_id("job");
    v1::TableConfig demonstrations = CartPoleTable(10000);
    demonstrations.set_name("demonstrations");
    *request.add_tables() = demonstrations;
    v1::CreateTablesResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    ASSERT_TRUE(stub_->CreateTables(&context, request, &response).ok());
  }
  v1::TrajectoryChunk expert = MakeChunk("expert", 1, 8, 1000);
  expert.set_table("demonstrations");
  ASSERT_TRUE(InsertAll({MakeChunk("a", 1, 8, 0), expert}).second.ok());

  v1::SampleRequest request;
  request.set_job_id("job");
  request.set_table("agent");
  request.set_batch_size(40);
  request.set_demonstrations_table("demonstrations");
  request.set_demonstration_fraction(0.25);
  v1::SampleResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  ASSERT_TRUE(stub_->Sample(&context, request, &response).ok());
  ASSERT_THAT(response.source_tables(),
              ::testing::ElementsAre("agent", "demonstrations"));
  const std::vector<uint8_t> sources =
      TensorValues<uint8_t>(response.sources());
  const std::vector<float> observations =
      TensorValues<float>(response.observations());
  ASSERT_EQ(sources.size(), 40u);
  int from_demonstrations = 0;
  for (int i = 0; i < 40; ++i) {
    // Every item says where it came from, and it did come from there.
    const bool expert_item = observations[i * 4] >= 1000;
    EXPECT_EQ(sources[i] == 1, expert_item);
    from_demonstrations += sources[i];
  }
  EXPECT_EQ(from_demonstrations, 10);

  request.set_demonstration_fraction(1.5);
  grpc::ClientContext bad_context;
  SetDeadline(bad_context);
  const grpc::Status bad = stub_->Sample(&bad_context, request, &response);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("demonstration_fraction"));
}

TEST_F(ReplayServiceTest, PrioritiesSteerSamplingAndWeightsAreNormalised) {
  {
    v1::CreateTablesRequest request;
    request.set_job_id("per");
    v1::TableConfig config = CartPoleTable(10000);
    config.set_sampler(v1::TableConfig::PRIORITIZED);
    config.set_priority_exponent(1.0);
    config.set_importance_exponent(1.0);
    *request.add_tables() = config;
    v1::CreateTablesResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    ASSERT_TRUE(stub_->CreateTables(&context, request, &response).ok());
  }
  v1::TrajectoryChunk chunk = MakeChunk("a", 1, 2, 0);
  chunk.set_job_id("per");
  ASSERT_TRUE(InsertAll({chunk}).second.ok());
  {
    v1::UpdatePrioritiesRequest request;
    request.set_job_id("per");
    request.set_table("agent");
    request.add_keys(0);
    request.add_keys(1);
    request.add_priorities(1.0);
    request.add_priorities(3.0);
    v1::UpdatePrioritiesResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    ASSERT_TRUE(stub_->UpdatePriorities(&context, request, &response).ok());
  }
  v1::SampleRequest request;
  request.set_job_id("per");
  request.set_table("agent");
  request.set_batch_size(400);
  v1::SampleResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  ASSERT_TRUE(stub_->Sample(&context, request, &response).ok());
  const std::vector<int64_t> keys = TensorValues<int64_t>(response.keys());
  const std::vector<float> weights = TensorValues<float>(response.weights());
  int ones = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    ones += keys[i] == 1;
    // Raw weights 2 and 2/3, divided by the batch's largest (2).
    EXPECT_NEAR(weights[i], keys[i] == 0 ? 1.0 : 1.0 / 3.0, 1e-6);
  }
  // Key 1 has probability 3/4: 300 of 400 expected, sd ~8.7.
  EXPECT_NEAR(ones, 300, 45);
}

// The extra column `name` of a response, checked to be there once.
const v1::Tensor& Column(const v1::SampleResponse& response,
                         const std::string& name) {
  static const v1::Tensor* const kNone = new v1::Tensor;
  const v1::Tensor* found = kNone;
  int count = 0;
  for (const v1::NamedTensor& column : response.extra_columns()) {
    if (column.name() == name) {
      found = &column.tensor();
      ++count;
    }
  }
  EXPECT_EQ(count, 1) << name;
  return *found;
}

v1::TableConfig ColumnTable(const std::string& name) {
  v1::TableConfig config = CartPoleTable(10000);
  config.set_name(name);
  AddTestColumns(config);
  return config;
}

v1::TrajectoryChunk ColumnChunk(const std::string& table, uint64_t sequence,
                                float base, uint64_t episode = 0) {
  v1::TrajectoryChunk chunk =
      WithTestColumns(MakeEpisodeChunk("a", sequence, 0, episode, 8, base));
  chunk.set_job_id("cols");
  chunk.set_table(table);
  return chunk;
}

TEST_F(ReplayServiceTest, ExtraColumnsTravelByEveryRpc) {
  CreateColumnTables({ColumnTable("agent")});
  // One episode over four chunks: observations 0..32.
  std::vector<v1::TrajectoryChunk> chunks;
  for (int i = 0; i < 4; ++i)
    chunks.push_back(ColumnChunk("agent", i + 1, 8 * i));
  auto [acks, inserted] = InsertAll(chunks);
  ASSERT_TRUE(inserted.ok()) << inserted.error_message();
  // A chunk without the table's columns ends the stream, naming them.
  v1::TrajectoryChunk bare = chunks[0];
  bare.set_sequence(9);
  bare.clear_extra_columns();
  const grpc::Status refused = InsertAll({bare}).second;
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(
      refused.error_message(),
      HasSubstr("chunk.extra_columns[\"behaviour_log_prob\"]: missing"));

  v1::SampleRequest request;
  request.set_job_id("cols");
  request.set_table("agent");
  request.set_batch_size(64);
  absl::StatusOr<v1::SampleResponse> unary = SampleOnce(request);
  ASSERT_TRUE(unary.ok()) << unary.status();
  ASSERT_EQ(unary->extra_columns_size(), 2);
  EXPECT_EQ(unary->extra_columns(0).name(), "behaviour_log_prob");
  EXPECT_EQ(unary->extra_columns(1).name(), "task");
  EXPECT_EQ(Column(*unary, "behaviour_log_prob").dtype(), v1::DTYPE_FLOAT32);
  EXPECT_THAT(Column(*unary, "behaviour_log_prob").shape(), ElementsAre(64));
  EXPECT_EQ(Column(*unary, "task").dtype(), v1::DTYPE_INT64);
  EXPECT_THAT(Column(*unary, "task").shape(), ElementsAre(64, 2));
  {
    const std::vector<float> s = TensorValues<float>(unary->observations());
    const std::vector<float> log_probs =
        TensorValues<float>(Column(*unary, "behaviour_log_prob"));
    const std::vector<int64_t> tasks =
        TensorValues<int64_t>(Column(*unary, "task"));
    for (int i = 0; i < 64; ++i) {
      EXPECT_EQ(log_probs[i], TestLogProb(s[i * 4]));
      EXPECT_EQ(std::vector<int64_t>(tasks.begin() + 2 * i,
                                     tasks.begin() + 2 * i + 2),
                TestTask(s[i * 4]));
    }
  }

  // SampleStream: n-step transitions ([B], the first step's value) and
  // sequences ([B, L], every step's).
  grpc::ClientContext context;
  SetDeadline(context);
  auto stream = stub_->SampleStream(&context);
  request.set_n_step(5);
  request.set_gamma(0.9);
  ASSERT_TRUE(stream->Write(request));
  request.set_n_step(0);
  request.clear_gamma();
  request.set_sequence_length(6);
  ASSERT_TRUE(stream->Write(request));
  stream->WritesDone();
  v1::SampleResponse n_step;
  ASSERT_TRUE(stream->Read(&n_step));
  v1::SampleResponse sequences;
  ASSERT_TRUE(stream->Read(&sequences));
  EXPECT_TRUE(stream->Finish().ok());

  EXPECT_THAT(Column(n_step, "behaviour_log_prob").shape(), ElementsAre(64));
  EXPECT_THAT(Column(n_step, "task").shape(), ElementsAre(64, 2));
  {
    const std::vector<float> s = TensorValues<float>(n_step.observations());
    const std::vector<float> log_probs =
        TensorValues<float>(Column(n_step, "behaviour_log_prob"));
    for (int i = 0; i < 64; ++i) {
      EXPECT_EQ(log_probs[i], TestLogProb(s[i * 4]));
    }
  }
  EXPECT_THAT(Column(sequences, "behaviour_log_prob").shape(),
              ElementsAre(64, 6));
  EXPECT_THAT(Column(sequences, "task").shape(), ElementsAre(64, 6, 2));
  {
    const std::vector<float> s = TensorValues<float>(sequences.observations());
    const std::vector<float> log_probs =
        TensorValues<float>(Column(sequences, "behaviour_log_prob"));
    const std::vector<int64_t> tasks =
        TensorValues<int64_t>(Column(sequences, "task"));
    for (int i = 0; i < 64; ++i) {
      for (int t = 0; t < 6; ++t) {
        const float o = s[(i * 7 + t) * 4];
        EXPECT_EQ(log_probs[i * 6 + t], TestLogProb(o));
        EXPECT_EQ(tasks[(i * 6 + t) * 2], TestTask(o)[0]);
      }
    }
  }
}

TEST_F(ReplayServiceTest, MixedBatchesCarryTheSampledTablesColumns) {
  // "demonstrations" declares behaviour_log_prob as the agent table does
  // but its task as int32; "plain" has no extra columns.
  v1::TableConfig demonstrations = ColumnTable("demonstrations");
  demonstrations.mutable_extra_columns(1)->mutable_spec()->set_dtype(
      v1::DTYPE_INT32);
  v1::TableConfig plain = CartPoleTable(10000);
  plain.set_name("plain");
  CreateColumnTables({ColumnTable("agent"), demonstrations, plain});
  v1::TrajectoryChunk expert = ColumnChunk("demonstrations", 1, 1000);
  *expert.mutable_extra_columns(0)->mutable_tensor() =
      MakeTensor<int32_t>(std::vector<int32_t>(16, 9), {8, 2});
  v1::TrajectoryChunk plain_chunk = MakeChunk("p", 1, 8, 2000);
  plain_chunk.set_job_id("cols");
  plain_chunk.set_table("plain");
  const grpc::Status inserted =
      InsertAll({ColumnChunk("agent", 1, 0), expert, plain_chunk}).second;
  ASSERT_TRUE(inserted.ok()) << inserted.error_message();

  v1::SampleRequest request;
  request.set_job_id("cols");
  request.set_table("agent");
  request.set_batch_size(40);
  request.set_demonstration_fraction(0.5);
  for (const std::string other : {"demonstrations", "plain"}) {
    for (int length : {0, 3}) {
      SCOPED_TRACE(absl::StrCat(other, ", sequence_length ", length));
      request.set_demonstrations_table(other);
      request.set_sequence_length(length);
      absl::StatusOr<v1::SampleResponse> response = SampleOnce(request);
      ASSERT_TRUE(response.ok()) << response.status();
      // The agent table's columns, in its order, whoever filled them.
      ASSERT_EQ(response->extra_columns_size(), 2);
      EXPECT_EQ(response->extra_columns(0).name(), "behaviour_log_prob");
      EXPECT_EQ(response->extra_columns(1).name(), "task");
      EXPECT_EQ(Column(*response, "task").dtype(), v1::DTYPE_INT64);
      const int steps = length > 0 ? length : 1;
      if (length > 0) {
        EXPECT_THAT(Column(*response, "task").shape(), ElementsAre(40, 3, 2));
      } else {
        EXPECT_THAT(Column(*response, "task").shape(), ElementsAre(40, 2));
      }
      const std::vector<uint8_t> sources =
          TensorValues<uint8_t>(response->sources());
      const std::vector<float> s =
          TensorValues<float>(response->observations());
      const std::vector<float> log_probs =
          TensorValues<float>(Column(*response, "behaviour_log_prob"));
      const std::vector<int64_t> tasks =
          TensorValues<int64_t>(Column(*response, "task"));
      ASSERT_EQ(log_probs.size(), 40u * steps);
      int from_other = 0;
      for (int i = 0; i < 40; ++i) {
        from_other += sources[i];
        for (int t = 0; t < steps; ++t) {
          const int64_t cell = i * steps + t;
          const float o = s[(length > 0 ? i * (length + 1) + t : i) * 4];
          if (sources[i] == 0) {  // the agent's own
            EXPECT_LT(o, 1000);
            EXPECT_EQ(log_probs[cell], TestLogProb(o));
            EXPECT_EQ(tasks[cell * 2], TestTask(o)[0]);
          } else if (other == "demonstrations") {
            // The same log-probability column; a task of another dtype.
            EXPECT_GE(o, 1000);
            EXPECT_EQ(log_probs[cell], TestLogProb(o));
            EXPECT_EQ(tasks[cell * 2], 0);
            EXPECT_EQ(tasks[cell * 2 + 1], 0);
          } else {
            EXPECT_GE(o, 2000);
            EXPECT_EQ(log_probs[cell], 0.0f);
            EXPECT_EQ(tasks[cell * 2], 0);
          }
        }
      }
      EXPECT_EQ(from_other, 20);
    }
  }

  // All of the batch from demonstrations: still the agent table's columns.
  request.set_demonstrations_table("demonstrations");
  request.set_demonstration_fraction(1.0);
  request.set_sequence_length(0);
  absl::StatusOr<v1::SampleResponse> all = SampleOnce(request);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_THAT(all->source_tables(), ElementsAre("demonstrations"));
  EXPECT_EQ(Column(*all, "task").dtype(), v1::DTYPE_INT64);
  EXPECT_EQ(TensorValues<int64_t>(Column(*all, "task")),
            std::vector<int64_t>(80, 0));
  EXPECT_EQ(TensorValues<float>(Column(*all, "behaviour_log_prob"))[0],
            TestLogProb(TensorValues<float>(all->observations())[0]));

  // A table without columns answers none, whatever its demonstrations hold.
  request.set_table("plain");
  request.set_demonstration_fraction(0.5);
  absl::StatusOr<v1::SampleResponse> none = SampleOnce(request);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->extra_columns_size(), 0);
}

TEST_F(ReplayServiceTest, ChangedColumnsAreAConflictingTableConfig) {
  CreateColumnTables({ColumnTable("agent")});
  CreateColumnTables({ColumnTable("agent")});  // the same: idempotent
  v1::TableConfig changed = ColumnTable("agent");
  changed.mutable_extra_columns(0)->set_name("log_prob");
  v1::CreateTablesRequest request;
  request.set_job_id("cols");
  *request.add_tables() = changed;
  v1::CreateTablesResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  EXPECT_EQ(stub_->CreateTables(&context, request, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace entropic
