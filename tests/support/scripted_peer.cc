#include "tests/support/scripted_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace strata::test {

PeerStep ReadRequest() { return {PeerStep::Kind::kReadRequest, "", 0}; }
PeerStep Send(std::string bytes) { return {PeerStep::Kind::kSend, std::move(bytes), 0}; }
PeerStep Sleep(int ms) { return {PeerStep::Kind::kSleep, "", ms}; }
PeerStep Close() { return {PeerStep::Kind::kClose, "", 0}; }
PeerStep HalfClose() { return {PeerStep::Kind::kHalfClose, "", 0}; }
PeerStep Reset() { return {PeerStep::Kind::kReset, "", 0}; }
PeerStep NeverAnswer() { return {PeerStep::Kind::kNeverAnswer, "", 0}; }
PeerStep ReadUntilClose() { return {PeerStep::Kind::kReadUntilClose, "", 0}; }

struct ScriptedPeer::Conn {
  int fd = -1;
  std::thread thread;
  PeerConnection record;  // guarded by ScriptedPeer::mu_
  std::string pending;    // received but not yet consumed by a step
  bool done = false;      // guarded by mu_
};

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string HeaderValue(const std::string& raw_request, const std::string& name) {
  size_t head_end = raw_request.find("\r\n\r\n");
  std::string head = raw_request.substr(0, head_end);
  std::string want = Lower(name);
  size_t pos = head.find("\r\n");  // skip the request line
  while (pos != std::string::npos && pos < head.size()) {
    size_t start = pos + 2;
    size_t end = head.find("\r\n", start);
    std::string line = head.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t colon = line.find(':');
    if (colon != std::string::npos && Lower(line.substr(0, colon)) == want) {
      return Trim(line.substr(colon + 1));
    }
    pos = end;
  }
  return "";
}

ScriptedPeer::ScriptedPeer(std::vector<PeerScript> scripts, bool extra_connections_close)
    : scripts_(std::move(scripts)), extra_connections_close_(extra_connections_close) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  sockaddr_in addr;
  std::memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (listen_fd_ < 0 || stop_fd_ < 0 ||
      bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 16) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("ScriptedPeer: cannot listen on 127.0.0.1");
    std::abort();
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

ScriptedPeer::~ScriptedPeer() {
  uint64_t one = 1;
  // Wakes every poll() in the acceptor and connection threads.
  if (write(stop_fd_, &one, sizeof(one)) < 0) std::perror("ScriptedPeer: eventfd");
  acceptor_.join();
  // No new connections can appear now; join them without the lock (the
  // threads take it to record).
  std::vector<Conn*> conns;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& c : conns_) conns.push_back(c.get());
  }
  for (Conn* c : conns) {
    if (c->thread.joinable()) c->thread.join();
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
  }
  close(listen_fd_);
  close(stop_fd_);
}

std::string ScriptedPeer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

bool ScriptedPeer::WaitFd(int fd, short events, std::chrono::milliseconds timeout) const {
  pollfd fds[2] = {{fd, events, 0}, {stop_fd_, POLLIN, 0}};
  int r;
  do {
    r = poll(fds, 2, static_cast<int>(timeout.count()));
  } while (r < 0 && errno == EINTR);
  if (r <= 0) return false;
  if (fds[1].revents) return false;  // stopping
  return fds[0].revents != 0;
}

void ScriptedPeer::AcceptLoop() {
  for (;;) {
    // WaitFd fails only when stopping (or poll itself fails): accept no more.
    if (!WaitFd(listen_fd_, POLLIN, std::chrono::milliseconds(-1))) return;
    sockaddr_in client{};
    socklen_t client_len = sizeof(client);
    int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&client), &client_len, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    size_t index = conns_.size();
    conns_.push_back(std::make_unique<Conn>());
    Conn* conn = conns_.back().get();
    conn->fd = fd;
    conn->record.client_port = ntohs(client.sin_port);
    PeerScript script;
    if (index < scripts_.size()) {
      script = scripts_[index];
    } else if (!extra_connections_close_ && !scripts_.empty()) {
      script = scripts_.back();
    } else {
      script = {Close()};
    }
    conn->thread = std::thread([this, conn, script] { RunScript(conn, script); });
    cv_.notify_all();
  }
}

