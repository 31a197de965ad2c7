// h2_peers.h — HTTP/2 servers on 127.0.0.1 for the h2 plugins' end-to-end
// tests:
//   Nghttpd        nghttp2's nghttpd over cleartext (prior knowledge only:
//                  it answers an HTTP/1.1 Upgrade with its SETTINGS, so it
//                  cannot serve h2c upgrades), serving a directory and
//                  echoing POST/PUT bodies (--echo-upload)
//   ApacheH2c      Apache httpd with mod_http2 ("Protocols h2c http/1.1",
//                  H2Upgrade on), which accepts h2c upgrades; mpm_worker,
//                  because under mpm_event an upgraded connection sends
//                  GOAWAY("timeout") as soon as its first stream is done
//   AlpnNginx      nginx with TLS on two ports, one without HTTP/2 (ALPN
//                  picks http/1.1) and one with it (h2)
// Each has its own directory and free port and stops in its destructor.
#ifndef STRATA_TESTS_INTEGRATION_H2_H2_PEERS_H_
#define STRATA_TESTS_INTEGRATION_H2_H2_PEERS_H_

#include <cstdint>
#include <string>

#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/process.h"

namespace strata::test {

class Nghttpd {
 public:
  // |max_concurrent_streams| > 0 sets the server's
  // SETTINGS_MAX_CONCURRENT_STREAMS (nghttpd's default is 100).
  explicit Nghttpd(uint32_t max_concurrent_streams = 0);
  ~Nghttpd();
  Nghttpd(const Nghttpd&) = delete;
  Nghttpd& operator=(const Nghttpd&) = delete;

  // UseTls makes Start serve TLS (ALPN h2 only) with |key| and |cert|
  // instead of cleartext prior knowledge.
  void UseTls(const std::string& key, const std::string& cert) {
    key_ = key;
    cert_ = cert;
  }
  bool Start(std::string* error);
  uint16_t port() const { return port_; }
  const std::string& docroot() const { return docroot_; }
  // WriteDocFile creates <docroot>/<name>.
  void WriteDocFile(const std::string& name, const std::string& content) const;
  std::string Log() const;

 private:
  std::string docroot_;
  std::string key_, cert_;
  uint32_t max_concurrent_streams_;
  uint16_t port_ = 0;
  Process process_;
};

// AlpnNginx answers every path with "alpn=$ssl_alpn_protocol
// protocol=$server_protocol\n" on both ports, with a PKI of its own: CA
// "ca" and the "localhost" leaf (DNS:localhost, IP:127.0.0.1), which other
// peers of a test may serve too. nginx 1.22 turns HTTP/2 on per listen
// socket, hence a port for each.
class AlpnNginx {
 public:
  bool Start(std::string* error);
  const TestPki& pki() const { return pki_; }
  uint16_t h1_port() const { return h1_port_; }
  uint16_t h2_port() const { return h2_port_; }
  std::string ErrorLog() const { return nginx_.ErrorLog(); }

 private:
  TestPki pki_;
  TlsNginx nginx_;
  uint16_t h1_port_ = 0;
  uint16_t h2_port_ = 0;
};

class ApacheH2c {
 public:
  // |mpm_event|: Apache's default MPM, under which an upgraded connection
  // sends GOAWAY(last_stream_id=1, "timeout") as soon as stream 1 is done,
  // so every stream opened on it meanwhile is refused.
  explicit ApacheH2c(bool mpm_event = false);
  ~ApacheH2c();
  ApacheH2c(const ApacheH2c&) = delete;
  ApacheH2c& operator=(const ApacheH2c&) = delete;

  bool Start(std::string* error);
  void Stop();
  uint16_t port() const { return port_; }
  void WriteDocFile(const std::string& name, const std::string& content) const;
  std::string ErrorLog() const;

 private:
  std::string dir_;  // under /tmp: Apache's children run as nobody
  uint16_t port_ = 0;
  Process process_;
  bool started_ = false;
  bool mpm_event_ = false;
};

// Fnv1a64 is a checksum for comparing large bodies in failure messages.
uint64_t Fnv1a64(const std::string& data);

}  // namespace strata::test

#endif  // STRATA_TESTS_INTEGRATION_H2_H2_PEERS_H_
