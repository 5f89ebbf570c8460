// Bytes -> one connection to a running MetricsServer (common/metrics_server.h):
// whatever a client sends, the server (libmicrohttpd and our handler) must
// neither crash nor stop answering. Every 64 inputs, a well-formed scrape
// must still succeed, from another address.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/metrics_server.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace {

struct Served {
  std::shared_ptr<prometheus::Registry> registry =
      std::make_shared<prometheus::Registry>();
  std::unique_ptr<entropic::MetricsServer> server;

  Served() {
    prometheus::BuildCounter()
        .Name("entropic_fuzz_inputs_total")
        .Help("Inputs sent")
        .Register(*registry)
        .Add({{"job", "fuzz"}});
    auto created = entropic::MetricsServer::Create("127.0.0.1", 0, registry);
    if (!created.ok()) std::abort();
    server = std::move(created).value();
  }
};

// Sends `bytes` on a fresh connection from `source` (a loopback address),
// closes the sending side, reads the answer until `timeout_us` passes
// without more, and resets the connection; the answer.
std::string Exchange(int port, const std::string& bytes, int timeout_us,
                     const char* source) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from));
  // A reset rather than a FIN at the end: the server lets go at once.
  linger reset{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  timeval timeout{timeout_us / 1000000, timeout_us % 1000000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
      0) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n =
          send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += n;
    }
    shutdown(fd, SHUT_WR);
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof(buffer))) > 0) answer.append(buffer, n);
  }
  close(fd);
  return answer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Served* served = new Served();  // lives for the whole run
  static int inputs = 0;
  const int port = served->server->port();
  // Answers on loopback take well under a millisecond; an input the server
  // waits on (an unfinished request) costs 20 ms.
  Exchange(port, std::string(reinterpret_cast<const char*>(data), size),
           20000, "127.0.0.1");
  if (++inputs % 64 == 0) {
    const std::string scrape = Exchange(
        port, "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", 5000000,
        // Another client: the fuzzed one may hold its connections' share.
        "127.0.0.2");
    if (scrape.rfind("HTTP/1.0 200", 0) != 0 &&
        scrape.rfind("HTTP/1.1 200", 0) != 0) {
      std::fprintf(stderr, "no scrape answered after %d inputs: [%s]\n",
                   inputs, scrape.substr(0, 200).c_str());
      std::abort();  // the server stopped answering scrapes
    }
  }
  return 0;
}
