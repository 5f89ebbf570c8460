#include "common/metrics_server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "prometheus/text_serializer.h"

namespace entropic {
namespace {

// Connections at once, from one address, and how long an idle one is kept
// (scrapers reconnect): one client cannot take every connection and hold
// scrapes from others off.
constexpr unsigned kMaxConnections = 256;
constexpr unsigned kMaxConnectionsPerAddress = 16;
constexpr unsigned kIdleTimeoutSeconds = 10;

MHD_Result Reply(MHD_Connection* connection, unsigned status,
                 const char* content_type, const std::string& body) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                          content_type);
  const MHD_Result queued = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return queued;
}

// libmicrohttpd's request handler; `registry` is the served registry.
MHD_Result Handle(void* registry, MHD_Connection* connection, const char* url,
                  const char* method, const char* version,
                  const char* upload_data, size_t* upload_data_size,
                  void** state) {
  // The first call for a request comes with its headers only; answer on it
  // for GET, and refuse everything else without reading a body.
  if (std::strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
      std::strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
    return Reply(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
                 "only GET is served\n");
  }
  if (std::strcmp(url, "/metrics") != 0) {
    return Reply(connection, MHD_HTTP_NOT_FOUND, "text/plain",
                 "metrics are at /metrics\n");
  }
  std::ostringstream body;
  prometheus::TextSerializer().Serialize(
      body, static_cast<prometheus::Registry*>(registry)->Collect());
  return Reply(connection, MHD_HTTP_OK, "text/plain; version=0.0.4",
               body.str());
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Create(
    const std::string& host, int port,
    std::shared_ptr<prometheus::Registry> registry) {
  // The socket is bound here rather than by libmicrohttpd, so a busy port
  // or an unknown host is reported with its reason.
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
                     listen(fd, 64) == 0;
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

  std::unique_ptr<MetricsServer> server(
      new MetricsServer(ntohs(actual.sin_port), std::move(registry)));
  // One internal thread polls every connection (epoll), so idle or slow
  // clients never hold up a scrape.
  server->daemon_ = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, nullptr, nullptr,
      &Handle, server->registry_.get(), MHD_OPTION_LISTEN_SOCKET, fd,
      MHD_OPTION_CONNECTION_LIMIT, kMaxConnections,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, kMaxConnectionsPerAddress,
      MHD_OPTION_CONNECTION_TIMEOUT, kIdleTimeoutSeconds, MHD_OPTION_END);
  if (server->daemon_ == nullptr) {
    close(fd);
    return absl::UnavailableError(absl::StrCat(
        "cannot serve metrics on ", address, ": libmicrohttpd did not start"));
  }
  return server;
}

MetricsServer::MetricsServer(int port,
                             std::shared_ptr<prometheus::Registry> registry)
    : port_(port), registry_(std::move(registry)) {}

MetricsServer::~MetricsServer() {
  // Stops the polling thread and closes every connection and the socket.
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
}


}  // namespace entropic
