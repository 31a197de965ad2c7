#include "plugins/socks/socks_layer.h"

#include <string.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace strata::socks {
namespace {

// One read from below while a reply is awaited. The longest SOCKS reply is
// 262 bytes (a 255-byte domain BND); what follows the final reply in the
// same read becomes the tunnel's first bytes.
constexpr size_t kReadChunk = 4096;

void Wipe(std::string* s) {
  // The auth request holds the password: clear it before letting it go
  // (explicit_bzero, which the compiler may not drop as a dead store).
  if (!s->empty()) explicit_bzero(s->data(), s->size());
  std::string().swap(*s);
}

}  // namespace

SocksLayer::SocksLayer(strata_layer_ctx* ctx, const strata_layer_config* config)
    : ByteStreamLayer(ctx), read_buf_(kReadChunk) {
  absl::StatusOr<SocksOptions> options =
      ParseSocksOptions([this](const char* key) { return FindOption(key); });
  if (!options.ok()) {
    throw sdk::Error(STRATA_E_CONFIG, absl::StrCat("socks: ", options.status().message()));
  }
  options_ = *std::move(options);
  const char* host = config && config->host ? config->host : "";
  absl::StatusOr<SocksAddress> destination = DestinationFor(host);
  if (!destination.ok() || config->port == 0) {
    throw sdk::Error(STRATA_E_CONFIG,
                     absl::StrCat("socks: invalid origin \"", Printable(host), ":",
                                  config ? config->port : 0, "\"",
                                  destination.ok() ? "" : ": ",
                                  destination.ok() ? "" : destination.status().message()));
  }
  host_ = host;
  port_ = config->port;
  origin_ = Authority(host_, port_);
  destination_ = *std::move(destination);
  if (options_.version == SocksVersion::k4a && destination_.type == kAtypIpv6) {
    throw sdk::Error(STRATA_E_CONFIG,
                     absl::StrCat("socks: SOCKS4a cannot carry the IPv6 address of ", origin_,
                                  "; use version 5"));
  }
  if (options_.version == SocksVersion::k4a && options_.credentials &&
      !options_.credentials->password.empty()) {
    Log(STRATA_LOG_WARN,
        "SOCKS4a has no password field: only the user name is sent (as the user id)");
  }
}

SocksLayer::~SocksLayer() {
  StopResolver();
  Wipe(&out_);
}

strata_status SocksLayer::Connect(int* done) {
  *done = 0;
  if (phase_ == Phase::kFailed) return Fail(failed_status_, failed_message_);
  if (phase_ == Phase::kOpen) {
    *done = 1;
    return STRATA_OK;
  }
  if (phase_ == Phase::kLower) {
    int lower_done = 0;
    strata_status st = LowerConnect(&lower_done);
    // The layer below already told the host why it failed.
    if (st < 0) return st;
    if (st == STRATA_AGAIN || !lower_done) return STRATA_AGAIN;
    if (options_.connect_timeout_ms != 0) deadline_ms_ = NowMs() + options_.connect_timeout_ms;
    if (strata_status begun = Begin(); begun < 0) return begun;
  }
  while (true) {
    strata_status st = CheckTimeout();
    if (st < 0) return st;
    switch (phase_) {
      case Phase::kResolving:
        st = FinishResolving();
        break;
      case Phase::kSending:
        st = PumpSend();
        break;
      case Phase::kReading:
        st = PumpReply(done);
        if (st == STRATA_OK && phase_ == Phase::kOpen) return STRATA_OK;
        break;
      default:
        return Fail(STRATA_E_INTERNAL, "socks: unexpected phase in connect()");
    }
    if (st < 0) return st;
    if (st == STRATA_AGAIN) {
      // The host forgets a deadline once it fired, so arm it on every wait.
      if (deadline_ms_ != 0) WakeAt(deadline_ms_);
      return STRATA_AGAIN;
    }
  }
}

strata_status SocksLayer::Begin() {
  if (options_.resolve == Resolve::kRemote || destination_.type != kAtypDomain) {
    StartHandshake(destination_);
    return STRATA_OK;
  }
  absl::StatusOr<std::unique_ptr<tcp::AsyncResolver>> resolver =
      tcp::AsyncResolver::Start(host_, port_,
                                options_.family == Family::kIpv4   ? AF_INET
                                : options_.family == Family::kIpv6 ? AF_INET6
                                                                   : AF_UNSPEC);
  if (!resolver.ok()) {
    return FailTunnel(STRATA_E_RESOLVE, absl::StrCat("cannot start resolving ", host_, ": ",
                                                     resolver.status().message()));
  }
  resolver_ = *std::move(resolver);
  if (strata_status st = host().watch_fd(ctx(), resolver_->event_fd()); st != STRATA_OK) {
    return FailTunnel(st, absl::StrCat("cannot watch the resolver of ", host_));
  }
  resolver_watched_ = true;
  Log(STRATA_LOG_DEBUG, absl::StrCat("resolving ", host_, " here (resolve \"local\")"));
  phase_ = Phase::kResolving;
  return STRATA_OK;
}

