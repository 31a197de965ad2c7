#include "plugins/unix/unix_layer.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace strata::unix_socket {
namespace {

// While the server's accept queue is full connect() says EAGAIN at once;
// it is tried again this often until the connect timeout.
constexpr uint64_t kBacklogRetryMs = 10;

std::string ErrnoText(int error) {
  std::string text = std::strerror(error);
  if (text.size() > 1 && absl::ascii_isupper(static_cast<unsigned char>(text[0])) &&
      !absl::ascii_isupper(static_cast<unsigned char>(text[1]))) {
    text[0] = absl::ascii_tolower(static_cast<unsigned char>(text[0]));
  }
  return text;
}

}  // namespace

UnixLayer::UnixLayer(strata_layer_ctx* ctx, const strata_layer_config* config) : ByteStreamLayer(ctx) {
  (void)config;  // host and port name the origin, for the layers above
  absl::StatusOr<UnixOptions> options = ParseUnixOptions([this](const char* key) { return FindOption(key); });
  if (!options.ok()) throw sdk::Error(STRATA_E_CONFIG, std::string(options.status().message()));
  options_ = *std::move(options);
}

UnixLayer::~UnixLayer() { CloseSocket(); }

void UnixLayer::CloseSocket() {
  if (fd_ < 0) return;
  if (watched_) host().unwatch_fd(ctx(), fd_);
  watched_ = false;
  close(fd_);
  fd_ = -1;
}

strata_status UnixLayer::Connect(int* done) {
  *done = 0;
  switch (phase_) {
    case Phase::kConnected:
      *done = 1;
      return STRATA_OK;
    case Phase::kFailed:
      return Fail(failed_status_, failed_message_);
    case Phase::kIdle:
      deadline_ms_ = options_.connect_timeout_ms ? NowMs() + options_.connect_timeout_ms : 0;
      return StartConnect(done);
    case Phase::kBacklogFull:
      if (strata_status st = CheckTimeout(); st != STRATA_OK) return st;
      return StartConnect(done);
    case Phase::kConnecting:
      return FinishConnect(done);
  }
  return STRATA_E_STATE;
}

strata_status UnixLayer::StartConnect(int* done) {
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    return FailSetup(STRATA_E_CONNECT, absl::StrCat("could not open a unix socket: ", ErrnoText(errno)));
  }
  sockaddr_un address;
  socklen_t len = SocketAddressFor(options_, &address);
  Log(STRATA_LOG_INFO, absl::StrCat("trying unix socket ", options_.Display()));
  int rc;
  do {
    rc = connect(fd_, reinterpret_cast<sockaddr*>(&address), len);
  } while (rc < 0 && errno == EINTR);
  if (rc == 0) return Connected(done);
  const int error = errno;
  if (error == EAGAIN) {
    // The accept queue is full: nothing is pending on this socket, so it
    // is closed and the connect tried again shortly.
    CloseSocket();
    phase_ = Phase::kBacklogFull;
    if (strata_status st = CheckTimeout(); st != STRATA_OK) return st;
    uint64_t next = NowMs() + kBacklogRetryMs;
    WakeAt(deadline_ms_ != 0 && deadline_ms_ < next ? deadline_ms_ : next);
    return STRATA_AGAIN;
  }
  if (error != EINPROGRESS) {
    return FailSetup(STRATA_E_CONNECT,
                     absl::StrCat("could not connect to unix socket ", options_.Display(), ": ", ErrnoText(error)));
  }
  if (host().watch_fd(ctx(), fd_) != STRATA_OK) {
    return FailSetup(STRATA_E_INTERNAL, "the host refused to watch the unix socket");
  }
  watched_ = true;
  phase_ = Phase::kConnecting;
  if (deadline_ms_ != 0) WakeAt(deadline_ms_);
  return STRATA_AGAIN;
}

strata_status UnixLayer::FinishConnect(int* done) {
  int error = 0;
  socklen_t len = sizeof(error);
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
  if (error != 0) {
    return FailSetup(STRATA_E_CONNECT,
                     absl::StrCat("could not connect to unix socket ", options_.Display(), ": ", ErrnoText(error)));
  }
  // Without a pending error the socket is connected once it is writable;
  // a zero-timeout poll by the caller's loop brought us here, but a
  // spurious wake-up must not count as success.
  pollfd p{fd_, POLLOUT, 0};
  if (poll(&p, 1, 0) == 1 && (p.revents & POLLOUT)) return Connected(done);
  if (strata_status st = CheckTimeout(); st != STRATA_OK) return st;
  return STRATA_AGAIN;
}

