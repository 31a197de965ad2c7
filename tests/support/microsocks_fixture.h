// microsocks_fixture.h — a real SOCKS5 proxy on 127.0.0.1 for integration
// tests: microsocks (Debian package microsocks, SOCKS5 only, RFC 1929
// username/password with -u/-P).
//
// It runs in the foreground on a free port (retrying on a clash), as the
// test's own user, so no sandbox exemption is needed. Its stderr is its
// log: one line per tunnel, "client[N] 127.0.0.1: connected to HOST:PORT",
// where HOST is what the client sent — the name (remote resolution) or an
// address (local resolution).
#ifndef STRATA_TESTS_SUPPORT_MICROSOCKS_FIXTURE_H_
#define STRATA_TESTS_SUPPORT_MICROSOCKS_FIXTURE_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "tests/support/process.h"

namespace strata::test {

class MicrosocksFixture {
 public:
  // |user|/|password| non-empty: RFC 1929 authentication required.
  explicit MicrosocksFixture(std::string user = "", std::string password = "");
  ~MicrosocksFixture();
  MicrosocksFixture(const MicrosocksFixture&) = delete;
  MicrosocksFixture& operator=(const MicrosocksFixture&) = delete;

  // Start returns false (with *error) when microsocks is not installed or
  // does not come up.
  bool Start(std::string* error);
  void Stop();
  uint16_t port() const { return port_; }
  // Log is microsocks' stderr so far.
  std::string Log() const;
  // WaitForLog waits until the log contains |needle|.
  bool WaitForLog(const std::string& needle,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  std::string user_, password_;
  uint16_t port_ = 0;
  Process process_;
};

// MicrosocksBinary is the microsocks used by the fixture.
const char* MicrosocksBinary();

}  // namespace strata::test

#endif  // STRATA_TESTS_SUPPORT_MICROSOCKS_FIXTURE_H_
