#include "plugins/h2/layer/h2_session.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "plugins/h2/layer/request_headers.h"

namespace strata::h2 {
namespace {

constexpr size_t kRecvBufferSize = 32 * 1024;
// Bytes read between two flushes, so WINDOW_UPDATEs and ACKs go out while a
// fast server keeps the socket full.
constexpr size_t kReadBetweenFlushes = 128 * 1024;
// Bytes one Pump() reads at most before it yields to the host's loop, so
// a peer that keeps the socket readable cannot starve the loop's timers
// (deadlines) or its other connections.
constexpr size_t kReadBudgetPerPump = 256 * 1024;
// Bytes read, once a stream has ended in a drive, before the drive yields
// so that the application's next requests go out (ReadAvailable).
constexpr size_t kYieldAfterEnds = 32 * 1024;
// Rounds of flush/read/timers one call makes while anything moves; the
// loop ends earlier as soon as a round moves nothing.
constexpr int kMaxRounds = 64;

strata_status StatusForConnectionError(const absl::Status& st) {
  switch (st.code()) {
    case absl::StatusCode::kResourceExhausted:
      return STRATA_E_LIMIT;  // ENHANCE_YOUR_CALM
    case absl::StatusCode::kDeadlineExceeded:
      return STRATA_E_TIMEOUT;  // SETTINGS_TIMEOUT, PING timeout
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kAborted:
      return STRATA_E_CLOSED;
    default:
      return STRATA_E_PROTOCOL;
  }
}

}  // namespace

H2Session::H2Session(strata_layer_ctx* ctx, const H2LayerOptions& options)
    : SessionLayer(ctx),
      options_(options),
      clock_(this),
      recv_buf_(new uint8_t[kRecvBufferSize]),
      sent_trace_("send", true),
      recv_trace_("recv", false) {
  SessionCallbacks* callbacks = this;  // a private base: convert here
  session_ = std::make_unique<ClientSession>(options_.session, callbacks, &clock_);
}

H2Session::~H2Session() {
  // The engine holds pointers to our Stream records; it goes first.
  session_.reset();
}

// ---------------------------------------------------------------------------
// Set-up

strata_status H2Session::AdoptUpgrade(void* user, bool head_request,
                                      absl::Span<const uint8_t> rest) {
  auto s = std::make_unique<Stream>();
  s->user = user;
  Stream* raw = s.get();
  absl::StatusOr<uint32_t> id = session_->Upgrade(raw, head_request);
  if (!id.ok()) return Fail(STRATA_E_INTERNAL, absl::StrCat("h2c upgrade: ", id.status().message()));
  s->id = *id;
  streams_.emplace(*id, std::move(s));
  connected_ = true;
  if (!rest.empty()) {
    if (options_.trace_frames) recv_trace_.Feed(rest, [this](const std::string& line) { TraceFrame(line); });
    // A failure (e.g. HOSTILE 7: not a SETTINGS frame) closes stream 1 with
    // it now; the next progress() reports the dead connection.
    session_->Receive(rest).IgnoreError();
  }
  return STRATA_OK;
}

strata_status H2Session::Connect(int* done) {
  *done = 0;
  strata_status st = Pump();
  if (st < 0) return st;
  if (!session_->server_settings_received()) return STRATA_AGAIN;
  connected_ = true;
  *done = 1;
  return STRATA_OK;
}

// ---------------------------------------------------------------------------
// Streams

uint32_t H2Session::Capacity() {
  if (!connected_ || failed_) return 0;
  const size_t active = session_->active_streams();
  if (active >= options_.max_concurrent_streams) return 0;
  return std::min<uint32_t>(session_->Capacity(),
                            options_.max_concurrent_streams - static_cast<uint32_t>(active));
}

strata_status H2Session::OpenStream(const strata_request_head* head, void* user,
                                    uint32_t* out_id) {
  if (head == nullptr || !STRATA_HAS_FIELD(head, strata_request_head, flags)) {
    return Fail(STRATA_E_INVALID_ARGUMENT, "h2: request head is missing or too old");
  }
  if (failed_) return Fail(STRATA_E_STATE, "h2: the connection has failed");
  const bool tunnel = (head->flags & STRATA_REQUEST_TUNNEL) != 0;
  if (tunnel && (head->method == nullptr || std::string(head->method) != "CONNECT" ||
                 head->content_length >= 0)) {
    return Fail(STRATA_E_INVALID_ARGUMENT,
                "h2: a tunnel stream is a CONNECT with a body of unknown length (RFC 9113 §8.5)");
  }
  absl::Status built = BuildRequestHeaders(*head, &request_fields_);
  if (!built.ok()) {
    return Fail(STRATA_E_INVALID_ARGUMENT, absl::StrCat("h2: ", built.message()));
  }
  if (Capacity() == 0) {
    return Fail(session_->IsGoingAway() ? STRATA_E_NOT_PROCESSED : STRATA_E_STATE,
                "h2: this connection cannot open another stream now");
  }
  const bool has_body = RequestHasBody(*head);
  submitting_ = NewStream();
  submitting_->user = user;
  submitting_->declared = has_body ? head->content_length : 0;
  absl::StatusOr<uint32_t> id =
      session_->SubmitRequest(request_fields_, has_body ? this : nullptr, submitting_.get());
  std::unique_ptr<Stream> s = std::move(submitting_);
  if (!id.ok()) {
    const absl::Status& e = id.status();
    strata_status code = STRATA_E_STATE;
    if (e.code() == absl::StatusCode::kInvalidArgument) code = STRATA_E_INVALID_ARGUMENT;
    if (e.code() == absl::StatusCode::kUnavailable) code = STRATA_E_NOT_PROCESSED;
    return Fail(code, absl::StrCat("h2: ", e.message()));
  }
  *out_id = *id;
  s->id = *id;
  // A tunnel's consumer reopens the window as it reads (ControlConsumed).
  if (tunnel && !s->closed) session_->HoldReceiveCredit(*id);
  // The body source may already have failed inside SubmitRequest, which
  // closed the stream and told the host.
  if (!s->closed) streams_.emplace(*id, std::move(s));
  return STRATA_OK;
}

strata_status H2Session::CancelStream(uint32_t id) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return STRATA_OK;  // already finished
  session_->ResetStream(id, ErrorCode::kCancel);
  streams_.erase(it);
  return STRATA_OK;
}

