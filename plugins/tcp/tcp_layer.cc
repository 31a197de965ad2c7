#include "plugins/tcp/tcp_layer.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "plugins/tcp/errno_text.h"

namespace strata::tcp {
namespace {

int SystemFamily(AddressFamily family) {
  switch (family) {
    case AddressFamily::kIpv4:
      return AF_INET;
    case AddressFamily::kIpv6:
      return AF_INET6;
    case AddressFamily::kAny:
      break;
  }
  return AF_UNSPEC;
}

std::optional<SocketAddress> LocalAddressOf(int fd) {
  sockaddr_storage storage{};
  socklen_t len = sizeof(storage);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &len) != 0) return std::nullopt;
  return SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&storage), len);
}

int64_t SteadyUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TcpLayer::TcpLayer(strata_layer_ctx* ctx, const strata_layer_config* config)
    : ByteStreamLayer(ctx) {
  if (config == nullptr || config->host == nullptr || config->host[0] == '\0') {
    throw sdk::Error(STRATA_E_INVALID_ARGUMENT, "tcp: no target host given");
  }
  if (config->port == 0) {
    throw sdk::Error(STRATA_E_INVALID_ARGUMENT,
                     absl::StrCat("tcp: no target port given for host '", config->host, "'"));
  }
  host_ = config->host;
  port_ = config->port;
  absl::StatusOr<TcpOptions> options =
      ParseTcpOptions([this](const char* key) { return FindOption(key); });
  if (!options.ok()) {
    throw sdk::Error(STRATA_E_CONFIG, std::string(options.status().message()));
  }
  options_ = *std::move(options);
}

TcpLayer::~TcpLayer() {
  StopResolver();
  race_.reset();  // unwatches and closes the attempt sockets
  if (fd_ >= 0) {
    host().unwatch_fd(ctx(), fd_);
    close(fd_);
  }
}

std::string TcpLayer::Target() const {
  return HostPortText(host_, port_);
}

strata_status TcpLayer::Connect(int* done) {
  *done = 0;
  switch (phase_) {
    case Phase::kConnected:
      *done = 1;
      return STRATA_OK;
    case Phase::kFailed:
      return Fail(failed_status_, failed_message_);
    case Phase::kIdle: {
      strata_status st = Begin();
      if (st != STRATA_OK) return st;
      break;
    }
    case Phase::kResolving:
    case Phase::kConnecting:
      break;
  }
  if (phase_ == Phase::kResolving) {
    if (!resolver_->Done()) {
      strata_status st = CheckTimeout();
      if (st != STRATA_OK) return st;
      ScheduleWakeUp();
      return STRATA_AGAIN;
    }
    strata_status st = FinishResolving();
    if (st != STRATA_OK) return st;
  }
  return StepRace(done);
}

strata_status TcpLayer::Begin() {
  started_ms_ = NowMs();
  deadline_ms_ = options_.connect_timeout_ms ? started_ms_ + options_.connect_timeout_ms : 0;

  if (std::optional<SocketAddress> literal = SocketAddress::FromIpLiteral(host_, port_)) {
    return StartRace({*literal}, AddressSource::kLiteral);
  }
  if (const AddressOverride* entry = FindAddressOverride(options_.overrides, host_, port_)) {
    return StartRace(entry->addresses, AddressSource::kOverride);
  }
  lookup_started_us_ = SteadyUs();
  absl::StatusOr<std::unique_ptr<AsyncResolver>> resolver =
      AsyncResolver::Start(host_, port_, SystemFamily(options_.family));
  if (!resolver.ok()) {
    return FailSetup(STRATA_E_RESOLVE, absl::StrCat("could not resolve host '", host_,
                                                    "': ", resolver.status().message()));
  }
  resolver_ = *std::move(resolver);
  if (strata_status st = host().watch_fd(ctx(), resolver_->event_fd()); st != STRATA_OK) {
    return FailSetup(STRATA_E_INTERNAL, "the host refused to watch the resolver's eventfd");
  }
  phase_ = Phase::kResolving;
  return STRATA_OK;
}

strata_status TcpLayer::FinishResolving() {
  absl::StatusOr<std::vector<SocketAddress>> result = resolver_->TakeResult();
  StopResolver();
  lookup_us_ = std::max<int64_t>(1, SteadyUs() - lookup_started_us_);
  if (!result.ok()) {
    return FailSetup(STRATA_E_RESOLVE, absl::StrCat("could not resolve host '", host_,
                                                    "': ", result.status().message()));
  }
  return StartRace(*std::move(result), AddressSource::kDns);
}

