// entropic-replay-bench: throughput and latency of entropic-replay over
// loopback gRPC, next to the raw loopback TCP bandwidth of the machine.
//
// For CartPole-sized transitions (4 float32 observations, int64 actions) and
// Atari-sized ones (84x84x4 uint8 frames), with and without durability, and
// with 1, 4 and 16 concurrent clients, it measures:
//   insert: chunks streamed on one Insert stream per client, at most
//           --insert_window unacknowledged, as an actor's writer does
//   sample: Sample calls of 256 transitions per client, back to back
// and prints a markdown table (see docs/benchmarks.md).
#include <arpa/inet.h>
#include <gflags/gflags.h>
#include <glog/logging.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/process.h"
#include "common/security.h"
#include "common/tensor.h"
#include "entropic/v1/replay.grpc.pb.h"
#include "prometheus/registry.h"
#include "replay/replay_server.h"

DEFINE_double(seconds, 3, "Duration of each measurement");
DEFINE_string(clients, "1,4,16", "Concurrent client counts to measure");
DEFINE_string(workloads, "cartpole,atari", "Which transition sizes");
DEFINE_string(durability, "off,write", "Durability settings to measure");
DEFINE_int32(batch_size, 256, "Transitions per Sample call");
DEFINE_string(sample_rpc, "stream",
              "'stream': SampleStream with 4 requests in flight per client; "
              "'unary': one Sample call after another");
DEFINE_int32(insert_window, 64,
             "Chunks a client keeps unacknowledged, as an actor does");
DEFINE_string(checkpoint_dir, "/tmp/entropic-replay-bench",
              "Scratch directory for the durable runs (removed after)");

namespace entropic {
namespace {

struct Workload {
  std::string name;
  v1::TensorSpec observation;
  int chunk_length;
  int64_t capacity_bytes;
};

Workload CartPole() {
  Workload w{"CartPole (4 x float32)", {}, 32, int64_t{1} << 30};
  w.observation.set_dtype(v1::DTYPE_FLOAT32);
  w.observation.add_shape(4);
  return w;
}

Workload Atari() {
  Workload w{"Atari (84x84x4 uint8)", {}, 32, int64_t{768} << 20};
  w.observation.set_dtype(v1::DTYPE_UINT8);
  for (int dim : {84, 84, 4}) w.observation.add_shape(dim);
  return w;
}

int64_t ObservationBytes(const Workload& w) {
  return NumElements(ShapeOf(w.observation.shape())) *
         DTypeSize(w.observation.dtype());
}

v1::TrajectoryChunk MakeChunk(const Workload& w, const std::string& actor,
                              uint64_t sequence) {
  const int n = w.chunk_length;
  v1::TrajectoryChunk chunk;
  chunk.set_job_id("bench");
  chunk.set_table("agent");
  chunk.set_actor_id(actor);
  chunk.set_sequence(sequence);
  v1::Tensor* obs = chunk.mutable_observations();
  obs->set_dtype(w.observation.dtype());
  obs->add_shape(n + 1);
  for (int64_t dim : w.observation.shape()) obs->add_shape(dim);
  // Non-zero, so nothing compresses or short-cuts.
  obs->mutable_data()->assign((n + 1) * ObservationBytes(w), '\x01');
  *chunk.mutable_actions() =
      MakeTensor<int64_t>(std::vector<int64_t>(n, 1), {n});
  *chunk.mutable_rewards() = MakeTensor<float>(std::vector<float>(n, 1), {n});
  return chunk;
}

struct Result {
  double items_per_second = 0;
  double megabytes_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

double Percentile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1,
                         static_cast<size_t>(q * values.size()))];
}

Result Summarise(int64_t items, int64_t bytes, absl::Duration elapsed,
                 std::vector<double>& latencies_ms) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return {items / seconds, bytes / seconds / 1e6, Percentile(latencies_ms, 0.5),
          Percentile(latencies_ms, 0.99)};
}

