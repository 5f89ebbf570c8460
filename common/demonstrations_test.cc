#include "common/demonstrations.h"

#include <filesystem>

#include "common/npz.h"
#include "common/tensor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

using ::testing::HasSubstr;

std::string Fixture(const std::string& name) {
  return std::string(ENTROPIC_SOURCE_DIR) + "/tests/data/" + name;
}

DemonstrationChunking Chunking(int max_length = 1024) {
  DemonstrationChunking chunking;
  chunking.job_id = "job";
  chunking.actor_id = "upload";
  chunking.max_chunk_length = max_length;
  return chunking;
}

// Both fixtures were written by numpy itself (tests/data/
// make_demo_fixtures.py): np.savez, and np.savez_compressed with float64
// observations and int32 actions.
class DemonstrationFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DemonstrationFixtureTest, NumpyFilesBecomeEpisodeChunks) {
  absl::StatusOr<Demonstrations> demos =
      LoadDemonstrations(Fixture(GetParam()), Chunking());
  ASSERT_TRUE(demos.ok()) << demos.status();
  EXPECT_EQ(demos->transitions, 7);
  EXPECT_EQ(demos->episodes, 2);
  ASSERT_EQ(demos->chunks.size(), 2u);
  const v1::TrajectoryChunk& first = demos->chunks[0];
  EXPECT_THAT(first.observations().shape(), ::testing::ElementsAre(4, 4));
  EXPECT_EQ(first.observations().dtype(), v1::DTYPE_FLOAT32);
  const std::vector<float> obs = TensorValues<float>(first.observations());
  EXPECT_EQ(obs[0], 0.0f);
  EXPECT_EQ(obs[12], 3.0f);  // the final observation
  EXPECT_EQ(TensorValues<int64_t>(first.actions()),
            (std::vector<int64_t>{0, 1, 0}));
  EXPECT_EQ(TensorValues<float>(first.rewards()),
            (std::vector<float>{1, 2, 3}));
  EXPECT_TRUE(first.terminated());
  const v1::TrajectoryChunk& second = demos->chunks[1];
  EXPECT_EQ(second.episode_id(), 1u);
  EXPECT_FALSE(second.terminated());
  EXPECT_TRUE(second.truncated());
  EXPECT_EQ(TensorValues<float>(second.observations())[0], 100.0f);
}

INSTANTIATE_TEST_SUITE_P(Numpy, DemonstrationFixtureTest,
                         ::testing::Values("demos_savez.npz",
                                           "demos_compressed.npz"));

TEST(DemonstrationsTest, LongEpisodesAreCutIntoLinkedChunks) {
  absl::StatusOr<Demonstrations> demos =
      LoadDemonstrations(Fixture("demos_savez.npz"), Chunking(2));
  ASSERT_TRUE(demos.ok());
  // Episode 0: 2 + 1 steps; episode 1: 2 + 2 steps.
  ASSERT_EQ(demos->chunks.size(), 4u);
  EXPECT_EQ(demos->chunks[1].start_step(), 2);
  EXPECT_EQ(demos->chunks[1].episode_id(), 0u);
  EXPECT_FALSE(demos->chunks[0].terminated());
  EXPECT_TRUE(demos->chunks[1].terminated());
}

