#include "plugins/udp/udp_layer.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "plugins/tcp/address_overrides.h"
#include "plugins/tcp/errno_text.h"
#include "plugins/tcp/local_binding.h"

namespace strata::udp {
namespace {

using tcp::AddressFamily;
using tcp::SocketAddress;

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

int64_t SteadyUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::optional<SocketAddress> LocalAddressOf(int fd) {
  sockaddr_storage storage{};
  socklen_t len = sizeof(storage);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &len) != 0) return std::nullopt;
  return SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&storage), len);
}

}  // namespace

UdpLayer::UdpLayer(strata_layer_ctx* ctx, const strata_layer_config* config) : ByteStreamLayer(ctx) {
  if (config == nullptr || config->host == nullptr || config->host[0] == '\0') {
    throw sdk::Error(STRATA_E_INVALID_ARGUMENT, "no target host given");
  }
  if (config->port == 0) {
    throw sdk::Error(STRATA_E_INVALID_ARGUMENT,
                     absl::StrCat("no target port given for host '", config->host, "'"));
  }
  host_ = config->host;
  port_ = config->port;
  absl::StatusOr<UdpOptions> options = ParseUdpOptions([this](const char* key) { return FindOption(key); });
  if (!options.ok()) throw sdk::Error(STRATA_E_CONFIG, std::string(options.status().message()));
  options_ = std::move(options->socket);
  gso_option_ = options->gso;
  gro_option_ = options->gro;
}

UdpLayer::~UdpLayer() {
  StopResolver();
  if (fd_ >= 0) {
    host().unwatch_fd(ctx(), fd_);
    close(fd_);
  }
}

std::string UdpLayer::Target() const {
  return tcp::HostPortText(host_, port_);
}

strata_status UdpLayer::Connect(int* done) {
  *done = 0;
  switch (phase_) {
    case Phase::kConnected:
      *done = 1;
      return STRATA_OK;
    case Phase::kFailed:
      return Fail(failed_status_, failed_message_);
    case Phase::kIdle:
      if (strata_status st = Begin(); st != STRATA_OK) return st;
      break;
    case Phase::kResolving:
      break;
  }
  if (phase_ == Phase::kResolving) {
    if (!resolver_->Done()) {
      if (deadline_ms_ != 0 && NowMs() >= deadline_ms_) {
        return FailSetup(STRATA_E_TIMEOUT,
                         absl::StrCat("still resolving ", host_, " after ",
                                      options_.connect_timeout_ms, " ms"));
      }
      WakeAt(deadline_ms_);
      return STRATA_AGAIN;
    }
    if (strata_status st = FinishResolving(); st != STRATA_OK) return st;
  }
  *done = phase_ == Phase::kConnected ? 1 : 0;
  return STRATA_OK;
}

strata_status UdpLayer::Begin() {
  deadline_ms_ = options_.connect_timeout_ms ? NowMs() + options_.connect_timeout_ms : 0;
  if (std::optional<SocketAddress> literal = SocketAddress::FromIpLiteral(host_, port_)) {
    return ConnectTo({*literal});
  }
  if (const tcp::AddressOverride* entry = tcp::FindAddressOverride(options_.overrides, host_, port_)) {
    return ConnectTo(entry->addresses);
  }
  lookup_started_us_ = SteadyUs();
  absl::StatusOr<std::unique_ptr<tcp::AsyncResolver>> resolver =
      tcp::AsyncResolver::Start(host_, port_, SystemFamily(options_.family));
  if (!resolver.ok()) {
    return FailSetup(STRATA_E_RESOLVE, absl::StrCat("could not resolve host '", host_, "': ",
                                                    resolver.status().message()));
  }
  resolver_ = *std::move(resolver);
  if (host().watch_fd(ctx(), resolver_->event_fd()) != STRATA_OK) {
    return FailSetup(STRATA_E_INTERNAL, "the host refused to watch the resolver's eventfd");
  }
  phase_ = Phase::kResolving;
  return STRATA_OK;
}

