// h1_session.cc — the HTTP/1.1 session; see h1_session.h.
#include "plugins/h1/h1_session.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/h1/http_chars.h"

namespace strata::h1 {
namespace {

constexpr size_t kRecvBufferSize = 64 * 1024;
constexpr size_t kBodyChunkSize = 64 * 1024;
// Room before the body bytes for the longest chunk-size line (16 hex digits
// and CRLF), and after them for CRLF plus the last chunk.
constexpr size_t kChunkPrefixRoom = 18;
constexpr size_t kChunkSuffixRoom = kChunkEnd.size() + kLastChunk.size();
// Bytes one progress() call writes at most before it looks for a response,
// so a fast link and an endless body source cannot hide an early answer.
constexpr uint64_t kSendBudgetPerProgress = 1024 * 1024;
// Bytes one progress() call reads at most. A peer that keeps the socket
// readable must not keep the host's loop from its timers and its other
// connections: past this the layer asks to be driven again on the next
// turn (wake_at now) and returns.
constexpr size_t kRecvBudgetPerProgress = 256 * 1024;

strata_status StatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return STRATA_E_PROTOCOL;
    case absl::StatusCode::kResourceExhausted:
      return STRATA_E_LIMIT;
    case absl::StatusCode::kDataLoss:
      return STRATA_E_TRUNCATED;
    default:
      return STRATA_E_INTERNAL;
  }
}

