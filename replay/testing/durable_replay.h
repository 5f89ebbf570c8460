#ifndef ENTROPIC_REPLAY_TESTING_DURABLE_REPLAY_H_
#define ENTROPIC_REPLAY_TESTING_DURABLE_REPLAY_H_

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "replay/durability/durability.h"
#include "replay/replay_metrics.h"
#include "replay/table.h"
#include "replay/table_store.h"

namespace entropic::testing {

// A replay's tables and checkpoint directory, as one process would hold
// them: opening it on a directory recovers what an earlier one left there.
struct DurableReplay {
  explicit DurableReplay(const std::string& directory) {
    Durability::Options options;
    options.directory = directory;
    absl::StatusOr<std::unique_ptr<Durability>> opened = Durability::Open(
        options,
        [this](v1::LogRecord& record) { return store.ApplyRecord(record); },
        &recovery);
    EXPECT_TRUE(opened.ok()) << opened.status();
    durability = std::move(opened).value();
    store.AttachDurability(durability.get());
  }
  // Job "job"'s table `name`.
  std::shared_ptr<Table> Find(const std::string& name = "agent") {
    return *store.Find("job", name);
  }

  prometheus::Registry registry;
  ReplayMetrics metrics{registry};
  TableStore store{&metrics};
  RecoveryStats recovery;
  std::unique_ptr<Durability> durability;
};

}  // namespace entropic::testing

#endif  // ENTROPIC_REPLAY_TESTING_DURABLE_REPLAY_H_