void H2Session::Forget(Stream* s) {
  s->closed = true;
  if (s == submitting_.get()) return;  // OpenStream sees |closed|
  auto it = streams_.find(s->id);
  if (it != streams_.end() && it->second.get() == s) {
    // Callbacks run inside engine calls that still hold |s| in their frame
    // (as the opaque user pointer): free it after the call.
    finished_.push_back(std::move(it->second));
    streams_.erase(it);
  }
}

// ---------------------------------------------------------------------------
// Engine callbacks → host callbacks

strata_status H2Session::DeliverHeadFields(Stream* s, int status, const HeaderList& fields) {
  fields_.clear();
  for (const HeaderField& f : fields) {
    fields_.push_back(strata_header{f.name.data(), f.name.size(), f.value.data(), f.value.size()});
  }
  strata_response_head head{};
  head.struct_size = sizeof(head);
  head.status = status;
  head.http_version = 20;
  head.reason = "";
  head.reason_len = 0;
  head.headers = fields_.data();
  head.header_count = fields_.size();
  return DeliverHead(s->user, &head);
}

void H2Session::Abandon(Stream* s, strata_status rc) {
  void* user = s->user;
  Forget(s);
  DeliverError(user, rc,
               absl::StrCat("h2: the application stopped the response (callback returned ", rc,
                            "); stream reset with CANCEL"));
}

bool H2Session::OnInformational(void* user, int status, const HeaderList& fields) {
  auto* s = static_cast<Stream*>(user);
  strata_status rc = DeliverHeadFields(s, status, fields);
  if (rc < 0) Abandon(s, rc);
  return rc >= 0;
}

