#include "common/metrics_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "prometheus/text_serializer.h"

namespace entropic {
namespace {

void SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n =
        send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += n;
  }
}

std::string Response(const std::string& status, const std::string& type,
                     const std::string& body) {
  return absl::StrCat("HTTP/1.0 ", status, "\r\nContent-Type: ", type,
                      "\r\nContent-Length: ", body.size(),
                      "\r\nConnection: close\r\n\r\n", body);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Create(
    const std::string& host, int port,
    std::shared_ptr<prometheus::Registry> registry) {
  const std::string address = absl::StrCat(host, ":", port);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* resolved = nullptr;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(),
                  std::to_string(port).c_str(), &hints, &resolved) != 0 ||
      resolved == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": unknown host"));
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  const bool bound = bind(fd, resolved->ai_addr, resolved->ai_addrlen) == 0 &&
                     listen(fd, 16) == 0;
  freeaddrinfo(resolved);
  if (!bound) {
    const std::string reason = std::strerror(errno);
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", reason));
  }
  sockaddr_in actual{};
  socklen_t length = sizeof(actual);
  getsockname(fd, reinterpret_cast<sockaddr*>(&actual), &length);
  return std::unique_ptr<MetricsServer>(
      new MetricsServer(fd, ntohs(actual.sin_port), std::move(registry)));
}

MetricsServer::MetricsServer(int listen_fd, int port,
                             std::shared_ptr<prometheus::Registry> registry)
    : listen_fd_(listen_fd), port_(port), registry_(std::move(registry)) {
  thread_ = std::thread([this] { ServeLoop(); });
}

MetricsServer::~MetricsServer() {
  stopping_.store(true);
  thread_.join();
  close(listen_fd_);
}

void MetricsServer::ServeLoop() {
  while (!stopping_.load()) {
    // Wake up regularly to notice stopping_.
    pollfd listening{listen_fd_, POLLIN, 0};
    if (poll(&listening, 1, 200) <= 0) continue;
    const int connection = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    // A stalled client must not hold up the next scrape for long.
    timeval timeout{5, 0};
    setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    Answer(connection);
    close(connection);
  }
}

void MetricsServer::Answer(int connection) {
  std::string request;
  char buffer[2048];
  while (!absl::StrContains(request, "\r\n\r\n") &&
         !absl::StrContains(request, "\n\n") && request.size() < 16384) {
    const ssize_t n = recv(connection, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    request.append(buffer, n);
  }
  const std::string line = request.substr(0, request.find('\r'));
  if (!absl::StartsWith(line, "GET ")) {
    SendAll(connection, Response("405 Method Not Allowed", "text/plain",
                                 "only GET is served\n"));
    return;
  }
  const std::string target = line.substr(4, line.find(' ', 4) - 4);
  if (target != "/metrics" && !absl::StartsWith(target, "/metrics?")) {
    SendAll(connection, Response("404 Not Found", "text/plain",
                                 "metrics are at /metrics\n"));
    return;
  }
  std::ostringstream body;
  prometheus::TextSerializer().Serialize(body, registry_->Collect());
  SendAll(connection,
          Response("200 OK", "text/plain; version=0.0.4", body.str()));
}

}  // namespace entropic