bool HeaderHasToken(const strata_request_head& head, std::string_view name,
                    std::string_view token) {
  for (size_t i = 0; i < head.header_count; ++i) {
    const strata_header& h = head.headers[i];
    if (!EqualsIgnoreCase(std::string_view(h.name, h.name_len), name)) continue;
    if (token.empty()) return true;
    std::string_view value(h.value ? h.value : "", h.value ? h.value_len : 0);
    while (!value.empty()) {
      size_t comma = value.find(',');
      if (EqualsIgnoreCase(TrimOws(value.substr(0, comma)), token)) return true;
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return false;
}

}  // namespace

H1Session::H1Session(strata_layer_ctx* ctx, const strata_layer_config* config)
    : SessionLayer(ctx),
      recv_buf_(new uint8_t[kRecvBufferSize]),
      body_buf_(new uint8_t[kChunkPrefixRoom + kBodyChunkSize + kChunkSuffixRoom]) {
  limits_.max_header_block_bytes = SizeOption("max_header_bytes", limits_.max_header_block_bytes);
  limits_.max_header_line_bytes =
      SizeOption("max_header_line_bytes", limits_.max_header_line_bytes);
  limits_.max_header_count = SizeOption("max_header_count", limits_.max_header_count);
  limits_.max_informational_bytes =
      SizeOption("max_1xx_bytes", limits_.max_informational_bytes);
}

strata_status H1Session::Connect(int* done) {
  strata_status st = LowerConnect(done);
  if (st == STRATA_OK && *done) connected_ = true;
  return st;
}

uint32_t H1Session::Capacity() {
  return connected_ && !failed_ && !exchange_ && reusable_ ? 1 : 0;
}

strata_status H1Session::OpenStream(const strata_request_head* head, void* user,
                         uint32_t* out_id) {
  if (head == nullptr || !STRATA_HAS_FIELD(head, strata_request_head, flags) ||
      head->method == nullptr) {
    return Fail(STRATA_E_INVALID_ARGUMENT, "h1: request head is missing or too old");
  }
  if (head->flags & STRATA_REQUEST_TUNNEL) {
    // An HTTP/1.1 CONNECT is the connect-tunnel layer's job: once it
    // succeeds the connection is no longer HTTP.
    return Fail(STRATA_E_UNSUPPORTED, "h1: tunnel streams need HTTP/2 (use the connect-tunnel layer)");
  }
  if (Capacity() == 0) {
    return Fail(STRATA_E_STATE,
                "h1: this connection cannot take a request now (not connected, busy, "
                "failed or not reusable)");
  }
  absl::StatusOr<SerializedRequestHead> serialized = SerializeRequestHead(*head);
  if (!serialized.ok()) {
    return Fail(STRATA_E_INVALID_ARGUMENT, std::string(serialized.status().message()));
  }
  std::string_view method = head->method;
  RequestContext request;
  request.head_request = method == "HEAD";
  request.connect_request = method == "CONNECT";
  request.upgrade_requested = HeaderHasToken(*head, "upgrade", "");

  exchange_.emplace();
  Exchange& ex = *exchange_;
  ex.user = user;
  ex.id = next_id_++;
  if (spare_parser_) {
    ex.parser = std::move(spare_parser_);
    ex.parser->Reset(request);
  } else {
    ex.parser = std::make_unique<ResponseParser>(request, limits_);
  }
  ex.body_framing = serialized->body_framing;
  ex.body_declared = serialized->content_length;
  ex.body_done = serialized->body_framing == RequestBodyFraming::kNone;
  ex.request_close = HeaderHasToken(*head, "connection", "close");
  ex.upgrade_requested = request.upgrade_requested;
  head_out_ = std::move(serialized->bytes);
  head_off_ = 0;
  body_begin_ = body_end_ = 0;
  *out_id = ex.id;
  return STRATA_OK;
}

strata_status H1Session::CancelStream(uint32_t id) {
  if (exchange_ && exchange_->id == id) {
    // The peer may still answer or we may be mid-request: the connection
    // cannot carry another exchange.
    exchange_.reset();
    reusable_ = false;
    return STRATA_OK;
  }
  if (id != 0 && id < next_id_) return STRATA_OK;  // already finished
  return Fail(STRATA_E_INVALID_ARGUMENT, Cat("h1: no stream with id ", id));
}

strata_status H1Session::Progress() {
  if (failed_) return Fail(failed_status_, failed_message_);
  if (!connected_) return Fail(STRATA_E_STATE, "h1: progress() before connect finished");
  if (!exchange_) return ProgressIdle();
  bool progressed = false;
  const bool unsent = exchange_->sending && head_off_ == 0 && !head_out_.empty();
  strata_status st = PumpSend(&progressed);
  if (st < 0) return st;
  // A request that left whole in this very call has almost surely not been
  // answered yet: reading now would only hear EAGAIN (a recv per request).
  // Whatever is in the socket (the response, or a 408 or close the server
  // sent before it saw the request) wakes us through the poll interest,
  // which always has READ; bytes a layer below already holds are read now.
  if (unsent && exchange_ && !exchange_->sending && send_error_ == STRATA_OK && !LowerDataPending()) {
    return STRATA_OK;
  }
  st = PumpRecv(&progressed);
  if (st < 0) return st;
  // Reading may have freed the way (nothing to do) or ended the exchange;
  // one more send pass catches output queued meanwhile.
  if (exchange_ && exchange_->sending) {
    st = PumpSend(&progressed);
    if (st < 0) return st;
  }
  return exchange_ && !progressed ? STRATA_AGAIN : STRATA_OK;
}

uint32_t H1Session::PollInterest() {
  if (failed_) return 0;
  if (!connected_) return LowerPollInterest(STRATA_POLL_READ | STRATA_POLL_WRITE);
  uint32_t wants = STRATA_POLL_READ;  // a response, or an idle peer closing
  if (exchange_ && exchange_->sending && (HasPendingOutput() || !exchange_->body_blocked)) {
    wants |= STRATA_POLL_WRITE;
  }
  return LowerPollInterest(wants);
}

bool H1Session::IsReusable() {
  if (failed_ || !reusable_) return false;
  if (exchange_) {
    if (exchange_->request_close) return false;
    const ResponseParser& p = *exchange_->parser;
    if (p.has_final_head() && !p.reusable()) return false;
  }
  return true;
}

strata_status H1Session::Query(uint32_t q, void* out, size_t* len) {
  if (q == STRATA_QUERY_HTTP_VERSION) return AnswerInt(11, out, len);
  if (q == STRATA_QUERY_DESCRIBE) return AnswerText("h1", out, len);
  return LowerQuery(q, out, len);
}

size_t H1Session::SizeOption(const char* key, size_t fallback) const {
  std::string text = Option(key);
  if (text.empty()) return fallback;
  uint64_t v = 0;
  bool ok = text.size() <= 15;
  for (char c : text) {
    if (c < '0' || c > '9') ok = false;
    if (ok) v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok || v == 0) {
    throw sdk::Error(STRATA_E_CONFIG, Cat("h1 option ", key, ": expected a positive integer, got ",
                                          Quoted(text)));
  }
  return static_cast<size_t>(v);
}

strata_status H1Session::Fatal(strata_status status, const std::string& message) {
  failed_ = true;
  reusable_ = false;
  failed_status_ = status;
  failed_message_ = message;
  if (exchange_) {
    void* user = exchange_->user;
    exchange_.reset();
    DeliverError(user, status, message);
  }
  return Fail(status, message);
}

strata_status H1Session::AbortedByApplication(strata_status rc) {
  exchange_.reset();
  failed_ = true;
  reusable_ = false;
  failed_status_ = rc;
  failed_message_ = Cat("h1: the application aborted the response (callback returned ", rc, ")");
  return Fail(failed_status_, failed_message_);
}

strata_status H1Session::ProgressIdle() {
  size_t n = 0;
  strata_status st = LowerRecv(recv_buf_.get(), kRecvBufferSize, &n);
  if (st == STRATA_AGAIN) return STRATA_AGAIN;
  if (st < 0) return Fatal(st, Cat("h1: idle connection failed (status ", st, ")"));
  if (n == 0) {
    // Before its first request, a close is the server refusing us, not an
    // idle timeout (nghttpd does this to a client that offered only
    // http/1.1 by ALPN).
    if (next_id_ == 1) {
      return Fatal(STRATA_E_CLOSED, Cat("server closed the connection before the first request, without a response",
                                        NoProtocolAgreedHint()));
    }
    return Fatal(STRATA_E_CLOSED, "server closed idle connection");
  }
  return Fatal(STRATA_E_PROTOCOL,
               Cat("unexpected bytes on idle connection (", n,
                   " bytes arrived with no request outstanding): ",
                   Quoted(std::string_view(reinterpret_cast<const char*>(recv_buf_.get()), n))));
}

strata_status H1Session::PumpSend(bool* progressed) {
  uint64_t budget = kSendBudgetPerProgress;
  while (exchange_ && exchange_->sending && budget > 0) {
    Exchange& ex = *exchange_;
    const uint8_t* data = nullptr;
    size_t len = 0;
    if (head_off_ < head_out_.size()) {
      data = reinterpret_cast<const uint8_t*>(head_out_.data()) + head_off_;
      len = head_out_.size() - head_off_;
    } else if (body_begin_ < body_end_) {
      data = body_buf_.get() + body_begin_;
      len = body_end_ - body_begin_;
    }
    if (len > 0) {
      size_t written = 0;
      strata_status st = LowerSend(data, len, &written);
      if (st == STRATA_AGAIN) return STRATA_OK;
      if (st < 0) {
        // The server may have answered and closed (e.g. 413): stop sending
        // and let the read side decide; remember why, in case it has
        // nothing either.
        ex.sending = false;
        reusable_ = false;
        send_error_ = st;
        return STRATA_OK;
      }
      if (written > len) written = len;
      *progressed = *progressed || written > 0;
      budget = written < budget ? budget - written : 0;
      if (head_off_ < head_out_.size()) {
        head_off_ += written;
        if (head_off_ == head_out_.size()) {
          head_out_.clear();
          head_off_ = 0;
        }
      } else {
        body_begin_ += written;
        if (body_begin_ == body_end_) body_begin_ = body_end_ = 0;
      }
      continue;
    }
    if (ex.body_done) {
      ex.sending = false;
      break;
    }
    strata_status st = PullBody(progressed);
    if (st == STRATA_AGAIN) return STRATA_OK;
    if (st < 0) return st;
  }
  return STRATA_OK;
}

strata_status H1Session::PullBody(bool* progressed) {
  Exchange& ex = *exchange_;
  size_t n = 0;
  int eos = 0;
  uint8_t* area = body_buf_.get() + kChunkPrefixRoom;
  size_t cap = kBodyChunkSize;
  if (ex.body_framing == RequestBodyFraming::kContentLength) {
    uint64_t left = ex.body_declared - ex.body_pulled;
    // With the declared length reached, one more read must say
    // end-of-body; a byte here means the source is longer than declared.
    cap = left == 0 ? 1 : (left < cap ? static_cast<size_t>(left) : cap);
  }
  strata_status st = ReadBody(ex.user, area, cap, &n, &eos);
  if (st == STRATA_AGAIN || (st == STRATA_OK && n == 0 && !eos)) {
    ex.body_blocked = true;
    return STRATA_AGAIN;
  }
  ex.body_blocked = false;
  if (st < 0) return BodyError(Cat("request body source failed (status ", st, ")"));
  if (n > cap) return BodyError("request body source overran the buffer it was given");
  *progressed = true;
  ex.body_pulled += n;
  if (ex.body_framing == RequestBodyFraming::kContentLength) {
    if (ex.body_pulled > ex.body_declared) {
      return BodyError(Cat("request body source gave more than the declared ",
                           ex.body_declared, " bytes"));
    }
    if (eos && ex.body_pulled < ex.body_declared) {
      return BodyError(Cat("request body source ended after ", ex.body_pulled, " of ",
                           ex.body_declared, " declared bytes"));
    }
    body_begin_ = kChunkPrefixRoom;
    body_end_ = kChunkPrefixRoom + n;
  } else {
    // Chunked: write the size line right before the data, then CRLF, and
    // the last chunk when the source ended.
    std::string tail;
    size_t begin = kChunkPrefixRoom;
    if (n > 0) {
      std::string size_line;
      AppendChunkSizeLine(n, &size_line);
      begin -= size_line.size();
      std::memcpy(body_buf_.get() + begin, size_line.data(), size_line.size());
      tail.append(kChunkEnd);
    }
    if (eos) tail.append(kLastChunk);
    std::memcpy(area + n, tail.data(), tail.size());
    body_begin_ = begin;
    body_end_ = kChunkPrefixRoom + n + tail.size();
  }
  if (eos) ex.body_done = true;
  return STRATA_OK;
}

strata_status H1Session::PumpRecv(bool* progressed) {
  size_t budget = kRecvBudgetPerProgress;
  while (exchange_) {
    if (budget == 0) {
      WakeAt(NowMs());  // more may be waiting (also inside a TLS layer below)
      return STRATA_OK;
    }
    size_t n = 0;
    strata_status st = LowerRecv(recv_buf_.get(), kRecvBufferSize, &n);
    if (st == STRATA_AGAIN) return STRATA_OK;
    if (st < 0) {
      return Fatal(st, Cat("connection failed while waiting for the response (status ", st,
                           ")"));
    }
    *progressed = true;
    if (n == 0) return HandleEof();
    budget -= std::min(budget, n);
    st = Consume(std::string_view(reinterpret_cast<const char*>(recv_buf_.get()), n));
    if (st < 0) return st;
  }
  return STRATA_OK;
}

strata_status H1Session::HandleEof() {
  reusable_ = false;
  absl::StatusOr<ResponseEvent> ev = exchange_->parser->ParseEof();
  if (ev.ok()) return FinishExchange(std::string_view());
  if (!exchange_->parser->started()) {
    if (send_error_ < 0) {
      return Fatal(send_error_, Cat("connection failed while sending the request (status ",
                                    send_error_, ") and no response arrived"));
    }
    return Fatal(STRATA_E_CLOSED,
                 Cat("server closed the connection without sending a response", NoProtocolAgreedHint()));
  }
  return Fatal(StatusFor(ev.status()), std::string(ev.status().message()));
}

std::string H1Session::NoProtocolAgreedHint() {
  // The first request (or none yet) on a TLS connection where the server
  // agreed to no protocol by ALPN, answered by a close: what an
  // HTTP/2-only server (nghttpd) does to a client that offered only
  // http/1.1.
  if (next_id_ > 2) return "";
  char text[64];
  size_t len = sizeof(text);
  if (LowerQuery(STRATA_QUERY_TLS_VERSION, text, &len) != STRATA_OK) return "";
  len = sizeof(text);
  if (LowerQuery(STRATA_QUERY_ALPN, text, &len) != STRATA_OK || text[0] != '\0') return "";
  return " (the server agreed to no protocol by ALPN when offered only http/1.1: it may speak only HTTP/2, "
         "which https:// offers by default unless HTTP/1.1 is forced)";
}

strata_status H1Session::Consume(std::string_view in) {
  while (exchange_) {
    Exchange& ex = *exchange_;
    size_t used = 0;
    absl::StatusOr<ResponseEvent> ev = ex.parser->Parse(in, &used);
    if (!ev.ok()) return Fatal(StatusFor(ev.status()), std::string(ev.status().message()));
    in.remove_prefix(used);
    switch (*ev) {
      case ResponseEvent::kNeedMore:
        return STRATA_OK;
      case ResponseEvent::kHead: {
        if (upgrade_handler_ != nullptr && ex.upgrade_requested) {
          if (ex.parser->upgraded()) return SwitchProtocols(in);
          if (ex.parser->has_final_head()) {
            upgrade_handler_->OnUpgradeDeclined(ex.user, ex.parser->head().status);
          }
        }
        if (ex.parser->has_final_head() && ex.sending) {
          // A final response before the request is complete (e.g. 413):
          // stop uploading; the server's view of the stream is unknown.
          ex.sending = false;
          reusable_ = false;
          head_out_.clear();
          head_off_ = 0;
          body_begin_ = body_end_ = 0;
        }
        strata_status rc = DeliverParsedHead(ex);
        if (rc < 0) return AbortedByApplication(rc);
        break;
      }
      case ResponseEvent::kData: {
        std::string_view d = ex.parser->data();
        strata_status rc =
            DeliverData(ex.user, reinterpret_cast<const uint8_t*>(d.data()), d.size());
        if (rc < 0) return AbortedByApplication(rc);
        break;
      }
      case ResponseEvent::kEnd:
        return FinishExchange(in);
    }
  }
  return STRATA_OK;
}

strata_status H1Session::SwitchProtocols(std::string_view rest) {
  Exchange& ex = *exchange_;
  if (ex.sending) {
    // The server cannot have read a request we have not finished writing.
    return Fatal(STRATA_E_PROTOCOL,
                 "101 Switching Protocols arrived before the request was fully sent");
  }
  // The parser owns the views of the 101 head: keep it for the call.
  std::unique_ptr<ResponseParser> parser = std::move(ex.parser);
  void* user = ex.user;
  exchange_.reset();
  switched_ = true;
  reusable_ = false;
  std::string message;
  strata_status st = upgrade_handler_->OnSwitchingProtocols(user, parser->head(), rest, &message);
  if (st >= 0) return STRATA_OK;
  failed_ = true;
  failed_status_ = st;
  failed_message_ = message;
  DeliverError(user, st, message);
  return Fail(st, message);
}

strata_status H1Session::DeliverParsedHead(const Exchange& ex) {
  const ResponseHead& h = ex.parser->head();
  fields_.clear();
  for (const HeaderField& f : h.fields) {
    fields_.push_back(strata_header{f.name.data(), f.name.size(), f.value.data(), f.value.size()});
  }
  strata_response_head head{};
  head.struct_size = sizeof(head);
  head.status = h.status;
  head.http_version = h.version;
  head.reason = h.reason.data();
  head.reason_len = h.reason.size();
  head.headers = fields_.data();
  head.header_count = fields_.size();
  return DeliverHead(ex.user, &head);
}

strata_status H1Session::FinishExchange(std::string_view leftover) {
  Exchange& ex = *exchange_;
  if (!ex.parser->reusable() || ex.request_close || ex.sending || !leftover.empty()) {
    reusable_ = false;
  }
  // Clear the exchange before the callback: the host may open the next
  // stream from inside it. The parser (owner of the trailer views) lives
  // until the callback returns.
  std::unique_ptr<ResponseParser> parser = std::move(ex.parser);
  void* user = ex.user;
  exchange_.reset();
  // The trailers in a list of their own: the host may open and run the
  // next exchange from inside the callback (fields_ is for heads).
  std::vector<strata_header> trailers;
  trailers.reserve(parser->trailers().size());
  for (const HeaderField& f : parser->trailers()) {
    trailers.push_back(strata_header{f.name.data(), f.name.size(), f.value.data(), f.value.size()});
  }
  DeliverEnd(user, trailers.data(), trailers.size());
  // Kept for the next exchange (unless an exchange began and finished
  // during the callback and left its own parser here already).
  if (!spare_parser_) spare_parser_ = std::move(parser);
  return STRATA_OK;
}

}  // namespace strata::h1