bool H2Session::OnHeaders(void* user, int status, const HeaderList& fields, bool end_stream) {
  auto* s = static_cast<Stream*>(user);
  strata_status rc = DeliverHeadFields(s, status, fields);
  if (rc < 0) Abandon(s, rc);
  return rc >= 0;
}

bool H2Session::OnData(void* user, absl::Span<const uint8_t> data) {
  auto* s = static_cast<Stream*>(user);
  strata_status rc = DeliverData(s->user, data.data(), data.size());
  if (rc < 0) Abandon(s, rc);
  return rc >= 0;
}

bool H2Session::OnTrailers(void* user, const HeaderList& trailers) {
  static_cast<Stream*>(user)->trailers = trailers;
  return true;
}

void H2Session::OnStreamClose(void* user, const StreamResult& result) {
  auto* s = static_cast<Stream*>(user);
  void* host_user = s->user;
  if (result.status.ok()) {
    HeaderList trailers = std::move(s->trailers);
    Forget(s);
    fields_.clear();
    for (const HeaderField& f : trailers) {
      fields_.push_back(strata_header{f.name.data(), f.name.size(), f.value.data(), f.value.size()});
    }
    // The host may open streams from inside DeliverEnd, which reuse
    // fields_: deliver from a list of our own and take its storage back.
    std::vector<strata_header> list;
    list.swap(fields_);
    DeliverEnd(host_user, list.data(), list.size());
    if (fields_.capacity() < list.capacity()) {
      list.clear();
      fields_.swap(list);
    }
    return;
  }
  const strata_status code = StatusForStream(*s, result);
  std::string message = s->body_error != STRATA_OK ? s->body_message : std::string(result.status.message());
  Forget(s);
  DeliverError(host_user, code, message);
}

void H2Session::OnGoaway(uint32_t last_stream_id, uint32_t error_code, absl::string_view debug) {
  Log(STRATA_LOG_INFO,
      absl::StrCat("server sent GOAWAY (last_stream_id=", last_stream_id, ", ",
                   ErrorCodeName(error_code), debug.empty() ? "" : ", \"",
                   debug.substr(0, 200), debug.empty() ? "" : "\"",
                   "): no new streams on this connection"));
}

strata_status H2Session::StatusForStream(const Stream& s, const StreamResult& r) const {
  if (s.body_error != STRATA_OK) return s.body_error;
  if (r.retryable) return STRATA_E_NOT_PROCESSED;
  switch (r.status.code()) {
    case absl::StatusCode::kAborted:
      // The server's RST_STREAM with an error code (a local GOAWAY with an
      // error code never happens: we only send NO_ERROR).
      return STRATA_E_STREAM_RESET;
    case absl::StatusCode::kUnavailable:
      return transport_status_ != STRATA_OK ? transport_status_ : STRATA_E_CLOSED;
    case absl::StatusCode::kDataLoss:
      // Cut short by the connection ending, or by RST_STREAM(NO_ERROR).
      return transport_status_ != STRATA_OK ? transport_status_ : STRATA_E_TRUNCATED;
    case absl::StatusCode::kInvalidArgument:
      return STRATA_E_PROTOCOL;
    case absl::StatusCode::kResourceExhausted:
      return STRATA_E_LIMIT;
    case absl::StatusCode::kDeadlineExceeded:
      return STRATA_E_TIMEOUT;
    default:
      return STRATA_E_INTERNAL;
  }
}

