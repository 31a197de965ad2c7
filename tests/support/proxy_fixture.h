// proxy_fixture.h — real forward proxies on 127.0.0.1 for integration tests:
// squid (CONNECT and forwarding, optionally an https_port) and tinyproxy
// (optionally with Basic auth).
//
// Both daemons switch to unprivileged users and write outside a sandbox's
// writable paths, so tests using them are tagged "no-sandbox". Each fixture
// has its own directory under /tmp (not $TEST_TMPDIR, which may sit under
// /root, out of those users' reach), its own free port, and stops its
// daemon and removes its directory in its destructor.
#ifndef STRATA_TESTS_SUPPORT_PROXY_FIXTURE_H_
#define STRATA_TESTS_SUPPORT_PROXY_FIXTURE_H_

#include <cstdint>
#include <string>

#include "tests/support/process.h"

namespace strata::test {

class SquidFixture {
 public:
  SquidFixture();
  ~SquidFixture();
  SquidFixture(const SquidFixture&) = delete;
  SquidFixture& operator=(const SquidFixture&) = delete;

  // EnableTls adds an https_port with |cert|/|key| (PEM files): clients
  // reach the proxy itself over TLS. Call before Start.
  void EnableTls(const std::string& cert, const std::string& key);
  bool Start(std::string* error);
  void Stop();

  uint16_t port() const { return port_; }          // plain http_port
  uint16_t tls_port() const { return tls_port_; }  // https_port, 0 if none
  // AccessLog returns squid's access log ("... CONNECT host:port ..." lines).
  std::string AccessLog() const;
  std::string CacheLog() const;

 private:
  std::string dir_;
  uint16_t port_ = 0;
  uint16_t tls_port_ = 0;
  std::string cert_, key_;
  Process process_;
  bool started_ = false;
};

class TinyproxyFixture {
 public:
  // |user|/|password| non-empty: Basic auth required.
  TinyproxyFixture(std::string user = "", std::string password = "");
  ~TinyproxyFixture();
  TinyproxyFixture(const TinyproxyFixture&) = delete;
  TinyproxyFixture& operator=(const TinyproxyFixture&) = delete;

  bool Start(std::string* error);
  void Stop();
  uint16_t port() const { return port_; }
  std::string Log() const;

 private:
  std::string dir_;
  std::string user_, password_;
  uint16_t port_ = 0;
  Process process_;
  bool started_ = false;
};

// NghttpxFixture is nghttpx in HTTP/2 proxy mode (-s): TLS with ALPN h2 and
// http/1.1 on its own port, every request and CONNECT forwarded to a
// backend forward proxy (squid). Its access log has one line per request:
// "<client port> <alpn> \"<request line>\" <status>", so a test sees which
// TLS connection (client port) carried each CONNECT and over which protocol.
class NghttpxFixture {
 public:
  // |backend_port|: the forward proxy on 127.0.0.1; |cert|/|key| PEM files.
  NghttpxFixture(uint16_t backend_port, std::string cert, std::string key);
  ~NghttpxFixture();
  NghttpxFixture(const NghttpxFixture&) = delete;
  NghttpxFixture& operator=(const NghttpxFixture&) = delete;
  bool Start(std::string* error);
  void Stop();
  uint16_t port() const { return port_; }
  std::string AccessLog() const;
  std::string ErrorLog() const;

 private:
  std::string dir_;
  uint16_t backend_port_;
  std::string cert_, key_;
  uint16_t port_ = 0;
  Process process_;
  bool started_ = false;
};

}  // namespace strata::test

#endif  // STRATA_TESTS_SUPPORT_PROXY_FIXTURE_H_