strata_status UdpLayer::FinishResolving() {
  absl::StatusOr<std::vector<SocketAddress>> result = resolver_->TakeResult();
  StopResolver();
  lookup_us_ = std::max<int64_t>(1, SteadyUs() - lookup_started_us_);
  if (!result.ok()) {
    return FailSetup(STRATA_E_RESOLVE, absl::StrCat("could not resolve host '", host_, "': ",
                                                    result.status().message()));
  }
  Log(STRATA_LOG_INFO, absl::StrCat("resolved ", host_, " to ", tcp::JoinHosts(*result)));
  return ConnectTo(*result);
}

strata_status UdpLayer::ConnectTo(const std::vector<SocketAddress>& addresses) {
  std::string errors;
  for (const SocketAddress& a : addresses) {
    if (!tcp::FamilyAllows(options_.family, a.family())) continue;
    int fd = socket(a.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) {
      absl::StrAppend(&errors, errors.empty() ? "" : "; ", a.ToString(), ": ", tcp::ErrnoText(errno));
      continue;
    }
    if (!options_.local.empty()) {
      // curl's --interface / --local-port, bound as the tcp layer binds them.
      if (std::optional<std::string> failure =
              tcp::BindLocal(fd, a.family(), options_.local, [this](const std::string& line) { Log(STRATA_LOG_INFO, line); })) {
        close(fd);
        return FailSetup(STRATA_E_LOCAL_BIND, *failure);
      }
    }
    if (connect(fd, a.get(), a.size()) != 0) {
      absl::StrAppend(&errors, errors.empty() ? "" : "; ", a.ToString(), ": ", tcp::ErrnoText(errno));
      close(fd);
      continue;
    }
    if (host().watch_fd(ctx(), fd) != STRATA_OK) {
      close(fd);
      return FailSetup(STRATA_E_INTERNAL, "the host refused to watch the UDP socket");
    }
    fd_ = fd;
    peer_ = a;
    phase_ = Phase::kConnected;
    WakeAt(0);
    gso_ = gso_option_ && KernelHasGso(fd);
    gro_ = gro_option_ && EnableGro(fd);
    Log(STRATA_LOG_INFO, absl::StrCat("udp socket connected to ", a.ToString(), " (GSO ", gso_ ? "on" : "off",
                                      ", GRO ", gro_ ? "on" : "off", ")"));
    return STRATA_OK;
  }
  if (errors.empty()) {
    return FailSetup(STRATA_E_RESOLVE, absl::StrCat("could not resolve host '", host_, "': no usable address among ",
                                                    tcp::JoinHosts(addresses)));
  }
  return FailSetup(STRATA_E_CONNECT, absl::StrCat("could not open a UDP socket to ", Target(), ": ", errors));
}

strata_status UdpLayer::FailSetup(strata_status status, std::string message) {
  StopResolver();
  WakeAt(0);
  phase_ = Phase::kFailed;
  failed_status_ = status;
  failed_message_ = std::move(message);
  Log(STRATA_LOG_INFO, failed_message_);
  return Fail(failed_status_, failed_message_);
}

void UdpLayer::StopResolver() {
  if (!resolver_) return;
  host().unwatch_fd(ctx(), resolver_->event_fd());
  resolver_.reset();
}

strata_status UdpLayer::SocketError(int error, const char* doing) {
  if (error == ECONNREFUSED) {
    // The kernel turned an ICMP port unreachable into this: nothing listens.
    return Fail(STRATA_E_CONNECT, absl::StrCat("", peer_->ToString(),
                                               " refused the datagrams (ICMP port unreachable: no UDP server on that port)"));
  }
  if (error == EMSGSIZE) {
    return Fail(STRATA_E_IO, absl::StrCat("datagram too large for the path to ", peer_->ToString()));
  }
  return Fail(STRATA_E_IO, absl::StrCat("", doing, " ", peer_->ToString(), " failed: ", tcp::ErrnoText(error)));
}