absl::StatusOr<BodyChunk> H2Session::Read(void* user, absl::Span<uint8_t> buffer) {
  auto* s = static_cast<Stream*>(user);
  size_t cap = buffer.size();
  if (s->declared >= 0) {
    const uint64_t left = static_cast<uint64_t>(s->declared) - s->sent;
    // With the declared length reached, one more read must say end of
    // body; a byte here means the source is longer than declared.
    cap = left == 0 ? std::min<size_t>(cap, 1) : static_cast<size_t>(std::min<uint64_t>(cap, left));
  }
  size_t n = 0;
  int eos = 0;
  strata_status st = ReadBody(s->user, buffer.data(), cap, &n, &eos);
  auto fail = [&](std::string message) -> absl::StatusOr<BodyChunk> {
    s->body_error = STRATA_E_BODY;
    s->body_message = message;
    return absl::AbortedError(message);
  };
  if (st == STRATA_AGAIN || (st == STRATA_OK && n == 0 && eos == 0)) {
    s->body_blocked = true;
    any_body_blocked_ = true;
    return BodyChunk{};
  }
  if (st < 0) return fail(absl::StrCat("request body source failed (status ", st, ")"));
  if (n > cap) return fail("request body source overran the buffer it was given");
  s->sent += n;
  if (s->declared >= 0) {
    if (s->sent > static_cast<uint64_t>(s->declared)) {
      return fail(absl::StrCat("request body source gave more than the declared ", s->declared,
                               " bytes"));
    }
    if (eos != 0 && s->sent < static_cast<uint64_t>(s->declared)) {
      return fail(absl::StrCat("request body source ended after ", s->sent, " of ", s->declared,
                               " declared bytes"));
    }
  }
  return BodyChunk{n, eos != 0};
}

// ---------------------------------------------------------------------------
// I/O

strata_status H2Session::Progress() {
  if (failed_) return Fail(failed_status_, failed_message_);
  // Bodies that had nothing get another chance each time the host drives
  // us (the runtime re-drives a connection whose body reader said AGAIN).
  // Only when one is paused: walking every stream on every drive cost more
  // than the drive. A body asked again that is still paused sets the flag
  // anew.
  if (any_body_blocked_) {
    any_body_blocked_ = false;
    // Ids first: resuming may end a stream (and erase it) from a callback.
    resume_ids_.clear();
    for (auto& [id, s] : streams_) {
      if (s->body_blocked) {
        s->body_blocked = false;
        resume_ids_.push_back(id);
      }
    }
    for (uint32_t id : resume_ids_) session_->ResumeBody(id);
  }
  strata_status st = Pump();
  RecycleFinished();
  return st < 0 ? st : STRATA_OK;
}

std::unique_ptr<H2Session::Stream> H2Session::NewStream() {
  if (spare_streams_.empty()) return std::make_unique<Stream>();
  std::unique_ptr<Stream> s = std::move(spare_streams_.back());
  spare_streams_.pop_back();
  *s = Stream();
  return s;
}

void H2Session::RecycleFinished() {
  // A few spare Stream objects save an allocation per request; more than
  // the streams a connection runs at once would only hold memory.
  for (std::unique_ptr<Stream>& s : finished_) {
    if (spare_streams_.size() < kMaxSpareStreams) spare_streams_.push_back(std::move(s));
  }
  finished_.clear();
}

strata_status H2Session::Pump() {
  if (failed_) return Fail(failed_status_, failed_message_);
  read_budget_ = kReadBudgetPerPump;
  read_yielded_ = false;
  read_drained_ = false;
  finished_at_pump_ = finished_.size();
  for (int round = 0; round < kMaxRounds; ++round) {
    bool moved = false;
    strata_status st = Flush(&moved);
    if (st < 0) return st;
    st = ReadAvailable(&moved);
    if (st < 0) return st;
    if (session_->IsDead()) return ConnectionDied();
    RunTimers();
    if (session_->IsDead()) return ConnectionDied();
    // Nothing moved: output (if any) waits for the layer below to drain.
    if (!moved || read_yielded_) break;
  }
  ArmWake();
  return STRATA_OK;
}

