#include "plugins/connect_tunnel/connect_tunnel_layer.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "plugins/connect_tunnel/connect_request.h"

namespace strata::connect_tunnel {
namespace {

// One read from below while waiting for the reply. Bytes past the reply's
// head in the same read become the tunnel's first bytes, so this also bounds
// what the layer holds for the layers above.
constexpr size_t kReadChunk = 16 * 1024;

bool HasField(const h1::ResponseHead& head, std::string_view name) {
  for (const h1::HeaderField& f : head.fields) {
    if (f.name.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      char c = f.name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      same = c == name[i];
    }
    if (same) return true;
  }
  return false;
}

}  // namespace

ConnectTunnelLayer::ConnectTunnelLayer(strata_layer_ctx* ctx, const strata_layer_config* config)
    : ByteStreamLayer(ctx), read_buf_(kReadChunk) {
  if (config == nullptr || config->host == nullptr || !IsValidTargetHost(config->host) ||
      config->port == 0) {
    throw sdk::Error(STRATA_E_CONFIG,
                     absl::StrCat("connect-tunnel: invalid tunnel target \"",
                                  Printable(config && config->host ? config->host : ""), ":",
                                  config ? config->port : 0, "\""));
  }
  authority_ = Authority(config->host, config->port);
  absl::StatusOr<TunnelOptions> options =
      ParseTunnelOptions([this](const char* key) -> std::optional<std::string> {
        char small[256];
        size_t len = sizeof(small);
        strata_status st = host().option_get(this->ctx(), key, small, &len);
        if (st == STRATA_OK) return std::string(small, len ? len - 1 : 0);
        if (st != STRATA_E_BUFFER_TOO_SMALL) return std::nullopt;
        std::string big(len, '\0');
        if (host().option_get(this->ctx(), key, big.data(), &len) != STRATA_OK) {
          return std::nullopt;
        }
        big.resize(len ? len - 1 : 0);
        return big;
      });
  if (!options.ok()) {
    throw sdk::Error(STRATA_E_CONFIG,
                     absl::StrCat("connect-tunnel: ", options.status().message()));
  }
  options_ = *std::move(options);
  // Every parser limit is at most the whole-reply budget, so an oversized
  // head fails as soon as it crosses the budget instead of at h1's larger
  // defaults.
  size_t budget = static_cast<size_t>(options_.max_reply_bytes);
  limits_.max_header_line_bytes = std::min(limits_.max_header_line_bytes, budget);
  limits_.max_header_block_bytes = std::min(limits_.max_header_block_bytes, budget);
  limits_.max_informational_bytes = std::min(limits_.max_informational_bytes, budget);
}

strata_status ConnectTunnelLayer::Connect(int* done) {
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
    if (options_.connect_timeout_ms != 0) {
      deadline_ms_ = NowMs() + options_.connect_timeout_ms;
    }
    bool preemptive =
        options_.auth == AuthMode::kPreemptive && !options_.proxy_authorization.empty();
    StartRequest(preemptive);
  }
  while (true) {
    strata_status st = CheckTimeout();
    if (st < 0) return st;
    if (phase_ == Phase::kSending) {
      st = PumpSend();
    } else {
      st = PumpReply(done);
      if (st == STRATA_OK && phase_ == Phase::kOpen) return STRATA_OK;
    }
    if (st < 0) return st;
    if (st == STRATA_AGAIN) {
      // The host forgets a deadline once it fired, so arm it on every wait.
      if (deadline_ms_ != 0) WakeAt(deadline_ms_);
      return STRATA_AGAIN;
    }
  }
}

void ConnectTunnelLayer::StartRequest(bool with_credentials) {
  ConnectRequest request = BuildConnectRequest(
      authority_, with_credentials ? options_.proxy_authorization : std::string(),
      options_.user_agent);
  out_ = std::move(request.bytes);
  out_off_ = 0;
  credentials_sent_ = credentials_sent_ || with_credentials;
  Log(STRATA_LOG_DEBUG, absl::StrCat("CONNECT request head:\n", request.redacted));
  h1::RequestContext context;
  context.connect_request = true;
  parser_ = std::make_unique<h1::ResponseParser>(context, limits_);
  reply_bytes_ = 0;
  phase_ = Phase::kSending;
}

