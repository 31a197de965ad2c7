// tls_test_peer.h — a BoringSSL server in a thread, for what nginx cannot
// do: relay the decrypted bytes to another port (TLS inside TLS), pick an
// ALPN protocol nobody offered, or close without close_notify. It serves
// connections one at a time; every socket wait is bounded.
#ifndef STRATA_TESTS_INTEGRATION_TLS_E2E_TLS_TEST_PEER_H_
#define STRATA_TESTS_INTEGRATION_TLS_E2E_TLS_TEST_PEER_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace strata::test {

class TlsTestPeer {
 public:
  enum class Mode {
    kRelay,     // forward the decrypted bytes to 127.0.0.1:relay_port
    kRespond,   // read a request head, send |response|, then close
  };
  struct Options {
    std::string cert;
    std::string key;
    Mode mode = Mode::kRespond;
    uint16_t relay_port = 0;
    std::string response;
    bool close_notify = true;   // kRespond: SSL_shutdown before closing
    std::string alpn_choice;    // non-empty: select this whatever was offered
  };

  explicit TlsTestPeer(Options options);
  ~TlsTestPeer();
  TlsTestPeer(const TlsTestPeer&) = delete;
  TlsTestPeer& operator=(const TlsTestPeer&) = delete;

  // Ok is false (with error()) if the listener or context could not be set up.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  // ServerNames lists the SNI of every completed handshake ("" for none).
  std::vector<std::string> ServerNames() const;
  // Resumed counts handshakes that resumed a session.
  int Resumed() const;

 private:
  void Serve();
  void Handle(int fd);

  Options options_;
  std::string error_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  void* ctx_ = nullptr;  // SSL_CTX*, kept out of this header
  mutable std::mutex mu_;
  std::vector<std::string> server_names_;
  int resumed_ = 0;
  std::thread thread_;
};

}  // namespace strata::test

#endif  // STRATA_TESTS_INTEGRATION_TLS_E2E_TLS_TEST_PEER_H_
