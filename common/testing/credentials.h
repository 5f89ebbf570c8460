#ifndef ENTROPIC_COMMON_TESTING_CREDENTIALS_H_
#define ENTROPIC_COMMON_TESTING_CREDENTIALS_H_

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace entropic::testing {

// For tests: a fresh CA, server and client certificates and one token per
// role, made by deploy/make-credentials.sh (openssl) in a new temporary
// directory that is removed with this object. Files as the script names
// them: path("ca.pem"), path("server.key"), path("tokens"), ...
// Test targets define ENTROPIC_SOURCE_DIR (see entropic_test).
class TestCredentials {
 public:
  // Internal naming the command if openssl or the script failed.
  static absl::StatusOr<std::unique_ptr<TestCredentials>> Make() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "entropic-creds-XXXXXX")
            .string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return absl::InternalError("mkdtemp failed");
    }
    std::unique_ptr<TestCredentials> credentials(new TestCredentials(pattern));
    const std::string command =
        absl::StrCat("bash '", ENTROPIC_SOURCE_DIR,
                     "/deploy/make-credentials.sh' '", pattern, "' >/dev/null");
    if (std::system(command.c_str()) != 0) {
      return absl::InternalError(absl::StrCat("failed: ", command));
    }
    return credentials;
  }

  ~TestCredentials() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const {
    return absl::StrCat(dir_, "/", name);
  }
  // The token of "actor", "learner" or "user".
  std::string token(const std::string& role) const {
    std::ifstream file(path(role + ".token"));
    std::stringstream contents;
    contents << file.rdbuf();
    return std::string(absl::StripAsciiWhitespace(contents.str()));
  }

 private:
  explicit TestCredentials(std::string dir) : dir_(std::move(dir)) {}
  const std::string dir_;
};

}  // namespace entropic::testing

#endif  // ENTROPIC_COMMON_TESTING_CREDENTIALS_H_