strata_status H2Session::Flush(bool* moved) {
  while (session_->OutputPending()) {
    absl::Span<const uint8_t> out = session_->Output();
    size_t written = 0;
    strata_status st = LowerSend(out.data(), out.size(), &written);
    if (st == STRATA_AGAIN) return STRATA_OK;
    if (st < 0) {
      // The server may have said why before it closed (GOAWAY): read what
      // is there, then end the session with the send error.
      bool ignored = false;
      read_budget_ = kReadBudgetPerPump;
      read_drained_ = false;
      if (ReadAvailable(&ignored) < 0 || session_->IsDead()) return ConnectionDied();
      TransportEnded(st, absl::StrCat("sending to the server failed (status ", st, ")"));
      return ConnectionDied();
    }
    written = std::min(written, out.size());
    if (written == 0) return STRATA_OK;
    if (options_.trace_frames) sent_trace_.Feed(out.first(written), [this](const std::string& line) { TraceFrame(line); });
    session_->ConsumeOutput(written);
    *moved = true;
  }
  return STRATA_OK;
}

strata_status H2Session::ReadAvailable(bool* moved) {
  size_t since_flush = 0;
  while (!read_drained_ && !session_->IsDead()) {
    if (read_budget_ == 0) {
      read_yielded_ = true;
      return STRATA_OK;
    }
    size_t n = 0;
    const size_t want = std::min(kRecvBufferSize, read_budget_);
    strata_status st = LowerRecv(recv_buf_.get(), want, &n);
    if (st == STRATA_AGAIN) {
      // Drained for now: the later rounds of this Pump() do not ask again
      // (they would only hear EAGAIN; level-triggered epoll brings later
      // bytes). A short read is no proof of that: a TLS layer below returns
      // one record at a time.
      read_drained_ = true;
      return STRATA_OK;
    }
    if (st < 0) {
      TransportEnded(st, absl::StrCat("receiving from the server failed (status ", st, ")"));
      return STRATA_OK;  // the caller sees IsDead()
    }
    *moved = true;
    if (n == 0) {
      TransportEnded(STRATA_E_CLOSED, "the server closed the connection");
      return STRATA_OK;
    }
    read_budget_ -= std::min(read_budget_, n);
    absl::Span<const uint8_t> bytes(recv_buf_.get(), n);
    if (options_.trace_frames) recv_trace_.Feed(bytes, [this](const std::string& line) { TraceFrame(line); });
    // An error kills the session (GOAWAY queued, streams told); the
    // caller sees IsDead().
    session_->Receive(bytes).IgnoreError();
    // Once streams have ended in this drive, yield after kYieldAfterEnds
    // bytes, so the application hears of them and its next requests leave
    // in this turn's flush while the server still has requests to answer.
    // Reading on to the budget made client and server take turns (the
    // server idle while the client parsed 100 responses, then the client
    // idle while the server answered them): 0.65× h2load's request rate at
    // -m100, 0.95× with this yield. A bulk download ends no stream and
    // reads on to the budget.
    if (finished_.size() > finished_at_pump_ && kReadBudgetPerPump - read_budget_ >= kYieldAfterEnds) {
      read_yielded_ = true;
      return STRATA_OK;
    }

    since_flush += n;
    if (since_flush >= kReadBetweenFlushes) {
      since_flush = 0;
      bool ignored = false;
      strata_status fst = Flush(&ignored);
      if (fst < 0) return fst;
    }
  }
  return STRATA_OK;
}

void H2Session::TransportEnded(strata_status status, const std::string& message) {
  if (session_->IsDead()) return;
  transport_status_ = status;
  session_->TransportClosed(absl::UnavailableError(message));
}

void H2Session::RunTimers() {
  if (clock_.Now() >= session_->NextDeadline()) session_->OnTimer();
}

void H2Session::ArmWake() {
  if (read_yielded_ && !failed_) {
    // The read budget ran out: come back on the next turn of the loop.
    // Always asked anew (the host forgets a wake once it fired), and the
    // next ArmWake() must not take it for a deadline already set.
    WakeAt(NowMs());
    wake_ms_ = UINT64_MAX;
    return;
  }
  const uint64_t ms = failed_ ? 0 : clock_.HostDeadlineMs(session_->NextDeadline());
  if (ms != wake_ms_) {
    wake_ms_ = ms;
    WakeAt(ms);
  }
}