strata_status ConnectTunnelLayer::PumpSend() {
  while (out_off_ < out_.size()) {
    size_t written = 0;
    strata_status st = LowerSend(reinterpret_cast<const uint8_t*>(out_.data()) + out_off_,
                                 out_.size() - out_off_, &written);
    if (st == STRATA_AGAIN || (st == STRATA_OK && written == 0)) return STRATA_AGAIN;
    if (st < 0) {
      // Keep the lower layer's message as the one the host reports; later
      // calls repeat ours.
      phase_ = Phase::kFailed;
      failed_status_ = st;
      failed_message_ =
          absl::StrCat("connection to the proxy failed while sending CONNECT ", authority_);
      if (deadline_ms_ != 0) WakeAt(0);
      return st;
    }
    out_off_ += written;
  }
  Log(STRATA_LOG_INFO,
      absl::StrCat("CONNECT ", authority_, " sent to proxy",
                   credentials_sent_ ? " (Proxy-Authorization: <redacted>)" : ""));
  // Credentials are not needed any more; the request is dropped so a
  // secret does not linger in this layer's buffers.
  std::string().swap(out_);
  out_off_ = 0;
  phase_ = Phase::kReading;
  return STRATA_OK;
}

strata_status ConnectTunnelLayer::PumpReply(int* done) {
  while (true) {
    size_t n = 0;
    strata_status st = LowerRecv(read_buf_.data(), read_buf_.size(), &n);
    if (st == STRATA_AGAIN) return STRATA_AGAIN;
    if (st < 0) {
      phase_ = Phase::kFailed;
      failed_status_ = st;
      failed_message_ = absl::StrCat(
          "connection to the proxy failed while waiting for its reply to CONNECT ", authority_);
      if (deadline_ms_ != 0) WakeAt(0);
      return st;
    }
    if (n == 0) return OnEof();
    bool finished = false;
    st = Feed(std::string_view(reinterpret_cast<const char*>(read_buf_.data()), n), &finished);
    if (st < 0) return st;
    if (finished) {
      if (phase_ == Phase::kOpen) *done = 1;
      return STRATA_OK;
    }
  }
}

strata_status ConnectTunnelLayer::Feed(std::string_view input, bool* out_finished) {
  *out_finished = false;
  while (true) {
    size_t used = 0;
    absl::StatusOr<h1::ResponseEvent> event = parser_->Parse(input, &used);
    if (!event.ok()) return ParserFailure(event.status());
    input.remove_prefix(used);
    reply_bytes_ += used;
    if (reply_bytes_ > options_.max_reply_bytes) {
      return FailTunnel(STRATA_E_LIMIT,
                        absl::StrCat("proxy's reply to CONNECT ", authority_, " exceeds ",
                                     options_.max_reply_bytes, " bytes (option max_reply_bytes)"));
    }
    switch (*event) {
      case h1::ResponseEvent::kNeedMore:
        return STRATA_OK;
      case h1::ResponseEvent::kHead: {
        if (parser_->head().informational()) {
          Log(STRATA_LOG_DEBUG, absl::StrCat("proxy sent an informational ",
                                             parser_->head().status, " before its reply"));
          continue;
        }
        strata_status st = OnFinalHead(input, out_finished);
        if (st < 0 || *out_finished) return st;
        continue;
      }
      case h1::ResponseEvent::kData:
        // A 407 body being drained: discarded, never shown (HOSTILE 70).
        continue;
      case h1::ResponseEvent::kEnd:
        return OnDrained(input, out_finished);
    }
  }
}

