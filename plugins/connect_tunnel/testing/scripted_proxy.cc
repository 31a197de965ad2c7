#include "plugins/connect_tunnel/testing/scripted_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace strata::connect_tunnel::testing {
namespace {

constexpr int kSilenceMs = 10000;

void Die(const char* what) {
  std::perror(what);
  std::abort();
}

}  // namespace

ScriptedProxy::ScriptedProxy(std::vector<ProxyScript> scripts) : scripts_(std::move(scripts)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) Die("ScriptedProxy: socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Die("ScriptedProxy: bind");
  }
  if (listen(listen_fd_, 16) != 0) Die("ScriptedProxy: listen");
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) Die("ScriptedProxy: eventfd");
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

ScriptedProxy::~ScriptedProxy() {
  uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof(one)) < 0) std::perror("ScriptedProxy: stop");
  acceptor_.join();
  for (auto& conn : conns_) {
    if (conn->thread.joinable()) conn->thread.join();
  }
  close(listen_fd_);
  close(stop_fd_);
}

void ScriptedProxy::AcceptLoop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    size_t index = conns_.size();
    auto conn = std::make_unique<Conn>();
    conn->fd = fd;
    Conn* raw = conn.get();
    conns_.push_back(std::move(conn));
    // Connections beyond the scripts are closed at once: no test expects them.
    ProxyScript script = index < scripts_.size() ? scripts_[index] : ProxyScript{Close()};
    raw->thread = std::thread([this, raw, script] { Run(raw, script); });
  }
}

bool ScriptedProxy::ReadMore(Conn* conn) {
  pollfd fds[2] = {{conn->fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  if (poll(fds, 2, kSilenceMs) <= 0 || fds[1].revents) return false;
  char buf[4096];
  ssize_t n = recv(conn->fd, buf, sizeof(buf), 0);
  if (n <= 0) return false;
  std::lock_guard<std::mutex> lock(mu_);
  conn->received.append(buf, static_cast<size_t>(n));
  return true;
}

void ScriptedProxy::Run(Conn* conn, const ProxyScript& script) {
  bool open = true;
  for (const ProxyStep& step : script) {
    if (step.kind == ProxyStep::Kind::kReadHead) {
      while (true) {
        size_t end;
        {
          std::lock_guard<std::mutex> lock(mu_);
          end = conn->received.find("\r\n\r\n", conn->consumed);
          if (end != std::string::npos) conn->consumed = end + 4;
        }
        if (end != std::string::npos) break;
        if (!ReadMore(conn)) {
          open = false;
          break;
        }
      }
    } else if (step.kind == ProxyStep::Kind::kSend) {
      size_t off = 0;
      while (off < step.bytes.size()) {
        ssize_t n = send(conn->fd, step.bytes.data() + off, step.bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0) {
          open = false;
          break;
        }
        off += static_cast<size_t>(n);
      }
    } else {
      open = false;
    }
    if (!open) break;
  }
  // Record whatever else the client sends until it closes.
  while (open && ReadMore(conn)) {
  }
  close(conn->fd);
  std::lock_guard<std::mutex> lock(mu_);
  conn->ended = true;
  cv_.notify_all();
}

std::string ScriptedProxy::Received(int index) const {
  std::lock_guard<std::mutex> lock(mu_);
  return index < static_cast<int>(conns_.size()) ? conns_[index]->received : "";
}

int ScriptedProxy::ConnectionCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(conns_.size());
}

bool ScriptedProxy::WaitForClose(int index, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    return index < static_cast<int>(conns_.size()) && conns_[index]->ended;
  });
}

}  // namespace strata::connect_tunnel::testing
