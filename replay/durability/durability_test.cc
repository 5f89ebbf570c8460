#include "replay/durability/durability.h"

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "absl/synchronization/notification.h"
#include "common/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/durability/log_file.h"
#include "replay/durability/write_ahead_log.h"
#include "replay/testing/chunks.h"

namespace entropic {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class DurabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::string(::testing::TempDir()) + "/durability_test_" +
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  Durability::Options Options() {
    Durability::Options options;
    options.directory = directory_;
    return options;
  }

  // Opens the directory, collecting the sequences of recovered inserts.
  std::unique_ptr<Durability> Open(std::vector<uint64_t>& recovered,
                                   RecoveryStats& stats) {
    absl::StatusOr<std::unique_ptr<Durability>> durability = Durability::Open(
        Options(),
        [&](v1::LogRecord& record) {
          if (record.has_insert())
            recovered.push_back(record.insert().sequence());
          return absl::OkStatus();
        },
        &stats);
    EXPECT_TRUE(durability.ok()) << durability.status();
    return durability.ok() ? std::move(durability).value() : nullptr;
  }

  static v1::LogRecord Insert(uint64_t sequence) {
    v1::LogRecord record;
    *record.mutable_insert() = testing::MakeChunk("a", sequence, 4, sequence);
    return record;
  }

  std::string directory_;
};