strata_status H2Session::ConnectionDied() {
  if (!failed_) {
    // Best effort: the GOAWAY telling the server why.
    while (transport_status_ == STRATA_OK && session_->OutputPending()) {
      absl::Span<const uint8_t> out = session_->Output();
      size_t written = 0;
      if (LowerSend(out.data(), out.size(), &written) != STRATA_OK || written == 0) break;
      if (options_.trace_frames) sent_trace_.Feed(out.first(std::min(written, out.size())),
                       [this](const std::string& line) { TraceFrame(line); });
      session_->ConsumeOutput(written);
    }
    const absl::Status& e = session_->connection_error();
    failed_ = true;
    failed_status_ = transport_status_ != STRATA_OK ? transport_status_ : StatusForConnectionError(e);
    failed_message_ = e.ok() ? "HTTP/2 connection closed" : std::string(e.message());
    if (!connected_) failed_message_ = absl::StrCat("HTTP/2 connection setup failed: ", failed_message_);
    if (wake_ms_ != 0) {
      wake_ms_ = 0;
      WakeAt(0);
    }
  }
  return Fail(failed_status_, failed_message_);
}

// Frames are traced only when asked (trace_frames, `strata -v`): describing
// every frame costs more than handling it.
void H2Session::TraceFrame(const std::string& line) { Log(STRATA_LOG_INFO, line); }

// ---------------------------------------------------------------------------
// State

uint32_t H2Session::PollInterest() {
  if (failed_) return 0;
  // Servers send frames at any time (SETTINGS, PING, GOAWAY): always read.
  uint32_t wants = STRATA_POLL_READ;
  if (session_->OutputPending()) wants |= STRATA_POLL_WRITE;
  return LowerPollInterest(wants);
}

bool H2Session::IsReusable() { return !failed_ && !session_->IsGoingAway(); }

std::string H2Session::Describe() {
  std::optional<absl::Duration> rtt = session_->rtt();
  if (!rtt) return "h2";
  return absl::StrFormat("h2(rtt=%.2f ms)", absl::ToDoubleMilliseconds(*rtt));
}

strata_status H2Session::Query(uint32_t q, void* out, size_t* len) {
  if (q == STRATA_QUERY_HTTP_VERSION) return AnswerInt(20, out, len);
  if (q == STRATA_QUERY_DESCRIBE) return AnswerText(Describe(), out, len);
  return LowerQuery(q, out, len);
}

strata_status H2Session::Control(uint32_t c, const void* arg, size_t len) {
  if (c != STRATA_CONTROL_STREAM_CONSUMED) return SessionLayer::Control(c, arg, len);
  const auto* consumed = static_cast<const strata_stream_consumed*>(arg);
  if (consumed == nullptr || len < sizeof(size_t) ||
      !STRATA_HAS_FIELD(consumed, strata_stream_consumed, bytes)) {
    return Fail(STRATA_E_INVALID_ARGUMENT, "h2: STRATA_CONTROL_STREAM_CONSUMED needs a strata_stream_consumed");
  }
  session_->ReturnReceiveCredit(consumed->stream_id, consumed->bytes);
  return STRATA_OK;
}

strata_status H2Session::Shutdown(int* done) {
  *done = 1;
  if (failed_ || transport_status_ != STRATA_OK || session_->IsDead()) return STRATA_OK;
  session_->Goaway(ErrorCode::kNoError);
  while (session_->OutputPending()) {
    absl::Span<const uint8_t> out = session_->Output();
    size_t written = 0;
    if (LowerSend(out.data(), out.size(), &written) != STRATA_OK || written == 0) break;
    if (options_.trace_frames) sent_trace_.Feed(out.first(std::min(written, out.size())),
                     [this](const std::string& line) { TraceFrame(line); });
    session_->ConsumeOutput(written);
  }
  return STRATA_OK;
}

}  // namespace strata::h2