strata_status ConnectTunnelLayer::OnFinalHead(std::string_view rest, bool* out_finished) {
  const h1::ResponseHead& head = parser_->head();
  final_status_ = head.status;
  final_reason_ = Printable(head.reason);
  if (head.status >= 200 && head.status < 300) {
    // HOSTILE 69: whatever Content-Length or Transfer-Encoding the 2xx
    // carries, the tunnel starts right after the head.
    leftover_.assign(rest.data(), rest.size());
    leftover_off_ = 0;
    parser_.reset();
    phase_ = Phase::kOpen;
    if (deadline_ms_ != 0) WakeAt(0);
    Log(STRATA_LOG_INFO, absl::StrCat("proxy answered ", StatusText(), ", tunnel open"));
    *out_finished = true;
    return STRATA_OK;
  }
  if (head.status != 407) {
    return FailTunnel(STRATA_E_PROXY,
                      absl::StrCat("proxy refused CONNECT to ", authority_, ": ", StatusText()));
  }
  if (options_.proxy_authorization.empty()) {
    return FailTunnel(STRATA_E_PROXY,
                      absl::StrCat("proxy authentication required (", StatusText(),
                                   "): configure proxy credentials"));
  }
  if (credentials_sent_ || retried_) {
    return FailTunnel(STRATA_E_PROXY,
                      absl::StrCat("proxy rejected the credentials (", StatusText(), ")"));
  }
  // The retry goes on this connection, so the 407 must end where we can
  // see it (HOSTILE 71, curl test1715).
  std::string cannot = absl::StrCat("proxy asked for credentials (", StatusText(),
                                    ") but the retry is impossible on this connection: ");
  if (parser_->framing() == h1::BodyFraming::kChunked && HasField(head, "content-length")) {
    return FailTunnel(STRATA_E_PROXY,
                      absl::StrCat(cannot,
                                   "the 407 carries both Content-Length and "
                                   "Transfer-Encoding, so where it ends is ambiguous"));
  }
  if (parser_->framing() == h1::BodyFraming::kUntilClose) {
    return FailTunnel(STRATA_E_PROXY,
                      absl::StrCat(cannot,
                                   "the 407's body runs until the connection closes; "
                                   "set auth \"preemptive\" to send the credentials at once"));
  }
  if (!parser_->reusable()) {
    return FailTunnel(STRATA_E_PROXY,
                      absl::StrCat(cannot,
                                   "the proxy closes it after the 407; set auth "
                                   "\"preemptive\" to send the credentials at once"));
  }
  Log(STRATA_LOG_INFO, absl::StrCat("proxy asked for credentials (", StatusText(),
                                    "); retrying CONNECT with Proxy-Authorization"));
  phase_ = Phase::kDraining;
  return STRATA_OK;
}

strata_status ConnectTunnelLayer::OnDrained(std::string_view rest, bool* out_finished) {
  if (!rest.empty()) {
    // The proxy cannot have answered a CONNECT we have not sent yet.
    return FailTunnel(STRATA_E_PROTOCOL,
                      absl::StrCat("proxy sent ", rest.size(),
                                   " bytes after the end of its 407 reply"));
  }
  retried_ = true;
  StartRequest(/*with_credentials=*/true);
  *out_finished = true;
  return STRATA_OK;
}

strata_status ConnectTunnelLayer::OnEof() {
  if (phase_ == Phase::kDraining) {
    return FailTunnel(STRATA_E_PROXY,
                      absl::StrCat("proxy closed the connection inside its 407 reply to CONNECT ",
                                   authority_, ", before the retry with credentials"));
  }
  if (!parser_->started()) {
    return FailTunnel(STRATA_E_PROXY, absl::StrCat("proxy closed the connection without "
                                                   "answering CONNECT ",
                                                   authority_));
  }
  return FailTunnel(STRATA_E_PROXY,
                    absl::StrCat("proxy closed the connection in the middle of its reply to "
                                 "CONNECT ",
                                 authority_, " (after ", reply_bytes_, " bytes)"));
}

strata_status ConnectTunnelLayer::CheckTimeout() {
  if (deadline_ms_ == 0 || NowMs() < deadline_ms_) return STRATA_OK;
  return FailTunnel(STRATA_E_TIMEOUT,
                    absl::StrCat("proxy did not answer CONNECT within ",
                                 options_.connect_timeout_ms, " ms (target ", authority_,
                                 "; option connect_timeout_ms)"));
}

