#ifndef ENTROPIC_COMMON_TESTING_HTTP_GET_H_
#define ENTROPIC_COMMON_TESTING_HTTP_GET_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace entropic::testing {

// For tests: the body of GET http://127.0.0.1:port/path over HTTP/1.0, from
// loopback address `source`; errors
// for a refused connection, no answer within `timeout`, or a status other
// than 200.
inline absl::StatusOr<std::string> HttpGet(
    int port, const std::string& path,
    absl::Duration timeout = absl::Seconds(30),
    const char* source = "127.0.0.1") {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from));
  const timeval wait = absl::ToTimeval(timeout);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("connect to port ", port, ": ", std::strerror(errno)));
  }
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  if (write(fd, request.data(), request.size()) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::UnavailableError("write failed");
  }
  std::string response;
  char chunk[8192];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof(chunk))) > 0) response.append(chunk, n);
  const bool timed_out = n < 0;
  close(fd);
  if (timed_out && response.empty()) {
    return absl::DeadlineExceededError(
        absl::StrCat("GET ", path, ": no answer within ",
                     absl::FormatDuration(timeout)));
  }
  const size_t body = response.find("\r\n\r\n");
  if (!absl::StartsWith(response, "HTTP/1.1 200") &&
      !absl::StartsWith(response, "HTTP/1.0 200")) {
    return absl::InternalError(absl::StrCat(
        "GET ", path, ": ", response.substr(0, response.find('\r'))));
  }
  return body == std::string::npos ? "" : response.substr(body + 4);
}

}  // namespace entropic::testing

#endif  // ENTROPIC_COMMON_TESTING_HTTP_GET_H_
