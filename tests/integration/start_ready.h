#ifndef ENTROPIC_TESTS_INTEGRATION_START_READY_H_
#define ENTROPIC_TESTS_INTEGRATION_START_READY_H_

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/child_process.h"

namespace entropic::testing {

// For tests: starts `argv` into `process` and waits (a minute at most) for
// its "<name> ready ... grpc_port=N" line; N, or 0 with a test failure
// added if it did not start.
int StartReady(const std::vector<std::string>& argv, const std::string& name,
               std::unique_ptr<ChildProcess>& process);

}  // namespace entropic::testing

#endif  // ENTROPIC_TESTS_INTEGRATION_START_READY_H_