TEST(DemonstrationsTest, WrittenFilesReadBack) {
  std::map<std::string, v1::Tensor> arrays;
  arrays["observations"] = MakeTensor<float>({0, 1, 1, 2}, {2, 2});
  arrays["next_observations"] = MakeTensor<float>({1, 2, 2, 3}, {2, 2});
  arrays["actions"] = MakeTensor<int64_t>({1, 0}, {2});
  arrays["rewards"] = MakeTensor<float>({0.5f, 0.25f}, {2});
  arrays["terminated"] = MakeTensor<bool>({false, true}, {2});
  const std::string path =
      std::string(::testing::TempDir()) + "/written_demos.npz";
  ASSERT_TRUE(WriteNpz(path, arrays).ok());
  absl::StatusOr<std::map<std::string, v1::Tensor>> read = ReadNpz(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ((*read)["observations"].SerializeAsString(),
            arrays["observations"].SerializeAsString());
  absl::StatusOr<Demonstrations> demos = LoadDemonstrations(path, Chunking());
  ASSERT_TRUE(demos.ok()) << demos.status();
  EXPECT_EQ(demos->chunks.size(), 1u);  // one episode, observations continue
  std::filesystem::remove(path);
}

TEST(DemonstrationsTest, ProblemsNameTheArray) {
  std::map<std::string, v1::Tensor> arrays;
  arrays["observations"] = MakeTensor<float>({0, 1}, {2, 1});
  arrays["next_observations"] = MakeTensor<float>({1, 2}, {2, 1});
  arrays["actions"] = MakeTensor<int64_t>({1, 0, 1}, {3});
  arrays["rewards"] = MakeTensor<float>({0, 0}, {2});
  arrays["terminated"] = MakeTensor<bool>({false, true}, {2});
  absl::Status status =
      DemonstrationsFromArrays(arrays, "x.npz", Chunking()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("'actions' has 3 rows"));
  arrays.erase("rewards");
  arrays["actions"] = MakeTensor<int64_t>({1, 0}, {2});
  status = DemonstrationsFromArrays(arrays, "x.npz", Chunking()).status();
  EXPECT_THAT(std::string(status.message()), HasSubstr("'rewards'"));
}

TEST(NpzTest, GarbageIsRefusedClearly) {
  EXPECT_EQ(ParseNpz("not a zip file at all, just text....", "g.npz")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadNpz("/no/such/file.npz").status().code(),
            absl::StatusCode::kNotFound);
}

// A one-entry zip archive ("a.npy"), its fields as given, for the reader's
// refusals of lying headers.
struct ZipEntry {
  uint16_t method = 0;
  uint32_t compressed = 0;
  uint32_t uncompressed = 0;
  uint32_t offset = 0;
  std::string zip64_extra;  // 8-byte values, in zip64 order
  std::string data;
};

void Put(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>(value >> (8 * i));
}

std::string Zip(const ZipEntry& entry) {
  std::string extra;
  if (!entry.zip64_extra.empty()) {
    Put(extra, 0x0001, 2);
    Put(extra, entry.zip64_extra.size(), 2);
    extra += entry.zip64_extra;
  }
  std::string zip;
  Put(zip, 0x04034b50, 4);
  Put(zip, 20, 2);
  Put(zip, 0, 2);
  Put(zip, entry.method, 2);
  Put(zip, 0, 8);  // time, date, crc
  Put(zip, entry.compressed, 4);
  Put(zip, entry.uncompressed, 4);
  Put(zip, 5, 2);
  Put(zip, 0, 2);
  zip += "a.npy" + entry.data;
  const size_t directory = zip.size();
  Put(zip, 0x02014b50, 4);
  Put(zip, 20, 2);
  Put(zip, 20, 2);
  Put(zip, 0, 2);
  Put(zip, entry.method, 2);
  Put(zip, 0, 8);
  Put(zip, entry.compressed, 4);
  Put(zip, entry.uncompressed, 4);
  Put(zip, 5, 2);
  Put(zip, extra.size(), 2);
  Put(zip, 0, 2);
  Put(zip, 0, 8);  // disk, attributes
  Put(zip, entry.offset, 4);
  zip += "a.npy" + extra;
  const size_t directory_size = zip.size() - directory;
  Put(zip, 0x06054b50, 4);
  Put(zip, 0, 4);
  Put(zip, 1, 2);
  Put(zip, 1, 2);
  Put(zip, directory_size, 4);
  Put(zip, directory, 4);
  Put(zip, 0, 2);
  return zip;
}

absl::Status ParseZip(const ZipEntry& entry) {
  return ParseNpz(Zip(entry), "z.npz").status();
}

// Found by tests/fuzz/npz_fuzz: a deflated entry claiming 4 GiB was
// allocated before inflating a few bytes.
TEST(NpzTest, ImpossibleUncompressedSizeIsRefused) {
  ZipEntry entry;
  entry.method = 8;
  entry.data = std::string(10, '\x03');
  entry.compressed = 10;
  entry.uncompressed = 0xFFFFFFF0;
  const absl::Status status = ParseZip(entry);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("impossible"));
}

// zip64 offsets and sizes are 64-bit values from the file: near 2^64 they
// used to wrap the bounds checks and read outside the buffer.
TEST(NpzTest, Zip64ValuesPastTheEndAreRefused) {
  ZipEntry offset;
  offset.offset = 0xFFFFFFFF;
  Put(offset.zip64_extra, 0xFFFFFFFFFFFFFFFEull, 8);
  EXPECT_THAT(std::string(ParseZip(offset).message()),
              HasSubstr("bad local header"));

  ZipEntry size;
  size.method = 8;
  size.data = std::string(16, '\0');
  size.compressed = 0xFFFFFFFF;
  Put(size.zip64_extra, 0xFFFFFFFFFFFFFFF8ull, 8);
  EXPECT_THAT(std::string(ParseZip(size).message()), HasSubstr("truncated"));
}

// 2^32 x 2^32 float32 elements used to wrap to 0 bytes and match no data.
TEST(NpzTest, ShapeTooLargeIsRefused) {
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, "
      "4294967296), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  ZipEntry entry;
  entry.data = std::string("\x93NUMPY\x01\x00", 8);
  Put(entry.data, header.size(), 2);
  entry.data += header;
  entry.compressed = entry.uncompressed = entry.data.size();
  EXPECT_THAT(std::string(ParseZip(entry).message()), HasSubstr("too large"));
}

}  // namespace
}  // namespace entropic