// Each client streams chunks on its own Insert stream for the duration;
// latency is from writing a chunk to its acknowledgement.
Result MeasureInserts(const std::string& address, const Workload& w,
                      int clients, uint64_t& next_actor) {
  std::atomic<int64_t> transitions{0}, bytes{0};
  absl::Mutex mu;
  std::vector<double> latencies;
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  const absl::Time end = start + absl::Seconds(FLAGS_seconds);
  for (int c = 0; c < clients; ++c) {
    const std::string actor = absl::StrCat("bench-", next_actor++);
    threads.emplace_back([&, actor] {
      auto stub = v1::ReplayService::NewStub(
          CreateEntropicChannel(address, ClientSecurity()));
      grpc::ClientContext context;
      auto stream = stub->Insert(&context);
      std::map<uint64_t, absl::Time> sent;
      absl::Mutex sent_mu;
      std::vector<double> local;
      std::thread reader([&] {
        v1::InsertResponse ack;
        while (stream->Read(&ack)) {
          absl::Time when;
          {
            absl::MutexLock lock(&sent_mu);
            when = sent[ack.sequence()];
            sent.erase(ack.sequence());
            transitions += w.chunk_length;
          }
          local.push_back(absl::ToDoubleMilliseconds(absl::Now() - when));
        }
      });
      v1::InsertRequest request;
      *request.mutable_chunk() = MakeChunk(w, actor, 1);
      const int64_t chunk_bytes = request.chunk().observations().data().size() +
                                  request.chunk().actions().data().size() +
                                  request.chunk().rewards().data().size();
      for (uint64_t sequence = 1; absl::Now() < end; ++sequence) {
        request.mutable_chunk()->set_sequence(sequence);
        {
          absl::MutexLock lock(&sent_mu);
          auto window_open = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sent_mu) {
            return static_cast<int>(sent.size()) < FLAGS_insert_window;
          };
          if (!sent_mu.AwaitWithDeadline(absl::Condition(&window_open), end)) {
            break;
          }
          sent[sequence] = absl::Now();
        }
        if (!stream->Write(request)) break;
        bytes += chunk_bytes;
      }
      stream->WritesDone();
      reader.join();
      (void)stream->Finish();
      absl::MutexLock lock(&mu);
      latencies.insert(latencies.end(), local.begin(), local.end());
    });
  }
  for (auto& thread : threads) thread.join();
  return Summarise(transitions, bytes, absl::Now() - start, latencies);
}

// Each client calls Sample back to back for the duration.
Result MeasureSamples(const std::string& address, int clients) {
  std::atomic<int64_t> transitions{0}, bytes{0};
  absl::Mutex mu;
  std::vector<double> latencies;
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  const absl::Time end = start + absl::Seconds(FLAGS_seconds);
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      grpc::ChannelArguments args;
      args.SetMaxReceiveMessageSize(256 << 20);
      auto stub = v1::ReplayService::NewStub(
          CreateEntropicChannel(address, ClientSecurity(), args));
      v1::SampleRequest request;
      request.set_job_id("bench");
      request.set_table("agent");
      request.set_batch_size(FLAGS_batch_size);
      std::vector<double> local;
      if (FLAGS_sample_rpc == "stream") {
        grpc::ClientContext context;
        auto stream = stub->SampleStream(&context);
        std::deque<absl::Time> sent;
        auto send = [&] {
          sent.push_back(absl::Now());
          return stream->Write(request);
        };
        for (int i = 0; i < 4; ++i) send();
        v1::SampleResponse response;
        while (absl::Now() < end && stream->Read(&response)) {
          local.push_back(
              absl::ToDoubleMilliseconds(absl::Now() - sent.front()));
          sent.pop_front();
          transitions += FLAGS_batch_size;
          bytes += response.ByteSizeLong();
          if (!send()) break;
        }
        stream->WritesDone();
        while (stream->Read(&response)) {
        }
        (void)stream->Finish();
      }
      while (FLAGS_sample_rpc != "stream" && absl::Now() < end) {
        grpc::ClientContext context;
        v1::SampleResponse response;
        const absl::Time sent = absl::Now();
        const grpc::Status status = stub->Sample(&context, request, &response);
        if (!status.ok()) {
          LOG(ERROR) << "sample failed: " << status.error_message();
          break;
        }
        local.push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
        transitions += FLAGS_batch_size;
        bytes += response.ByteSizeLong();
      }
      absl::MutexLock lock(&mu);
      latencies.insert(latencies.end(), local.begin(), local.end());
    });
  }
  for (auto& thread : threads) thread.join();
  return Summarise(transitions, bytes, absl::Now() - start, latencies);
}

