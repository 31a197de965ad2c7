// chain_peers.h — the real peers both proxy-chain tests stand up: a TLS
// origin (nginx, certificate from a fresh test CA for "localhost"), squid
// with an HTTPS port too, and tinyproxy requiring alice/wonderland.
#ifndef STRATA_TESTS_INTEGRATION_PROXY_CHAIN_CHAIN_PEERS_H_
#define STRATA_TESTS_INTEGRATION_PROXY_CHAIN_CHAIN_PEERS_H_

#include <cstdint>
#include <string>

#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/proxy_fixture.h"

namespace strata::test {

struct ChainPeers {
  TestPki pki;
  TlsNginx origin;
  uint16_t origin_port = 0;
  SquidFixture squid;
  TinyproxyFixture tinyproxy{"alice", "wonderland"};

  // Start starts them all; the origin answers every path with |body|.
  bool Start(const std::string& body, std::string* error);
};

}  // namespace strata::test

#endif  // STRATA_TESTS_INTEGRATION_PROXY_CHAIN_CHAIN_PEERS_H_