long ScriptedPeer::RecvSome(Conn* conn, std::string* into, std::chrono::milliseconds timeout) {
  if (!WaitFd(conn->fd, POLLIN, timeout)) return -1;
  char buf[16384];
  ssize_t n;
  do {
    n = recv(conn->fd, buf, sizeof(buf), 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    std::lock_guard<std::mutex> lock(mu_);
    conn->record.client_closed = true;
    return n == 0 ? 0 : -1;
  }
  into->append(buf, static_cast<size_t>(n));
  std::lock_guard<std::mutex> lock(mu_);
  conn->record.received.append(buf, static_cast<size_t>(n));
  return n;
}

namespace {

// RequestLength returns the length of the complete request at the start of
// |data| (head plus Content-Length or chunked body), or 0 if more bytes are
// needed. A request with a malformed chunked body counts as complete at the
// point of error, so a broken client cannot stall the script.
size_t RequestLength(const std::string& data) {
  size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string::npos) return 0;
  size_t body_start = head_end + 4;
  std::string head = data.substr(0, body_start);
  std::string te = Lower(HeaderValue(head, "Transfer-Encoding"));
  if (te.find("chunked") != std::string::npos) {
    size_t pos = body_start;
    for (;;) {
      size_t line_end = data.find("\r\n", pos);
      if (line_end == std::string::npos) return 0;
      char* end = nullptr;
      std::string size_text = data.substr(pos, line_end - pos);
      unsigned long long size = std::strtoull(size_text.c_str(), &end, 16);
      if (end == size_text.c_str()) return line_end + 2;
      pos = line_end + 2;
      if (size == 0) {
        // Trailer section ends with an empty line.
        for (;;) {
          size_t t_end = data.find("\r\n", pos);
          if (t_end == std::string::npos) return 0;
          bool empty = t_end == pos;
          pos = t_end + 2;
          if (empty) return pos;
        }
      }
      if (data.size() < pos + size + 2) return 0;
      pos += size + 2;
    }
  }
  std::string cl = HeaderValue(head, "Content-Length");
  size_t body_len = cl.empty() ? 0 : std::strtoull(cl.c_str(), nullptr, 10);
  if (data.size() < body_start + body_len) return 0;
  return body_start + body_len;
}

}  // namespace

void ScriptedPeer::RunScript(Conn* conn, const PeerScript& script) {
  auto note = [&](const std::string& why) {
    std::lock_guard<std::mutex> lock(mu_);
    conn->record.note = why;
  };
  bool ok = true;
  for (const PeerStep& step : script) {
    if (!ok) break;
    switch (step.kind) {
      case PeerStep::Kind::kReadRequest: {
        auto deadline = std::chrono::steady_clock::now() + read_timeout_;
        size_t len;
        while ((len = RequestLength(conn->pending)) == 0) {
          auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
              deadline - std::chrono::steady_clock::now());
          if (left.count() <= 0) {
            note("timed out reading a request");
            ok = false;
            break;
          }
          if (RecvSome(conn, &conn->pending, left) <= 0) {
            note("client closed or stop while reading a request");
            ok = false;
            break;
          }
        }
        if (!ok) break;
        std::lock_guard<std::mutex> lock(mu_);
        conn->record.requests.push_back(conn->pending.substr(0, len));
        conn->pending.erase(0, len);
        break;
      }
      case PeerStep::Kind::kSend: {
        size_t off = 0;
        while (off < step.bytes.size()) {
          if (!WaitFd(conn->fd, POLLOUT, std::chrono::milliseconds(10000))) {
            note("could not send");
            ok = false;
            break;
          }
          ssize_t n = send(conn->fd, step.bytes.data() + off, step.bytes.size() - off,
                           MSG_NOSIGNAL);
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) {
            note("send failed: client gone");
            ok = false;
            break;
          }
          off += static_cast<size_t>(n);
        }
        break;
      }
      case PeerStep::Kind::kSleep: {
        // Sleeping on the stop descriptor keeps destruction prompt.
        pollfd pfd = {stop_fd_, POLLIN, 0};
        if (poll(&pfd, 1, step.ms) > 0) ok = false;
        break;
      }
      case PeerStep::Kind::kClose:
        ok = false;  // the script ends; the fd is closed below
        break;
      case PeerStep::Kind::kHalfClose:
        shutdown(conn->fd, SHUT_WR);
        break;
      case PeerStep::Kind::kReset: {
        linger lg = {1, 0};
        setsockopt(conn->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        ok = false;
        break;
      }
      case PeerStep::Kind::kNeverAnswer:
      case PeerStep::Kind::kReadUntilClose: {
        // Keep reading so the client's bytes are recorded and its close is
        // seen; only the client or the destructor ends this step.
        std::string sink;
        for (;;) {
          long n = RecvSome(conn, &sink, std::chrono::milliseconds(-1));
          if (n <= 0) break;
        }
        conn->pending += sink;
        ok = false;
        break;
      }
    }
  }
  int fd;
  {
    std::lock_guard<std::mutex> lock(mu_);
    conn->record.script_finished = true;
    conn->done = true;
    fd = conn->fd;
    conn->fd = -1;
    cv_.notify_all();
  }
  if (fd >= 0) close(fd);
}

int ScriptedPeer::ConnectionCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(conns_.size());
}

bool ScriptedPeer::WaitForConnections(int n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return static_cast<int>(conns_.size()) >= n; });
}

bool ScriptedPeer::WaitForScripts(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    for (const auto& c : conns_) {
      if (!c->done) return false;
    }
    return true;
  });
}

PeerConnection ScriptedPeer::Connection(int index) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (index < 0 || index >= static_cast<int>(conns_.size())) return {};
  return conns_[static_cast<size_t>(index)]->record;
}

std::vector<std::string> ScriptedPeer::AllRequests() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> all;
  for (const auto& c : conns_) {
    all.insert(all.end(), c->record.requests.begin(), c->record.requests.end());
  }
  return all;
}

}  // namespace strata::test