strata_status UnixLayer::Connected(int* done) {
  if (!watched_) {
    if (host().watch_fd(ctx(), fd_) != STRATA_OK) {
      return FailSetup(STRATA_E_INTERNAL, "the host refused to watch the unix socket");
    }
    watched_ = true;
  }
  Log(STRATA_LOG_INFO, absl::StrCat("connected to unix socket ", options_.Display()));
  WakeAt(0);
  phase_ = Phase::kConnected;
  *done = 1;
  return STRATA_OK;
}

strata_status UnixLayer::CheckTimeout() {
  if (deadline_ms_ == 0 || NowMs() < deadline_ms_) return STRATA_OK;
  return FailSetup(STRATA_E_TIMEOUT, absl::StrCat("connect to unix socket ", options_.Display(), " timed out after ",
                                                  options_.connect_timeout_ms, " ms"));
}

strata_status UnixLayer::FailSetup(strata_status status, std::string message) {
  CloseSocket();
  WakeAt(0);
  phase_ = Phase::kFailed;
  failed_status_ = status;
  failed_message_ = std::move(message);
  Log(STRATA_LOG_INFO, failed_message_);
  return Fail(failed_status_, failed_message_);
}

uint32_t UnixLayer::PollInterest(uint32_t wants) {
  switch (phase_) {
    case Phase::kConnecting:
      return STRATA_POLL_WRITE;
    case Phase::kConnected:
      return wants;
    default:
      return 0;
  }
}

strata_status UnixLayer::Send(const uint8_t* data, size_t len, size_t* out_written) {
  *out_written = 0;
  if (phase_ != Phase::kConnected) {
    return Fail(STRATA_E_STATE, absl::StrCat("send to unix socket ", options_.Display(), " before it is connected"));
  }
  if (len == 0) return Fail(STRATA_E_INVALID_ARGUMENT, "send of zero bytes");
  for (;;) {
    ssize_t n = send(fd_, data, len, MSG_NOSIGNAL);
    if (n > 0) {
      *out_written = static_cast<size_t>(n);
      return STRATA_OK;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return STRATA_AGAIN;
    int error = n < 0 ? errno : EPIPE;
    if (error == EPIPE || error == ECONNRESET) {
      return Fail(STRATA_E_CLOSED,
                  absl::StrCat("unix socket ", options_.Display(), " closed by the server while sending"));
    }
    return Fail(STRATA_E_IO, absl::StrCat("send to unix socket ", options_.Display(), " failed: ", ErrnoText(error)));
  }
}

strata_status UnixLayer::Recv(uint8_t* buf, size_t cap, size_t* out_read) {
  *out_read = 0;
  if (phase_ != Phase::kConnected) {
    return Fail(STRATA_E_STATE, absl::StrCat("recv from unix socket ", options_.Display(), " before it is connected"));
  }
  // A zero-byte read would look like end of stream.
  if (cap == 0) return Fail(STRATA_E_INVALID_ARGUMENT, "recv into a zero-byte buffer");
  for (;;) {
    ssize_t n = recv(fd_, buf, cap, 0);
    if (n >= 0) {
      *out_read = static_cast<size_t>(n);
      return STRATA_OK;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return STRATA_AGAIN;
    if (errno == ECONNRESET) {
      return Fail(STRATA_E_CLOSED, absl::StrCat("unix socket ", options_.Display(), " reset by the server"));
    }
    return Fail(STRATA_E_IO, absl::StrCat("recv from unix socket ", options_.Display(), " failed: ", ErrnoText(errno)));
  }
}

strata_status UnixLayer::Query(uint32_t query, void* out, size_t* inout_len) {
  switch (query) {
    case STRATA_QUERY_DESCRIBE:
      return AnswerText(absl::StrCat("unix(", options_.Display(), ")"), out, inout_len);
    case STRATA_QUERY_SOCKET_FD:
      if (fd_ < 0 || phase_ != Phase::kConnected) return Fail(STRATA_E_STATE, "no socket before the connection is up");
      return AnswerInt(fd_, out, inout_len);
    case STRATA_QUERY_PEER_ADDRESS:
      return AnswerText(options_.Display(), out, inout_len);
    default:
      // The bottom layer: nobody below could answer. A unix socket has no
      // local address worth naming (STRATA_QUERY_LOCAL_ADDRESS).
      return STRATA_E_UNSUPPORTED;
  }
}

strata_status UnixLayer::Control(uint32_t control, const void* arg, size_t len) {
  (void)arg;
  (void)len;
  if (control == STRATA_CONTROL_IDLE) return STRATA_OK;
  return STRATA_E_UNSUPPORTED;
}

strata_status UnixLayer::Shutdown(int* done) {
  *done = 1;
  if (fd_ >= 0) shutdown(fd_, SHUT_WR);
  return STRATA_OK;
}

}  // namespace strata::unix_socket