strata_status TcpLayer::StartRace(std::vector<SocketAddress> addresses, AddressSource source) {
  std::vector<SocketAddress> usable;
  for (const SocketAddress& a : addresses) {
    if (FamilyAllows(options_.family, a.family())) usable.push_back(a);
  }
  if (source == AddressSource::kDns) {
    Log(STRATA_LOG_INFO, absl::StrCat("resolved ", host_, " to ", JoinHosts(addresses)));
  } else if (source == AddressSource::kOverride) {
    Log(STRATA_LOG_INFO, absl::StrCat("resolved ", host_, " to ", JoinHosts(addresses),
                                      " (from the resolve option)"));
  }
  if (usable.empty()) {
    return FailSetup(STRATA_E_RESOLVE,
                     absl::StrCat("could not resolve host '", host_, "': no ",
                                  FamilyName(options_.family), " address among ",
                                  JoinHosts(addresses), " (option family=",
                                  FamilyName(options_.family), ")"));
  }
  ConnectionRace::Hooks hooks;
  hooks.watch = [this](int fd) {
    if (host().watch_fd(ctx(), fd) != STRATA_OK) {
      // Without the watch the attempt still advances at each wake-up.
      Log(STRATA_LOG_WARN, absl::StrCat("the host refused to watch socket ", fd));
    }
  };
  hooks.unwatch = [this](int fd) { host().unwatch_fd(ctx(), fd); };
  hooks.log = [this](const std::string& line) { Log(STRATA_LOG_INFO, line); };
  if (!options_.local.empty()) {
    hooks.bind = [this](int fd, int family) {
      return BindLocal(fd, family, options_.local, [this](const std::string& line) { Log(STRATA_LOG_INFO, line); });
    };
  }
  race_ = std::make_unique<ConnectionRace>(InterleaveFamilies(usable),
                                           options_.happy_eyeballs_delay_ms, std::move(hooks));
  phase_ = Phase::kConnecting;
  return STRATA_OK;
}

strata_status TcpLayer::StepRace(int* done) {
  switch (race_->Step(NowMs())) {
    case ConnectionRace::Outcome::kConnected: {
      peer_ = *race_->winner_address();
      fd_ = race_->TakeWinner();
      race_.reset();
      if (options_.nodelay) {
        int one = 1;
        if (setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
          Log(STRATA_LOG_WARN, absl::StrCat("could not set TCP_NODELAY: ", ErrnoText(errno)));
        }
      }
      WakeAt(0);
      phase_ = Phase::kConnected;
      *done = 1;
      return STRATA_OK;
    }
    case ConnectionRace::Outcome::kAllFailed:
      if (!race_->BindFailure().empty()) {
        // curl's 45: the local end (--interface, --local-port) is at fault.
        return FailSetup(STRATA_E_LOCAL_BIND, race_->BindFailure());
      }
      return FailSetup(STRATA_E_CONNECT, absl::StrCat("could not connect to ", Target(), ": ",
                                                      race_->FailureSummary()));
    case ConnectionRace::Outcome::kInProgress:
      break;
  }
  if (strata_status st = CheckTimeout(); st != STRATA_OK) return st;
  ScheduleWakeUp();
  return STRATA_AGAIN;
}

strata_status TcpLayer::CheckTimeout() {
  if (deadline_ms_ == 0 || NowMs() < deadline_ms_) return STRATA_OK;
  std::string what = phase_ == Phase::kResolving
                         ? absl::StrCat("still resolving ", host_)
                         : absl::StrCat("tried ", race_->TriedList());
  return FailSetup(STRATA_E_TIMEOUT,
                   absl::StrCat("connect to ", Target(), " timed out after ",
                                options_.connect_timeout_ms, " ms (", what,
                                "); raise connect_timeout_ms if the peer is slow"));
}

strata_status TcpLayer::FailSetup(strata_status status, std::string message) {
  StopResolver();
  race_.reset();
  WakeAt(0);
  phase_ = Phase::kFailed;
  failed_status_ = status;
  failed_message_ = std::move(message);
  Log(STRATA_LOG_INFO, failed_message_);
  return Fail(failed_status_, failed_message_);
}