TEST_F(DurabilityTest, AppendedRecordsComeBack) {
  std::vector<uint64_t> recovered;
  RecoveryStats stats;
  {
    auto durability = Open(recovered, stats);
    for (uint64_t i = 1; i <= 3; ++i) {
      ASSERT_TRUE(durability->log().Append(Insert(i)).ok());
    }
  }
  auto reopened = Open(recovered, stats);
  EXPECT_EQ(recovered, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(stats.corrupt_tails, 0);
}

TEST_F(DurabilityTest, TornTailIsSkippedWithTheRecordsBeforeItKept) {
  std::vector<uint64_t> recovered;
  RecoveryStats stats;
  std::string segment;
  {
    auto durability = Open(recovered, stats);
    for (uint64_t i = 1; i <= 5; ++i) {
      ASSERT_TRUE(durability->log().Append(Insert(i)).ok());
    }
    segment =
        WriteAheadLog::SegmentPath(directory_, durability->log().segment());
  }
  // A crash in the middle of writing the fifth record.
  fs::resize_file(segment, fs::file_size(segment) - 7);
  auto reopened = Open(recovered, stats);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(recovered, (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(stats.corrupt_tails, 1);
  // Logging goes on, and the next recovery finds old and new records.
  ASSERT_TRUE(reopened->log().Append(Insert(6)).ok());
  reopened.reset();
  recovered.clear();
  auto again = Open(recovered, stats);
  EXPECT_EQ(recovered, (std::vector<uint64_t>{1, 2, 3, 4, 6}));
  EXPECT_EQ(stats.corrupt_tails, 0);
}

TEST_F(DurabilityTest, FlippedBitEndsTheReadingAtThatRecord) {
  std::vector<uint64_t> recovered;
  RecoveryStats stats;
  std::string segment;
  {
    auto durability = Open(recovered, stats);
    for (uint64_t i = 1; i <= 3; ++i) {
      ASSERT_TRUE(durability->log().Append(Insert(i)).ok());
    }
    segment =
        WriteAheadLog::SegmentPath(directory_, durability->log().segment());
  }
  // Corrupt a byte in the last record's payload: its checksum fails.
  {
    std::fstream file(segment, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(fs::file_size(segment)) - 20);
    file.put('\x5a');
  }
  auto reopened = Open(recovered, stats);
  EXPECT_EQ(recovered, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(stats.corrupt_tails, 1);
}

TEST_F(DurabilityTest, NewerFormatIsRefusedClearly) {
  fs::create_directories(directory_);
  {
    std::ofstream file(directory_ + "/log-000000000001.wal", std::ios::binary);
    std::string header = LogFileHeader(LogFileKind::kLog);
    const uint32_t newer = kLogFormatVersion + 98;
    header.replace(12, 4, reinterpret_cast<const char*>(&newer), 4);
    file << header;
  }
  absl::StatusOr<std::unique_ptr<Durability>> durability = Durability::Open(
      Options(), [](v1::LogRecord&) { return absl::OkStatus(); }, nullptr);
  EXPECT_EQ(durability.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(durability.status().message()),
              HasSubstr(absl::StrCat("version ", kLogFormatVersion + 98)));
}

TEST_F(DurabilityTest, SnapshotReplacesOlderFiles) {
  std::vector<uint64_t> recovered;
  RecoveryStats stats;
  {
    auto durability = Open(recovered, stats);
    ASSERT_TRUE(durability->log().Append(Insert(1)).ok());
    absl::StatusOr<v1::CheckpointResponse> snapshot = durability->Snapshot(
        [](SnapshotWriter& writer) { return writer.Write(Insert(100)); });
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    EXPECT_EQ(snapshot->transitions(), 4);
    ASSERT_TRUE(durability->log().Append(Insert(2)).ok());
  }
  int files = 0;
  for (const auto& entry : fs::directory_iterator(directory_)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 2);  // the snapshot and the segment after it
  auto reopened = Open(recovered, stats);
  // The snapshot's state, then what was logged after it.
  EXPECT_EQ(recovered, (std::vector<uint64_t>{100, 2}));
}

TEST_F(DurabilityTest, SnapshotsAreDueOnceTheLogOutgrowsTheLastSnapshot) {
  Durability::Options options = Options();
  options.snapshot_every_bytes = 1000;
  RecoveryStats stats;
  absl::StatusOr<std::unique_ptr<Durability>> opened = Durability::Open(
      options, [](v1::LogRecord&) { return absl::OkStatus(); }, &stats);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Durability& durability = **opened;
  uint64_t sequence = 0;
  while (durability.log().segment_bytes() < 1000) {
    EXPECT_FALSE(durability.SnapshotDue());
    ASSERT_TRUE(durability.log().Append(Insert(++sequence)).ok());
  }
  EXPECT_TRUE(durability.SnapshotDue());
  // A snapshot of a larger state: the next one waits until as much log.
  absl::StatusOr<v1::CheckpointResponse> snapshot =
      durability.Snapshot([](SnapshotWriter& writer) {
        for (uint64_t i = 1; i <= 40; ++i) {
          RETURN_IF_ERROR(writer.Write(Insert(i)));
        }
        return absl::OkStatus();
      });
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_GT(snapshot->bytes(), 3000);
  EXPECT_EQ(durability.last_snapshot_bytes(), snapshot->bytes());
  while (durability.log().segment_bytes() < snapshot->bytes()) {
    EXPECT_FALSE(durability.SnapshotDue())
        << durability.log().segment_bytes() << " bytes logged";
    ASSERT_TRUE(durability.log().Append(Insert(++sequence)).ok());
  }
  EXPECT_TRUE(durability.SnapshotDue());
}

TEST_F(DurabilityTest, FsyncPolicyAcknowledgesAfterTheSync) {
  Durability::Options options = Options();
  options.flush = FlushPolicy::kFsync;
  absl::StatusOr<std::unique_ptr<Durability>> durability = Durability::Open(
      options, [](v1::LogRecord&) { return absl::OkStatus(); }, nullptr);
  ASSERT_TRUE(durability.ok());
  absl::StatusOr<uint64_t> position = (*durability)->log().Append(Insert(1));
  ASSERT_TRUE(position.ok());
  absl::Notification durable;
  absl::Status status = absl::UnknownError("not run");
  (*durability)->log().WhenDurable(*position, [&](absl::Status result) {
    status = result;
    durable.Notify();
  });
  EXPECT_TRUE(durable.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(status.ok()) << status;
}

TEST_F(DurabilityTest, ADirectoryWithOtherFilesOrAFileIsRefused) {
  fs::create_directories(directory_);
  std::ofstream(directory_ + "/notes.txt") << "not replay's";
  auto open = [&] {
    return Durability::Open(
               Options(), [](v1::LogRecord&) { return absl::OkStatus(); },
               nullptr)
        .status();
  };
  absl::Status status = open();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("notes.txt"));
  // Nothing of replay's was written beside it.
  EXPECT_EQ(std::distance(fs::directory_iterator(directory_),
                          fs::directory_iterator()),
            1);
  fs::remove_all(directory_);
  std::ofstream(directory_) << "a file";
  status = open();
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr(directory_));
  fs::remove(directory_);
}

// A log whose syncs fail as a full or failing disk makes them fail.
std::unique_ptr<WriteAheadLog> OpenLog(const std::string& directory,
                                       std::function<int(int)> sync,
                                       absl::Duration interval) {
  fs::create_directories(directory);
  WriteAheadLog::Options options;
  options.directory = directory;
  options.flush = FlushPolicy::kFsync;
  options.fsync_interval = interval;
  options.sync = std::move(sync);
  absl::StatusOr<std::unique_ptr<WriteAheadLog>> log =
      WriteAheadLog::Open(options, 1);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? std::move(log).value() : nullptr;
}

TEST_F(DurabilityTest, AFailedSyncIsNotReportedDurableAndFailsTheLog) {
  std::unique_ptr<WriteAheadLog> log = OpenLog(
      directory_,
      [](int) {
        errno = EIO;
        return -1;
      },
      absl::Milliseconds(1));
  ASSERT_NE(log, nullptr);
  absl::StatusOr<uint64_t> position = log->Append(Insert(1));
  ASSERT_TRUE(position.ok());
  absl::Notification ran;
  absl::Status status;
  log->WhenDurable(*position, [&](absl::Status result) {
    status = result;
    ran.Notify();
  });
  ASSERT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()), HasSubstr("Input/output error"));
  // Nothing more is taken, and nothing more is reported durable.
  EXPECT_EQ(log->Append(Insert(2)).status().code(),
            absl::StatusCode::kInternal);
  bool later_ok = true;
  log->WhenDurable(*position, [&](absl::Status result) {
    later_ok = result.ok();
  });
  EXPECT_FALSE(later_ok);
}

TEST_F(DurabilityTest, ARotationThatCannotOpenTheNextSegmentStillAnswers) {
  // Syncs succeed, but the flusher waits long enough for the rotation to
  // come first.
  std::unique_ptr<WriteAheadLog> log =
      OpenLog(directory_, [](int fd) { return fdatasync(fd); },
              absl::Seconds(30));
  ASSERT_NE(log, nullptr);
  absl::StatusOr<uint64_t> position = log->Append(Insert(1));
  ASSERT_TRUE(position.ok());
  absl::Notification ran;
  absl::Status status = absl::UnknownError("not run");
  log->WhenDurable(*position, [&](absl::Status result) {
    status = result;
    ran.Notify();
  });
  // The next segment cannot be created where the directory was.
  fs::remove_all(directory_);
  EXPECT_FALSE(log->Rotate().ok());
  // The record was synced before the rotation failed: it is durable.
  ASSERT_TRUE(ran.HasBeenNotified());
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_FALSE(log->Append(Insert(2)).ok());
}

}  // namespace
}  // namespace entropic