uint32_t UdpLayer::PollInterest(uint32_t wants) {
  switch (phase_) {
    case Phase::kResolving:
      return STRATA_POLL_READ;
    case Phase::kConnected:
      return wants;
    case Phase::kIdle:
    case Phase::kFailed:
      break;
  }
  return 0;
}

strata_status UdpLayer::Send(const uint8_t* data, size_t len, size_t* out_written) {
  *out_written = 0;
  // The segment size is for this one call, whatever it returns.
  const size_t segment = next_segment_;
  next_segment_ = 0;
  if (phase_ != Phase::kConnected) {
    return Fail(STRATA_E_STATE, absl::StrCat("send to ", Target(), " before the socket is connected"));
  }
  if (len == 0) return Fail(STRATA_E_INVALID_ARGUMENT, "send of an empty datagram");
  if (segment == 0 || len <= segment) return SendOne(data, len, out_written);
  if (!gso_) return SendEach(data, len, segment, out_written);
  return SendBatch(data, len, segment, out_written);
}

strata_status UdpLayer::SendOne(const uint8_t* data, size_t len, size_t* out_written) {
  for (;;) {
    ssize_t n = send(fd_, data, len, MSG_NOSIGNAL);
    if (n >= 0) {
      ++stats_.send_calls;
      *out_written = static_cast<size_t>(n);
      return STRATA_OK;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return STRATA_AGAIN;
    return SocketError(errno, "send to");
  }
}

strata_status UdpLayer::SendBatch(const uint8_t* data, size_t len, size_t segment, size_t* out_written) {
  const size_t batch = GsoBatchBytes(len, segment);
  for (;;) {
    ssize_t n = SendSegments(fd_, data, batch, segment);
    if (n >= 0) {
      ++stats_.send_calls;
      ++stats_.gso_sends;
      *out_written = static_cast<size_t>(n);
      return STRATA_OK;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return STRATA_AGAIN;
    if (errno == EIO || errno == EINVAL) {
      // The kernel has UDP_SEGMENT but this path cannot use it (EIO: no
      // checksum offload on the device). Asking again would fail again.
      Log(STRATA_LOG_INFO, absl::StrCat("udp: the kernel refused a GSO batch to ", peer_->ToString(), " (",
                                        tcp::ErrnoText(errno), "); one datagram per send from now on"));
      gso_ = false;
      return SendEach(data, len, segment, out_written);
    }
    return SocketError(errno, "send to");
  }
}

strata_status UdpLayer::SendEach(const uint8_t* data, size_t len, size_t segment, size_t* out_written) {
  // Whole datagrams only: a full socket after some of them is a short write
  // the caller sees in *out_written, not a lost tail.
  size_t sent = 0;
  while (sent < len) {
    size_t one = 0;
    strata_status st = SendOne(data + sent, std::min(segment, len - sent), &one);
    if (st == STRATA_AGAIN && sent > 0) break;
    if (st != STRATA_OK) return st;
    sent += one;
  }
  *out_written = sent;
  return STRATA_OK;
}

strata_status UdpLayer::Recv(uint8_t* buf, size_t cap, size_t* out_read) {
  *out_read = 0;
  if (phase_ != Phase::kConnected) {
    return Fail(STRATA_E_STATE, absl::StrCat("recv from ", Target(), " before the socket is connected"));
  }
  if (cap == 0) return Fail(STRATA_E_INVALID_ARGUMENT, "recv into a zero-byte buffer");
  return gro_ ? RecvCoalesced(buf, cap, out_read) : RecvOne(buf, cap, out_read);
}

strata_status UdpLayer::RecvOne(uint8_t* buf, size_t cap, size_t* out_read) {
  for (;;) {
    ssize_t n = recv(fd_, buf, cap, 0);
    if (n > 0) {
      ++stats_.recv_calls;
      *out_read = static_cast<size_t>(n);
      return STRATA_OK;
    }
    // An empty datagram is not an end of stream (UDP has none): skip it.
    if (n == 0) continue;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return STRATA_AGAIN;
    return SocketError(errno, "recv from");
  }
}

strata_status UdpLayer::RecvCoalesced(uint8_t* buf, size_t cap, size_t* out_read) {
  while (received_.Empty()) {
    ssize_t n = received_.Read(fd_);
    if (n > 0) {
      ++stats_.recv_calls;
      if (received_.datagrams() > 1) ++stats_.gro_batches;
      break;
    }
    if (n == 0) continue;  // an empty datagram: skipped, as in RecvOne
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return STRATA_AGAIN;
    return SocketError(errno, "recv from");
  }
  *out_read = received_.Next(buf, cap);
  // Datagrams left here do not make the socket readable: have the host
  // drive the connection again even if nothing else happens.
  // Asked each time: the host forgets a deadline once it has fired.
  if (!received_.Empty()) {
    WakeAt(NowMs());
    wake_armed_ = true;
  } else if (wake_armed_) {
    WakeAt(0);
    wake_armed_ = false;
  }
  return STRATA_OK;
}

strata_status UdpLayer::Query(uint32_t query, void* out, size_t* inout_len) {
  switch (query) {
    case STRATA_QUERY_DESCRIBE:
      return AnswerText(absl::StrCat("udp(", peer_ ? peer_->ToString() : Target(), ")"), out, inout_len);
    case STRATA_QUERY_SOCKET_FD:
      if (fd_ < 0) return Fail(STRATA_E_STATE, "no socket before the connection is up");
      return AnswerInt(fd_, out, inout_len);
    case STRATA_QUERY_PEER_ADDRESS:
      if (!peer_) return Fail(STRATA_E_STATE, "no peer address before the connection is up");
      return AnswerText(peer_->ToString(), out, inout_len);
    case STRATA_QUERY_LOCAL_ADDRESS: {
      std::optional<SocketAddress> local;
      if (fd_ >= 0) local = LocalAddressOf(fd_);
      if (!local) return Fail(STRATA_E_STATE, "no local address before the connection is up");
      return AnswerText(local->ToString(), out, inout_len);
    }
    case STRATA_QUERY_NAMELOOKUP_US:
      if (*inout_len < sizeof(int64_t)) return STRATA_E_BUFFER_TOO_SMALL;
      std::memcpy(out, &lookup_us_, sizeof(int64_t));
      *inout_len = sizeof(int64_t);
      return STRATA_OK;
    default:
      return STRATA_E_UNSUPPORTED;
  }
}

strata_status UdpLayer::Control(uint32_t control, const void* arg, size_t len) {
  if (control == STRATA_CONTROL_IDLE) return STRATA_OK;
  if (control == STRATA_CONTROL_SEND_SEGMENTS) return AcceptSegments(arg, len);
  return STRATA_E_UNSUPPORTED;
}

strata_status UdpLayer::AcceptSegments(const void* arg, size_t len) {
  const auto* segments = static_cast<const strata_send_segments*>(arg);
  if (segments == nullptr || len < sizeof(size_t) || segments->struct_size > len ||
      !STRATA_HAS_FIELD(segments, strata_send_segments, segment_size)) {
    return Fail(STRATA_E_INVALID_ARGUMENT, "STRATA_CONTROL_SEND_SEGMENTS without a strata_send_segments argument");
  }
  if (segments->segment_size == 0 || segments->segment_size > kMaxGsoBytes) {
    return Fail(STRATA_E_INVALID_ARGUMENT, absl::StrCat("segment size ", segments->segment_size,
                                                        " is not a datagram size (1 to ", kMaxGsoBytes, " bytes)"));
  }
  // Refused: the caller sends one datagram per send(), as before ABI 1.3.
  if (phase_ != Phase::kConnected || !gso_) return STRATA_E_UNSUPPORTED;
  next_segment_ = segments->segment_size;
  return STRATA_OK;
}

strata_status UdpLayer::Shutdown(int* done) {
  // UDP has no close handshake; QUIC's CONNECTION_CLOSE is the layer above's.
  *done = 1;
  return STRATA_OK;
}

}  // namespace strata::udp