// Bytes per second one TCP connection carries over 127.0.0.1, writing and
// reading `buffer_bytes` at a time for `seconds`.
double LoopbackBandwidth(size_t buffer_bytes, double seconds) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  listen(listener, 1);
  std::atomic<int64_t> received{0};
  std::thread sink([&] {
    const int connection = accept(listener, nullptr, nullptr);
    std::vector<char> buffer(buffer_bytes);
    ssize_t n;
    while ((n = read(connection, buffer.data(), buffer.size())) > 0) {
      received += n;
    }
    close(connection);
  });
  const int sender = socket(AF_INET, SOCK_STREAM, 0);
  connect(sender, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  const std::vector<char> buffer(buffer_bytes, 'x');
  const absl::Time start = absl::Now();
  const absl::Time end = start + absl::Seconds(seconds);
  while (absl::Now() < end) {
    if (write(sender, buffer.data(), buffer.size()) <= 0) break;
  }
  shutdown(sender, SHUT_WR);
  sink.join();
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  close(sender);
  close(listener);
  return received / elapsed;
}

int Main() {
  // The loopback figure moves from run to run (scheduling, buffer sizes):
  // take several and divide by the median.
  std::vector<double> trials;
  for (int i = 0; i < 6; ++i) {
    trials.push_back(LoopbackBandwidth(i % 2 == 0 ? 64 << 10 : 1 << 20, 1.0));
  }
  std::sort(trials.begin(), trials.end());
  const double loopback = (trials[2] + trials[3]) / 2;
  std::printf(
      "Loopback TCP, one connection, 6 trials of 1 s (64 KiB and 1 MiB "
      "writes): median %.0f MB/s (min %.0f, max %.0f)\n\n",
      loopback / 1e6, trials.front() / 1e6, trials.back() / 1e6);
  std::printf(
      "| workload | durability | clients | op | transitions/s | MB/s | "
      "of loopback | p50 ms | p99 ms |\n"
      "|---|---|---|---|---|---|---|---|---|\n");
  std::vector<int> client_counts;
  for (absl::string_view count : absl::StrSplit(FLAGS_clients, ',')) {
    int value;
    CHECK(absl::SimpleAtoi(count, &value)) << count;
    client_counts.push_back(value);
  }
  uint64_t next_actor = 0;
  for (absl::string_view workload_name : absl::StrSplit(FLAGS_workloads, ',')) {
    const Workload workload = workload_name == "atari" ? Atari() : CartPole();
    for (absl::string_view durability : absl::StrSplit(FLAGS_durability, ',')) {
      const bool durable = durability != "off";
      std::filesystem::remove_all(FLAGS_checkpoint_dir);
      prometheus::Registry registry;
      ReplayServer::Options options;
      options.host = "127.0.0.1";
      options.port = 0;
      options.max_message_bytes = 256 << 20;
      if (durable) {
        options.checkpoint_dir = FLAGS_checkpoint_dir;
        options.flush =
            durability == "fsync" ? FlushPolicy::kFsync : FlushPolicy::kWrite;
      }
      absl::StatusOr<std::unique_ptr<ReplayServer>> server =
          ReplayServer::Create(options, registry);
      CHECK(server.ok()) << server.status();
      v1::TableConfig config;
      config.set_name("agent");
      *config.mutable_observation() = workload.observation;
      config.mutable_action()->set_dtype(v1::DTYPE_INT64);
      config.set_capacity(int64_t{1} << 24);
      config.set_capacity_bytes(workload.capacity_bytes);
      config.set_max_chunk_length(workload.chunk_length);
      config.set_max_chunk_bytes(int64_t{64} << 20);
      config.set_durable(durable);
      config.mutable_rate_limit()->set_min_size_to_sample(1);
      CHECK((*server)->store().CreateTables("bench", {config}).ok());
      const std::string address = absl::StrCat("127.0.0.1:", (*server)->port());
      for (int clients : client_counts) {
        const Result insert =
            MeasureInserts(address, workload, clients, next_actor);
        const Result sample = MeasureSamples(address, clients);
        for (const auto& [op, result] :
             {std::pair{"insert", insert}, std::pair{"sample", sample}}) {
          std::printf(
              "| %s | %s | %d | %s | %.0f | %.0f | %.2f | %.2f | %.2f |\n",
              workload.name.c_str(), std::string(durability).c_str(), clients,
              op, result.items_per_second, result.megabytes_per_second,
              result.megabytes_per_second * 1e6 / loopback, result.p50_ms,
              result.p99_ms);
          std::fflush(stdout);
        }
      }
      (*server)->Shutdown();
      server->reset();
      std::filesystem::remove_all(FLAGS_checkpoint_dir);
    }
  }
  return 0;
}

}  // namespace
}  // namespace entropic

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  entropic::TuneForServing();
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  FLAGS_minloglevel = google::GLOG_WARNING;
  return entropic::Main();
}
