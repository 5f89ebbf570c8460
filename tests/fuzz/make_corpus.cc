// Writes the seed corpus entries that the code itself makes: a log segment
// and a snapshot written by Durability for durable tables, table
// configurations, chunk_fuzz inputs of real chunks, a demonstrations .npz
// written by WriteNpz, and the first 8 transitions of each demonstrations
// file given (examples/demos/ are too large to fuzz fast). Run by hand
// after a format change:
//   build-fuzz/tests/fuzz/make_fuzz_corpus tests/fuzz/corpus examples/demos/*.npz
// (the job files and tests/data/*.npz in the corpus are copies; see
// docs/reliability.md).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/npz.h"
#include "common/tensor.h"
#include "prometheus/registry.h"
#include "replay/durability/durability.h"
#include "replay/table_store.h"
#include "replay/testing/chunks.h"

namespace fs = std::filesystem;
using namespace entropic;

namespace {

void Check(const absl::Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    std::exit(1);
  }
}

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

v1::TableConfig Config(const std::string& name,
                       v1::TableConfig::Sampler sampler) {
  v1::TableConfig config = testing::CartPoleTable(1000);
  config.set_name(name);
  config.set_sampler(sampler);
  config.set_durable(true);
  return config;
}

// A log segment and a snapshot of durable uniform and FIFO tables.
void LogFiles(const fs::path& out) {
  const fs::path directory = fs::temp_directory_path() / "entropic_fuzz_corpus";
  fs::remove_all(directory);
  {
    prometheus::Registry registry;
    ReplayMetrics metrics(registry);
    TableStore store(&metrics);
    Durability::Options options;
    options.directory = directory.string();
    RecoveryStats stats;
    auto durability = Durability::Open(
        options, [&](v1::LogRecord& r) { return store.ApplyRecord(r); },
        &stats);
    Check(durability.status());
    store.AttachDurability(durability->get());
    Check(store.CreateTables("job", {Config("agent", v1::TableConfig::UNIFORM),
                                     Config("queue", v1::TableConfig::FIFO)}));
    for (int i = 1; i <= 4; ++i) {
      Check((*store.Find("job", "agent"))
                ->Insert(testing::MakeChunk("a", i, 3, 10 * i), Soon())
                .status());
      v1::TrajectoryChunk queued = testing::MakeChunk("a", i, 3, 10 * i);
      queued.set_table("queue");
      Check((*store.Find("job", "queue"))->Insert(queued, Soon()).status());
      if (i == 2) Check(store.Checkpoint().status());
    }
    Check((*store.Find("job", "queue"))->Sample(4, Soon()).status());
    Check(store.CreateTables("other", {Config("agent", v1::TableConfig::UNIFORM)}));
    Check(store.DeleteTables("other"));
    store.CloseAll();
  }
  // log_file_fuzz's mode byte first: 1 recomputes checksums, 0 does not.
  for (const auto& entry : fs::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    Write(out / "log_file_fuzz" / name, '\1' + Read(entry.path()));
    Write(out / "log_file_fuzz" / ("as-is-" + name), '\0' + Read(entry.path()));
  }
  fs::remove_all(directory);
}

void TableConfigs(const fs::path& out) {
  const fs::path dir = out / "table_config_fuzz";
  Write(dir / "uniform", testing::CartPoleTable(1000, 100, 8, 64).SerializeAsString());
  v1::TableConfig prioritized = testing::CartPoleTable(4096);
  prioritized.set_sampler(v1::TableConfig::PRIORITIZED);
  prioritized.set_priority_exponent(0.6);
  prioritized.set_importance_exponent(0.4);
  Write(dir / "prioritized", prioritized.SerializeAsString());
  v1::TableConfig fifo = testing::CartPoleTable(256);
  fifo.set_sampler(v1::TableConfig::FIFO);
  fifo.set_durable(true);
  Write(dir / "fifo_durable", fifo.SerializeAsString());
  v1::TableConfig limits = testing::CartPoleTable(1000);
  limits.set_capacity_bytes(1 << 20);
  limits.set_max_chunk_bytes(1 << 16);
  limits.set_max_policy_lag(10);
  limits.mutable_action()->set_dtype(v1::DTYPE_FLOAT32);
  limits.mutable_action()->add_shape(2);
  Write(dir / "limits", limits.SerializeAsString());
  v1::TableConfig columns = testing::CartPoleTable(1000);
  testing::AddTestColumns(columns);
  Write(dir / "extra_columns", columns.SerializeAsString());
}

