// tls_peers.h — TLS peers for the tls plugin's end-to-end tests.
//
//   TestPki      a throw-away CA and leaf certificates, made with the
//                `openssl` command under $TEST_TMPDIR at test time (no key is
//                committed)
//   TlsNginx     one nginx with any number of TLS server blocks, each on its
//                own free port on 127.0.0.1
// No TLS library is linked here, so a test that must link the system OpenSSL
// can use these too; TlsTestPeer (tls_test_peer.h) needs BoringSSL.
#ifndef STRATA_TESTS_INTEGRATION_TLS_E2E_TLS_PEERS_H_
#define STRATA_TESTS_INTEGRATION_TLS_E2E_TLS_PEERS_H_

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.h"

namespace strata::test {

class TestPki {
 public:
  TestPki();  // a fresh directory under TestTmpDir()
  const std::string& dir() const { return dir_; }

  // MakeCa creates the self-signed CA <name>.pem / <name>.key.
  bool MakeCa(const std::string& name, std::string* error);
  // MakeLeaf creates <name>.pem / <name>.key signed by CA |ca|.
  // |san| is an openssl subjectAltName value ("DNS:a.test,IP:127.0.0.1"),
  // |usage| an extendedKeyUsage ("serverAuth" or "clientAuth").
  bool MakeLeaf(const std::string& name, const std::string& ca, const std::string& common_name,
                const std::string& san, const std::string& usage, std::string* error);
  // MakeLocalhostLeaf creates the server leaf most tests use: "localhost"
  // (localhost.pem / .key), for DNS:localhost and IP:127.0.0.1.
  bool MakeLocalhostLeaf(const std::string& ca, std::string* error) {
    return MakeLeaf("localhost", ca, "localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth", error);
  }

  // PublicKeyPin writes the public key of certificate <name> to
  // PublicKey(name) (PEM, as curl's --pinnedpubkey takes a file) and sets
  // *pin to its "sha256//<base64>" form.
  bool PublicKeyPin(const std::string& name, std::string* pin, std::string* error);

  std::string Cert(const std::string& name) const { return dir_ + "/" + name + ".pem"; }
  std::string PublicKey(const std::string& name) const { return dir_ + "/" + name + ".pub.pem"; }
  std::string Key(const std::string& name) const { return dir_ + "/" + name + ".key"; }

 private:
  bool Run(const std::vector<std::string>& args, std::string* error);
  std::string dir_;
  int serial_ = 1000;
};

class TlsNginx {
 public:
  TlsNginx();
  ~TlsNginx();
  TlsNginx(const TlsNginx&) = delete;
  TlsNginx& operator=(const TlsNginx&) = delete;

  // AddServer reserves a port and adds a server block listening on it with
  // TLS; |body| is inserted in the block (certificates, locations, ...).
  // Several blocks may share a port: pass the port of an earlier one.
  uint16_t AddServer(const std::string& body, uint16_t port = 0);
  // Start writes the configuration and starts nginx, waiting until every
  // port accepts connections.
  bool Start(std::string* error);
  void Stop();
  std::string ErrorLog() const;

 private:
  std::string dir_;
  std::vector<std::pair<uint16_t, std::string>> servers_;
  Process process_;
  bool started_ = false;
};

}  // namespace strata::test

#endif  // STRATA_TESTS_INTEGRATION_TLS_E2E_TLS_PEERS_H_