strata_status SocksLayer::FinishResolving() {
  if (!resolver_->Done()) return STRATA_AGAIN;
  absl::StatusOr<std::vector<tcp::SocketAddress>> result = resolver_->TakeResult();
  StopResolver();
  std::optional<SocksAddress> address;
  if (result.ok() && !result->empty()) address = ParseIpLiteral(result->front().HostText());
  if (!address) {
    return FailTunnel(
        STRATA_E_RESOLVE,
        absl::StrCat("could not resolve ", host_,
                     " (resolve \"local\": the name is resolved here, not by the proxy): ",
                     result.ok() ? "no address" : result.status().message()));
  }
  resolved_ = address->Text();
  Log(STRATA_LOG_INFO, absl::StrCat("resolved ", host_, " to ", resolved_,
                                    " here; the proxy gets the address"));
  StartHandshake(*address);
  return STRATA_OK;
}

void SocksLayer::StartHandshake(SocksAddress destination) {
  HandshakeSettings settings;
  settings.version = options_.version;
  settings.destination = std::move(destination);
  settings.port = port_;
  settings.origin = origin_;
  settings.credentials = options_.credentials;
  handshake_ = std::make_unique<SocksHandshake>(std::move(settings));
  Log(STRATA_LOG_INFO,
      absl::StrCat(options_.version == SocksVersion::k5 ? "SOCKS5 greeting" : "SOCKS4a CONNECT ",
                   options_.version == SocksVersion::k5 ? "" : origin_, " sent to proxy",
                   options_.credentials ? " (offering username/password)" : ""));
  Queue(handshake_->Begin());
}

void SocksLayer::Queue(std::string message) {
  Wipe(&out_);
  out_ = std::move(message);
  out_off_ = 0;
  phase_ = Phase::kSending;
}

strata_status SocksLayer::PumpSend() {
  while (out_off_ < out_.size()) {
    size_t written = 0;
    strata_status st = LowerSend(reinterpret_cast<const uint8_t*>(out_.data()) + out_off_,
                                 out_.size() - out_off_, &written);
    if (st == STRATA_AGAIN || (st == STRATA_OK && written == 0)) return STRATA_AGAIN;
    if (st < 0) {
      return FailBelow(st, absl::StrCat("connection to the SOCKS proxy failed while sending ",
                                        "the handshake for ", origin_));
    }
    out_off_ += written;
  }
  Wipe(&out_);
  out_off_ = 0;
  phase_ = Phase::kReading;
  return STRATA_OK;
}

strata_status SocksLayer::PumpReply(int* done) {
  while (true) {
    size_t n = 0;
    strata_status st = LowerRecv(read_buf_.data(), read_buf_.size(), &n);
    if (st == STRATA_AGAIN) return STRATA_AGAIN;
    if (st < 0) {
      return FailBelow(st, absl::StrCat("connection to the SOCKS proxy failed while waiting for ",
                                        handshake_->Waiting()));
    }
    if (n == 0) return FailHandshake(handshake_->OnEof());
    bool was_authenticating = handshake_->sent_credentials();
    absl::StatusOr<std::string> next =
        handshake_->Feed(std::string_view(reinterpret_cast<const char*>(read_buf_.data()), n));
    if (!next.ok()) return FailHandshake(next.status());
    if (handshake_->open()) {
      leftover_ = handshake_->TakeLeftover();
      leftover_off_ = 0;
      phase_ = Phase::kOpen;
      if (deadline_ms_ != 0) WakeAt(0);
      std::string bound = handshake_->bound();
      Log(STRATA_LOG_INFO,
          absl::StrCat(KindName(options_), " proxy connected to ", origin_,
                       resolved_.empty() ? "" : absl::StrCat(" (as ", resolved_, ")"),
                       bound.empty() ? "" : absl::StrCat(", bound address ", bound),
                       ", tunnel open"));
      *done = 1;
      return STRATA_OK;
    }
    if (!next->empty()) {
      if (handshake_->sent_credentials() && !was_authenticating) {
        Log(STRATA_LOG_INFO, "SOCKS5 proxy asked for username/password; sending them (not logged)");
      } else {
        Log(STRATA_LOG_INFO, absl::StrCat("SOCKS5 CONNECT ", origin_,
                                          resolved_.empty() ? "" : absl::StrCat(" as ", resolved_),
                                          " sent to proxy"));
      }
      Queue(*std::move(next));
      return STRATA_OK;
    }
  }
}

strata_status SocksLayer::CheckTimeout() {
  if (deadline_ms_ == 0 || NowMs() < deadline_ms_) return STRATA_OK;
  std::string waiting = phase_ == Phase::kResolving ? absl::StrCat("resolving ", host_)
                        : handshake_ ? handshake_->Waiting()
                                     : "its reply";
  return FailTunnel(STRATA_E_TIMEOUT,
                    absl::StrCat(KindName(options_), " proxy handshake for ", origin_,
                                 " did not finish within ", options_.connect_timeout_ms,
                                 " ms (still waiting for ", waiting,
                                 "; option connect_timeout_ms)"));
}