void TcpLayer::StopResolver() {
  if (!resolver_) return;
  // Unwatch first: the eventfd stays open until the worker lets go of it.
  host().unwatch_fd(ctx(), resolver_->event_fd());
  resolver_.reset();
}

void TcpLayer::ScheduleWakeUp() {
  uint64_t next = deadline_ms_;
  if (race_) {
    uint64_t attempt = race_->NextAttemptMs();
    if (attempt != 0 && (next == 0 || attempt < next)) next = attempt;
  }
  WakeAt(next);
}

uint32_t TcpLayer::PollInterest(uint32_t wants) {
  switch (phase_) {
    case Phase::kResolving:
      return STRATA_POLL_READ;
    case Phase::kConnecting:
      return STRATA_POLL_WRITE;
    case Phase::kConnected:
      return wants;
    case Phase::kIdle:
    case Phase::kFailed:
      break;
  }
  return 0;
}

strata_status TcpLayer::Send(const uint8_t* data, size_t len, size_t* out_written) {
  *out_written = 0;
  if (phase_ != Phase::kConnected) {
    return Fail(STRATA_E_STATE, absl::StrCat("send to ", Target(), " before the connection is up"));
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
    if (error == EPIPE) {
      return Fail(STRATA_E_CLOSED,
                  absl::StrCat("connection to ", peer_->ToString(), " closed by peer while sending"));
    }
    if (error == ECONNRESET) {
      return Fail(STRATA_E_CLOSED,
                  absl::StrCat("connection reset by peer ", peer_->ToString(), " while sending"));
    }
    return Fail(STRATA_E_IO, absl::StrCat("send to ", peer_->ToString(), " failed: ",
                                          ErrnoText(error)));
  }
}

strata_status TcpLayer::Recv(uint8_t* buf, size_t cap, size_t* out_read) {
  *out_read = 0;
  if (phase_ != Phase::kConnected) {
    return Fail(STRATA_E_STATE, absl::StrCat("recv from ", Target(), " before the connection is up"));
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
      return Fail(STRATA_E_CLOSED,
                  absl::StrCat("connection reset by peer ", peer_->ToString()));
    }
    return Fail(STRATA_E_IO, absl::StrCat("recv from ", peer_->ToString(), " failed: ",
                                          ErrnoText(errno)));
  }
}

strata_status TcpLayer::Query(uint32_t query, void* out, size_t* inout_len) {
  switch (query) {
    case STRATA_QUERY_DESCRIBE:
      return AnswerText(absl::StrCat("tcp(", peer_ ? peer_->ToString() : Target(), ")"), out,
                        inout_len);
    case STRATA_QUERY_SOCKET_FD:
      if (fd_ < 0) return Fail(STRATA_E_STATE, "no socket before the connection is up");
      return AnswerInt(fd_, out, inout_len);
    case STRATA_QUERY_PEER_ADDRESS:
      if (!peer_) return Fail(STRATA_E_STATE, "no peer address before the connection is up");
      return AnswerText(peer_->ToString(), out, inout_len);
    case STRATA_QUERY_NAMELOOKUP_US: {
      if (*inout_len < sizeof(int64_t)) return STRATA_E_BUFFER_TOO_SMALL;
      std::memcpy(out, &lookup_us_, sizeof(int64_t));
      *inout_len = sizeof(int64_t);
      return STRATA_OK;
    }
    case STRATA_QUERY_LOCAL_ADDRESS: {
      std::optional<SocketAddress> local;
      if (fd_ >= 0) local = LocalAddressOf(fd_);
      if (!local) return Fail(STRATA_E_STATE, "no local address before the connection is up");
      return AnswerText(local->ToString(), out, inout_len);
    }
    default:
      // The bottom layer: nobody below could answer.
      return STRATA_E_UNSUPPORTED;
  }
}

strata_status TcpLayer::Control(uint32_t control, const void* arg, size_t len) {
  // An idle pooled connection needs nothing from TCP.
  if (control == STRATA_CONTROL_IDLE) return STRATA_OK;
  return STRATA_E_UNSUPPORTED;
}

strata_status TcpLayer::Shutdown(int* done) {
  *done = 1;
  // ENOTCONN (peer already gone) is fine: there is nothing left to close.
  if (fd_ >= 0) shutdown(fd_, SHUT_WR);
  return STRATA_OK;
}

}  // namespace strata::tcp
