// gtlsserver_fixture.h — the ngtcp2 example HTTP/3 server (Debian's
// ngtcp2-server, /usr/sbin/gtlsserver, built on GnuTLS) serving a directory
// over QUIC on 127.0.0.1 with a given certificate.
//
// The port is a free UDP port (FreePort: the number was free for TCP too);
// Start() retries with another one if the server cannot bind it, and waits
// until the UDP port is bound. The destructor stops the server.
#ifndef STRATA_TESTS_SUPPORT_GTLSSERVER_FIXTURE_H_
#define STRATA_TESTS_SUPPORT_GTLSSERVER_FIXTURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace strata::test {

inline constexpr char kGtlsServerPath[] = "/usr/sbin/gtlsserver";

class GtlsServer {
 public:
  GtlsServer() = default;
  ~GtlsServer() { Stop(); }
  GtlsServer(const GtlsServer&) = delete;
  GtlsServer& operator=(const GtlsServer&) = delete;

  // Start serves |htdocs| with |cert|/|key| (PEM). |port| 0 picks a free
  // one. |extra_args| go before the positional arguments (e.g. "--timeout=5s").
  bool Start(const std::string& htdocs, const std::string& cert, const std::string& key, std::string* error,
             uint16_t port = 0, const std::vector<std::string>& extra_args = {});
  void Stop();
  uint16_t port() const { return port_; }
  // Log is what the server printed (it runs with -q: errors only).
  std::string Log() const;

 private:
  Process process_;
  uint16_t port_ = 0;
  bool started_ = false;
};

}  // namespace strata::test

#endif  // STRATA_TESTS_SUPPORT_GTLSSERVER_FIXTURE_H_