strata_status ConnectTunnelLayer::ParserFailure(const absl::Status& status) {
  absl::string_view why = status.message();
  if (status.code() == absl::StatusCode::kResourceExhausted) {
    return FailTunnel(STRATA_E_LIMIT,
                      absl::StrCat("proxy's reply to CONNECT ", authority_,
                                   " is too large (option max_reply_bytes = ",
                                   options_.max_reply_bytes, "): ", why));
  }
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    return FailTunnel(STRATA_E_PROTOCOL, absl::StrCat("proxy sent a malformed reply to CONNECT ",
                                                      authority_, ": ", why));
  }
  return FailTunnel(STRATA_E_PROXY,
                    absl::StrCat("proxy's reply to CONNECT ", authority_, " failed: ", why));
}

strata_status ConnectTunnelLayer::FailTunnel(strata_status status, std::string message) {
  phase_ = Phase::kFailed;
  failed_status_ = status;
  failed_message_ = std::move(message);
  parser_.reset();
  leftover_.clear();
  if (deadline_ms_ != 0) WakeAt(0);
  return Fail(failed_status_, failed_message_);
}

std::string ConnectTunnelLayer::StatusText() const {
  if (final_reason_.empty()) return absl::StrCat(final_status_);
  return absl::StrCat(final_status_, " ", final_reason_);
}

strata_status ConnectTunnelLayer::Send(const uint8_t* data, size_t len, size_t* out_written) {
  *out_written = 0;
  if (phase_ == Phase::kOpen) return LowerSend(data, len, out_written);
  if (phase_ == Phase::kFailed) return Fail(failed_status_, failed_message_);
  return Fail(STRATA_E_STATE, "connect-tunnel: send() before the tunnel is open");
}

strata_status ConnectTunnelLayer::Recv(uint8_t* buf, size_t cap, size_t* out_read) {
  *out_read = 0;
  if (phase_ != Phase::kOpen) {
    if (phase_ == Phase::kFailed) return Fail(failed_status_, failed_message_);
    return Fail(STRATA_E_STATE, "connect-tunnel: recv() before the tunnel is open");
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

uint32_t ConnectTunnelLayer::PollInterest(uint32_t wants) {
  switch (phase_) {
    case Phase::kLower:
      return LowerPollInterest(wants);
    case Phase::kSending:
      return LowerPollInterest(STRATA_POLL_WRITE);
    case Phase::kReading:
    case Phase::kDraining:
      return LowerPollInterest(STRATA_POLL_READ);
    case Phase::kOpen:
      // Buffered tunnel bytes are readable now; waiting for the socket to
      // become readable could wait for bytes the peer will never send.
      // DataPending() tells the host instead.
      if (leftover_off_ < leftover_.size()) wants &= ~static_cast<uint32_t>(STRATA_POLL_READ);
      return LowerPollInterest(wants);
    case Phase::kFailed:
      break;
  }
  return 0;
}

bool ConnectTunnelLayer::DataPending() {
  if (phase_ != Phase::kOpen) return false;
  return leftover_off_ < leftover_.size() || LowerDataPending();
}

strata_status ConnectTunnelLayer::Query(uint32_t query, void* out, size_t* inout_len) {
  switch (query) {
    case STRATA_QUERY_ALPN:
      // The ALPN below was negotiated with the proxy, not the origin
      // (HOSTILE 73): the layers above must not act on it.
      return AnswerText("", out, inout_len);
    case STRATA_QUERY_DESCRIBE: {
      char peer[128];
      size_t len = sizeof(peer);
      std::string text = absl::StrCat("connect-tunnel(", authority_);
      if (LowerQuery(STRATA_QUERY_PEER_ADDRESS, peer, &len) == STRATA_OK && len > 0 &&
          len <= sizeof(peer)) {
        absl::StrAppend(&text, " via ", absl::string_view(peer, strnlen(peer, len)));
      }
      text += ")";
      return AnswerText(text, out, inout_len);
    }
    case STRATA_QUERY_CONNECT_STATUS:
      // Kept after a failure too, so the runtime can report a 407 or 403.
      if (final_status_ == 0) return STRATA_E_STATE;  // no final reply yet
      return AnswerInt(final_status_, out, inout_len);
    case STRATA_QUERY_HTTP_VERSION:
      // A byte stream carries no HTTP version of its own; the CONNECT
      // exchange's version says nothing about the origin.
      return STRATA_E_UNSUPPORTED;
    default:
      return LowerQuery(query, out, inout_len);
  }
}

}  // namespace strata::connect_tunnel
