// matrix_peers.h — the real peers of the fault matrix, each serving the
// same body at /body.bin: nginx over plain HTTP/1.1, nginx over TLS on two
// ports (HTTP/1.1 only, and h2 by ALPN) with a CA made for the test, and
// nghttpd over cleartext HTTP/2 (prior knowledge); plus the runtime
// configuration every route starts from.
#ifndef STRATA_TESTS_INTEGRATION_FAULT_MATRIX_PEERS_H_
#define STRATA_TESTS_INTEGRATION_FAULT_MATRIX_PEERS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "tests/integration/h2/h2_peers.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/nginx_fixture.h"

namespace strata::test {

class MatrixPeers {
 public:
  // Start starts the peers |which| asks for: "h1", "tls", "h2c" (any of).
  bool Start(const std::string& which, std::string* error);

  uint16_t h1_port() const { return h1_ ? h1_->port() : 0; }
  uint16_t tls_h1_port() const { return tls_h1_port_; }
  uint16_t tls_h2_port() const { return tls_h2_port_; }
  uint16_t h2c_port() const { return h2c_ ? h2c_->port() : 0; }
  const std::string& body() const { return body_; }
  std::string ca() const { return pki_.Cert("ca"); }

  // Config is the runtime configuration with the fault plugin, the test CA
  // in every tls layer, no proxy from the environment, short timeouts,
  // and |extra_pipelines| ("\"name\": [...], ...") added.
  std::string Config(const std::string& extra_pipelines = "") const;
  // Tls is a tls layer entry offering |alpn| (a JSON array) with the CA.
  std::string Tls(const std::string& alpn) const;

 private:
  std::string body_;
  TestPki pki_;
  std::unique_ptr<NginxFixture> h1_;
  std::unique_ptr<TlsNginx> tls_;
  uint16_t tls_h1_port_ = 0;
  uint16_t tls_h2_port_ = 0;
  std::unique_ptr<Nghttpd> h2c_;
};

}  // namespace strata::test

#endif  // STRATA_TESTS_INTEGRATION_FAULT_MATRIX_PEERS_H_