// chunk_fuzz's format (see chunk_fuzz.cc): header, then records.
void ChunkInputs(const fs::path& out) {
  const fs::path dir = out / "chunk_fuzz";
  auto record = [](const std::string& bytes, bool made) {
    const uint16_t length = bytes.size() | (made ? 0x8000 : 0);
    return std::string{static_cast<char>(length & 0xff),
                       static_cast<char>(length >> 8)} +
           bytes;
  };
  for (int table = 0; table < 3; ++table) {
    std::string input{static_cast<char>(table), 2, 0, 7};
    for (int i = 1; i <= 4; ++i) {
      v1::TrajectoryChunk chunk = testing::MakeEpisodeChunk(
          "a", i, 0, i / 3, 5, 10 * i, /*terminated=*/i == 2);
      input += record(chunk.SerializeAsString(), false);
    }
    Write(dir / ("serialized_" + std::to_string(table)), input);
  }
  // Sequences across episodes, from made chunks.
  std::string made{0, 1, static_cast<char>(0x80 | 4), 3};
  for (int i = 1; i <= 4; ++i) {
    made += record(std::string{static_cast<char>(i == 2 ? 0x20 : 0), 6,
                               static_cast<char>(i), 1, 0},
                   true);
  }
  Write(dir / "made_sequences", made);
  std::string pixels{3, 0, 0, 4};
  for (int i = 1; i <= 3; ++i) {
    pixels += record(std::string{0, 3, static_cast<char>(i), 1, 0, 1, 2, 3},
                     true);
  }
  Write(dir / "made_pixels", pixels);
  // The table with extra columns: serialized chunks carrying them, n-step
  // transitions across chunks of one episode; then made ones, sampled as
  // sequences with other columns asked for.
  std::string columns{4, 3, 0, 7};
  for (int i = 1; i <= 4; ++i) {
    v1::TrajectoryChunk chunk = testing::WithTestColumns(
        testing::MakeEpisodeChunk("a", i, 0, i / 3, 5, 10 * i, i == 2));
    columns += record(chunk.SerializeAsString(), false);
  }
  Write(dir / "serialized_columns", columns);
  std::string made_columns{4, 0, 3, static_cast<char>(0x80 | 5)};
  for (int i = 1; i <= 3; ++i) {
    made_columns += record(
        std::string{0, 5, static_cast<char>(i), 1, 0, 1, 2, 3, 4, 5}, true);
  }
  Write(dir / "made_columns", made_columns);
}

void Demonstrations(const fs::path& out) {
  const int n = 6;
  std::vector<float> observations, next, rewards;
  std::vector<int64_t> actions;
  std::vector<uint8_t> terminated;
  for (int t = 0; t < n; ++t) {
    for (int k = 0; k < 4; ++k) {
      observations.push_back(t);
      next.push_back(t + 1);
    }
    actions.push_back(t % 2);
    rewards.push_back(1);
    terminated.push_back(t == n - 1);
  }
  v1::Tensor done = MakeTensor<uint8_t>(terminated, {n});
  done.set_dtype(v1::DTYPE_BOOL);
  const std::string path = (out / "npz_fuzz" / "written.npz").string();
  fs::create_directories(out / "npz_fuzz");
  Check(WriteNpz(path, {{"observations", MakeTensor<float>(observations, {n, 4})},
                        {"next_observations", MakeTensor<float>(next, {n, 4})},
                        {"actions", MakeTensor<int64_t>(actions, {n})},
                        {"rewards", MakeTensor<float>(rewards, {n})},
                        {"terminated", done}}));
}

// The first `rows` rows of every array of an .npz file, written uncompressed.
void FirstRows(const fs::path& out, const std::string& path, int64_t rows) {
  auto arrays = ReadNpz(path);
  Check(arrays.status());
  for (auto& [name, tensor] : *arrays) {
    if (tensor.shape_size() == 0 || tensor.shape(0) <= rows) continue;
    const int64_t row_bytes =
        static_cast<int64_t>(tensor.data().size()) / tensor.shape(0);
    tensor.set_shape(0, rows);
    tensor.mutable_data()->resize(rows * row_bytes);
  }
  fs::create_directories(out / "npz_fuzz");
  const std::string name = fs::path(path).stem().string() + "-first8.npz";
  Check(WriteNpz((out / "npz_fuzz" / name).string(), *arrays));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [DEMONSTRATIONS.npz...]\n",
                 argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  LogFiles(out);
  TableConfigs(out);
  ChunkInputs(out);
  Demonstrations(out);
  for (int i = 2; i < argc; ++i) FirstRows(out, argv[i], 8);
  return 0;
}
