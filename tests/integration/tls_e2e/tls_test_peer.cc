#include "tests/integration/tls_e2e/tls_test_peer.h"

#include <csignal>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace strata::test {

// ---------------------------------------------------------------------------
// TlsTestPeer

namespace {

int SelectAlpn(SSL*, const uint8_t** out, uint8_t* out_len, const uint8_t*, unsigned, void* arg) {
  const std::string* choice = static_cast<const std::string*>(arg);
  *out = reinterpret_cast<const uint8_t*>(choice->data());
  *out_len = static_cast<uint8_t>(choice->size());
  return SSL_TLSEXT_ERR_OK;
}

int ConnectLoopback(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void SetTimeouts(int fd) {
  // Every blocking call in the peer is bounded: a stuck client ends the
  // connection, never the test.
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

}  // namespace

TlsTestPeer::TlsTestPeer(Options options) : options_(std::move(options)) {
  // SSL_write and SSL_shutdown write() to the socket: once the client has
  // gone (a relay's close_notify after the client closed), that is a
  // SIGPIPE, which would kill the whole test process, client included.
  signal(SIGPIPE, SIG_IGN);
  SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  ctx_ = ctx;
  if (!SSL_CTX_use_certificate_chain_file(ctx, options_.cert.c_str()) ||
      !SSL_CTX_use_PrivateKey_file(ctx, options_.key.c_str(), SSL_FILETYPE_PEM)) {
    error_ = "cannot load " + options_.cert;
    return;
  }
  if (!options_.alpn_choice.empty()) {
    SSL_CTX_set_alpn_select_cb(ctx, &SelectAlpn, &options_.alpn_choice);
  }
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || listen(listen_fd_, 16) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    error_ = "cannot listen on 127.0.0.1";
    return;
  }
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

TlsTestPeer::~TlsTestPeer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
  SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

std::vector<std::string> TlsTestPeer::ServerNames() const {
  std::lock_guard<std::mutex> lock(mu_);
  return server_names_;
}

int TlsTestPeer::Resumed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return resumed_;
}

void TlsTestPeer::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    SetTimeouts(fd);
    Handle(fd);
    close(fd);
  }
}

void TlsTestPeer::Handle(int fd) {
  bssl::UniquePtr<SSL> ssl(SSL_new(static_cast<SSL_CTX*>(ctx_)));
  SSL_set_fd(ssl.get(), fd);
  if (SSL_accept(ssl.get()) != 1) {
    ERR_clear_error();
    return;
  }
  {
    const char* sni = SSL_get_servername(ssl.get(), TLSEXT_NAMETYPE_host_name);
    std::lock_guard<std::mutex> lock(mu_);
    server_names_.push_back(sni ? sni : "");
    if (SSL_session_reused(ssl.get())) ++resumed_;
  }
  char buf[16384];
  if (options_.mode == Mode::kRespond) {
    std::string request;
    while (request.find("\r\n\r\n") == std::string::npos) {
      int n = SSL_read(ssl.get(), buf, sizeof(buf));
      if (n <= 0) return;
      request.append(buf, n);
    }
    SSL_write(ssl.get(), options_.response.data(), static_cast<int>(options_.response.size()));
    if (options_.close_notify) SSL_shutdown(ssl.get());
    return;  // the caller closes the socket: without close_notify, a bare FIN
  }
  int up = ConnectLoopback(options_.relay_port);
  if (up < 0) return;
  SetTimeouts(up);
  bool open = true;
  while (open && !stop_) {
    pollfd p[2] = {{fd, POLLIN, 0}, {up, POLLIN, 0}};
    // Decrypted bytes may wait inside the SSL without the socket being readable.
    if (SSL_pending(ssl.get()) == 0 && poll(p, 2, 50) <= 0) continue;
    if (SSL_pending(ssl.get()) > 0 || (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      int n = SSL_read(ssl.get(), buf, sizeof(buf));
      if (n <= 0 || send(up, buf, n, MSG_NOSIGNAL) != n) open = false;
    }
    if (open && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = recv(up, buf, sizeof(buf), 0);
      if (n <= 0 || SSL_write(ssl.get(), buf, static_cast<int>(n)) != n) open = false;
    }
  }
  SSL_shutdown(ssl.get());
  close(up);
  ERR_clear_error();
}

}  // namespace strata::test