strata_status SocksLayer::FailHandshake(const absl::Status& status) {
  strata_status code = status.code() == absl::StatusCode::kInvalidArgument ? STRATA_E_PROTOCOL
                                                                           : STRATA_E_PROXY;
  return FailTunnel(code, std::string(status.message()));
}

strata_status SocksLayer::FailBelow(strata_status status, std::string message) {
  phase_ = Phase::kFailed;
  failed_status_ = status;
  failed_message_ = std::move(message);
  Wipe(&out_);
  if (deadline_ms_ != 0) WakeAt(0);
  return status;
}

strata_status SocksLayer::FailTunnel(strata_status status, std::string message) {
  phase_ = Phase::kFailed;
  failed_status_ = status;
  failed_message_ = std::move(message);
  StopResolver();
  Wipe(&out_);
  leftover_.clear();
  if (deadline_ms_ != 0) WakeAt(0);
  return Fail(failed_status_, failed_message_);
}

void SocksLayer::StopResolver() {
  if (!resolver_) return;
  // Unwatch first: the worker closes the eventfd when it finishes.
  if (resolver_watched_) host().unwatch_fd(ctx(), resolver_->event_fd());
  resolver_watched_ = false;
  resolver_.reset();
}

strata_status SocksLayer::Send(const uint8_t* data, size_t len, size_t* out_written) {
  *out_written = 0;
  if (phase_ == Phase::kOpen) return LowerSend(data, len, out_written);
  if (phase_ == Phase::kFailed) return Fail(failed_status_, failed_message_);
  return Fail(STRATA_E_STATE, "socks: send() before the tunnel is open");
}

strata_status SocksLayer::Recv(uint8_t* buf, size_t cap, size_t* out_read) {
  *out_read = 0;
  if (phase_ != Phase::kOpen) {
    if (phase_ == Phase::kFailed) return Fail(failed_status_, failed_message_);
    return Fail(STRATA_E_STATE, "socks: recv() before the tunnel is open");
  }
  if (leftover_off_ < leftover_.size() && cap > 0) {
    size_t n = std::min(cap, leftover_.size() - leftover_off_);
    std::memcpy(buf, leftover_.data() + leftover_off_, n);
    leftover_off_ += n;
    if (leftover_off_ == leftover_.size()) {
      std::string().swap(leftover_);
      leftover_off_ = 0;
    }
    *out_read = n;
    return STRATA_OK;
  }
  return LowerRecv(buf, cap, out_read);
}

uint32_t SocksLayer::PollInterest(uint32_t wants) {
  switch (phase_) {
    case Phase::kLower:
      return LowerPollInterest(wants);
    case Phase::kResolving:
      // Every watched descriptor is polled with this interest, and an
      // eventfd is always writable: READ only, or the loop would spin.
      return STRATA_POLL_READ;
    case Phase::kSending:
      return LowerPollInterest(STRATA_POLL_WRITE);
    case Phase::kReading:
      return LowerPollInterest(STRATA_POLL_READ);
    case Phase::kOpen:
      // Buffered tunnel bytes are readable now; DataPending() says so.
      if (leftover_off_ < leftover_.size()) wants &= ~static_cast<uint32_t>(STRATA_POLL_READ);
      return LowerPollInterest(wants);
    case Phase::kFailed:
      break;
  }
  return 0;
}

bool SocksLayer::DataPending() {
  if (phase_ != Phase::kOpen) return false;
  return leftover_off_ < leftover_.size() || LowerDataPending();
}

std::string SocksLayer::Describe() {
  char peer[128];
  size_t len = sizeof(peer);
  std::string text = absl::StrCat(KindName(options_), "(");
  if (LowerQuery(STRATA_QUERY_PEER_ADDRESS, peer, &len) == STRATA_OK && len > 0 &&
      len <= sizeof(peer)) {
    absl::StrAppend(&text, absl::string_view(peer, strnlen(peer, len)), "→");
  }
  absl::StrAppend(&text, origin_);
  if (!resolved_.empty()) absl::StrAppend(&text, " as ", resolved_);
  return text + ")";
}

strata_status SocksLayer::Query(uint32_t query, void* out, size_t* inout_len) {
  switch (query) {
    case STRATA_QUERY_ALPN:
      // The ALPN below, if any, was negotiated with the proxy.
      return AnswerText("", out, inout_len);
    case STRATA_QUERY_DESCRIBE:
      return AnswerText(Describe(), out, inout_len);
    case STRATA_QUERY_CONNECT_STATUS:
      // An HTTP CONNECT status; SOCKS has none (curl's http_connect is 0).
      return STRATA_E_UNSUPPORTED;
    case STRATA_QUERY_HTTP_VERSION:
      return STRATA_E_UNSUPPORTED;
    default:
      return LowerQuery(query, out, inout_len);
  }
}

}  // namespace strata::socks
