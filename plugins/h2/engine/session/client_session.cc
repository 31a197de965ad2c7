#include "plugins/h2/engine/session/client_session.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "plugins/h2/engine/session/message_checks.h"
#include "plugins/h2/engine/session/priority.h"

namespace strata::h2 {
namespace {

// StatusFor turns a connection error into the status streams and callers
// see; the code tells apart load shedding, timeouts and protocol breakage.
absl::Status StatusFor(ErrorCode code, absl::string_view message) {
  std::string text = absl::StrCat("HTTP/2 connection error ", ErrorCodeName(code), ": ", message);
  switch (code) {
    case ErrorCode::kEnhanceYourCalm:
      return absl::ResourceExhaustedError(text);
    case ErrorCode::kSettingsTimeout:
      return absl::DeadlineExceededError(text);
    default:
      return absl::InvalidArgumentError(text);
  }
}

bool Finite(absl::Duration d) { return d != absl::InfiniteDuration(); }

}  // namespace

struct ClientSession::Stream {
  Stream(uint32_t id_in, void* user_in, BodySource* body_in, int64_t send_window,
         uint32_t recv_window)
      : id(id_in), user(user_in), body(body_in), send(send_window), recv(recv_window, recv_window) {}

  enum class Phase { kAwaitingFinal, kBody, kDone };

  uint32_t id;
  void* user;
  BodySource* body;
  bool head_request = false;
  bool connect_request = false;  // a 2xx answer opens a tunnel: its length means nothing
  bool local_closed = false;   // we sent END_STREAM
  bool remote_closed = false;  // the server sent END_STREAM
  bool body_blocked = false;   // the BodySource had nothing; wait for ResumeBody
  bool hold_credit = false;    // the stream window reopens by ReturnReceiveCredit only
  Phase phase = Phase::kAwaitingFinal;
  bool no_body = false;  // HEAD, 204, 304
  std::optional<uint64_t> content_length;
  uint64_t received = 0;
  size_t informational_bytes = 0;
  SendWindow send;
  ReceiveWindow recv;
  Priority priority;
  uint64_t request_end_offset = 0;  // absolute output offset after its HEADERS
  absl::Time stalled_since = absl::InfiniteFuture();
  absl::Time response_deadline = absl::InfiniteFuture();

  bool wants_to_send() const { return body != nullptr && !local_closed && !body_blocked; }
};

class ClientSession::InCallback {
 public:
  explicit InCallback(ClientSession* s) : s_(s) { ++s_->in_callback_; }
  ~InCallback() { --s_->in_callback_; }

 private:
  ClientSession* s_;
};

ClientSession::ClientSession(const SessionOptions& options, SessionCallbacks* callbacks,
                             Clock* clock)
    : options_(options),
      callbacks_(callbacks),
      clock_(clock),
      conn_recv_(kDefaultWindowSize,
                 std::clamp<uint32_t>(options.connection_window, kDefaultWindowSize, kMaxWindowSize)),
      glitches_(options.glitch_burst, options.glitch_per_second, clock->Now()),
      induced_resets_(options.induced_reset_burst, options.induced_reset_per_second, clock->Now()),
      cancels_(options.cancel_burst, options.cancel_per_second, clock->Now()) {
  options_.stream_window = std::min(options_.stream_window, kMaxWindowSize);
  options_.max_frame_size =
      std::clamp(options_.max_frame_size, kDefaultMaxFrameSize, kMaxAllowedFrameSize);
  peer_.max_concurrent_streams = options_.initial_peer_max_concurrent_streams;
  // A larger table may be used as soon as the server reads our SETTINGS; a
  // smaller one binds only once it has acknowledged them.
  if (options_.header_table_size > hpack::kDefaultTableSize) {
    decoder_.SetTableSizeSetting(options_.header_table_size);
  }
  // Precise: the SETTINGS round trip is the first RTT measured.
  const absl::Time now = clock_->PreciseNow();
  last_receive_ = now;
  out_.append(kClientPreface, kClientPrefaceSize);
  AppendSettings(LocalSettings(options_), &out_);
  outstanding_settings_ = 1;
  settings_sent_at_.push_back(now);
  if (uint32_t inc = conn_recv_.GrowToTarget(); inc > 0) AppendWindowUpdate(0, inc, &out_);
}

ClientSession::~ClientSession() = default;

// ---------------------------------------------------------------------------
// Requests

absl::StatusOr<uint32_t> ClientSession::SubmitRequest(const HeaderList& headers,
                                                      BodySource* body, void* user) {
  if (in_callback_) return absl::FailedPreconditionError("SubmitRequest called from a callback");
  if (dead_) {
    return absl::FailedPreconditionError(
        absl::StrCat("HTTP/2 session is closed: ", connection_error_.message()));
  }
  if (going_away_) {
    return absl::UnavailableError(
        "HTTP/2 connection is going away (GOAWAY or stream ids exhausted); use a new connection");
  }
  RequestInfo info;
  absl::Status st = CheckRequestHead(headers, &info);
  if (!st.ok()) return st;
  if (Capacity() == 0) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "server's MAX_CONCURRENT_STREAMS (", peer_.max_concurrent_streams,
        ") reached; queue the request until Capacity() > 0"));
  }
  size_t list_size = 0;
  for (const HeaderField& f : headers) list_size += hpack::EntrySize(f.name, f.value);
  if (list_size > peer_.max_header_list_size) {
    return absl::InvalidArgumentError(absl::StrCat("request header list of ", list_size,
                                                   " bytes exceeds the server's limit of ",
                                                   peer_.max_header_list_size));
  }
  const uint32_t id = next_stream_id_;
  next_stream_id_ += 2;
  if (next_stream_id_ > kMaxStreamId) going_away_ = true;

  encoded_block_.clear();  // keeps its capacity: no allocation per request
  encoder_.EncodeBlock(headers, &encoded_block_);
  AppendFieldBlock(id, encoded_block_, body == nullptr, peer_.max_frame_size, &out_);

  std::unique_ptr<Stream> s = NewStream(id, user, body);
  s->head_request = info.head;
  s->connect_request = info.connect;
  s->priority = info.priority;
  s->local_closed = body == nullptr;
  s->request_end_offset = out_base_ + out_.size();
  if (s->local_closed && Finite(options_.response_header_timeout)) {
    s->response_deadline = clock_->Now() + options_.response_header_timeout;
  }
  streams_.emplace(id, std::move(s));
  if (body != nullptr) uploading_.insert(id);
  ScheduleData();
  return id;
}

absl::StatusOr<uint32_t> ClientSession::Upgrade(void* user, bool head_request) {
  if (in_callback_ || dead_ || next_stream_id_ != 1) {
    return absl::FailedPreconditionError("Upgrade must be the first call on a fresh session");
  }
  std::unique_ptr<Stream> s = NewStream(1, user, nullptr);
  s->head_request = head_request;
  s->local_closed = true;
  streams_.emplace(1, std::move(s));
  next_stream_id_ = 3;
  // The 101 acknowledged the HTTP2-Settings header: our settings hold now.
  if (options_.header_table_size < decoder_.table_size_setting()) {
    decoder_.SetTableSizeSetting(options_.header_table_size);
  }
  return 1;
}

void ClientSession::ResumeBody(uint32_t stream_id) {
  if (in_callback_) return;
  if (Stream* s = Find(stream_id)) {
    s->body_blocked = false;
    ScheduleData();
  }
}

void ClientSession::HoldReceiveCredit(uint32_t stream_id) {
  if (Stream* s = Find(stream_id)) s->hold_credit = true;
}

void ClientSession::ReturnReceiveCredit(uint32_t stream_id, uint64_t n) {
  if (dead_) return;
  Stream* s = Find(stream_id);
  if (s == nullptr || !s->hold_credit) return;
  // Never more than a window at once: a confused consumer cannot make us
  // grant credit the server did not use.
  CreditStream(s, static_cast<uint32_t>(std::min<uint64_t>(n, uint64_t{1} << 31)));
}

void ClientSession::ResetStream(uint32_t stream_id, ErrorCode code) {
  if (in_callback_ || dead_) return;
  Stream* s = Find(stream_id);
  if (s == nullptr) return;  // idle or closed: never RST it (HOSTILE 37)
  EraseStream(streams_.find(stream_id));
  uploading_.erase(stream_id);
  RememberClosed(stream_id, Closed::kResetByUs);
  if (cancels_.TryTake(clock_->Now())) {
    AppendRstStream(stream_id, static_cast<uint32_t>(code), &out_);
  } else {
    deferred_rsts_.emplace_back(stream_id, code);
  }
  ScheduleData();
}

std::vector<ClientSession::StreamWindows> ClientSession::stream_windows() const {
  std::vector<StreamWindows> out;
  out.reserve(streams_.size());
  for (uint32_t id : SortedIds()) {
    const Stream* s = streams_.at(id).get();
    out.push_back(StreamWindows{id, s->send.available(), s->recv.window()});
  }
  return out;
}

uint32_t ClientSession::Capacity() const {
  if (dead_ || going_away_) return 0;
  const size_t active = streams_.size();
  if (active >= peer_.max_concurrent_streams) return 0;
  const uint32_t ids_left =
      next_stream_id_ > kMaxStreamId ? 0 : (kMaxStreamId - next_stream_id_) / 2 + 1;
  return std::min<uint32_t>(peer_.max_concurrent_streams - static_cast<uint32_t>(active), ids_left);
}

void ClientSession::Goaway(ErrorCode code, absl::string_view debug) {
  if (dead_ || in_callback_) return;
  AppendGoaway(0, static_cast<uint32_t>(code), debug, &out_);
  going_away_ = true;
  if (code != ErrorCode::kNoError) {
    dead_ = true;
    connection_error_ = absl::AbortedError(
        absl::StrCat("HTTP/2 connection closed locally with GOAWAY(", ErrorCodeName(code), ")"));
    CloseAllStreams(connection_error_);
  }
}

void ClientSession::TransportClosed(const absl::Status& cause) {
  if (dead_) return;
  dead_ = true;
  going_away_ = true;
  connection_error_ = cause.ok() ? absl::UnavailableError("connection closed by the peer") : cause;
  for (uint32_t id : SortedIds()) {
    Stream* s = Find(id);
    StreamResult r;
    if (s->remote_closed) {
      r.status = absl::OkStatus();  // response complete; the upload just stops
    } else if (out_base_ + out_pos_ < s->request_end_offset) {
      r.status = absl::UnavailableError(
          absl::StrCat("connection closed before the request was sent: ", connection_error_.message()));
      r.retryable = true;
    } else if (s->phase == Stream::Phase::kAwaitingFinal) {
      r.status = absl::UnavailableError(absl::StrCat("connection closed before the response: ",
                                                     connection_error_.message()));
    } else {
      r.status = absl::DataLossError(absl::StrCat("connection closed during the response: ",
                                                  connection_error_.message()));
    }
    CloseStream(id, r, Closed::kQuietly);
  }
}

void ClientSession::SendPing() {
  if (dead_ || ping_outstanding_) return;
  std::array<uint8_t, 8> opaque{};
  uint64_t n = ++ping_counter_;
  for (int i = 7; i >= 0; --i, n >>= 8) opaque[i] = static_cast<uint8_t>(n);
  AppendPing(false, opaque, &out_);
  ping_outstanding_ = opaque;
  ping_sent_at_ = clock_->PreciseNow();
}

// ---------------------------------------------------------------------------
// Output

absl::Span<const uint8_t> ClientSession::Output() const {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(out_.data()) + out_pos_,
                                   out_.size() - out_pos_);
}

void ClientSession::ConsumeOutput(size_t n) {
  n = std::min(n, out_.size() - out_pos_);
  out_pos_ += n;
  const uint64_t consumed = out_base_ + out_pos_;
  while (!reactive_ends_.empty() && reactive_ends_.front() <= consumed) reactive_ends_.pop_front();
  if (out_pos_ == out_.size()) {
    out_base_ += out_.size();
    out_.clear();
    out_pos_ = 0;
  } else if (out_pos_ > (64 << 10) && out_pos_ > out_.size() / 2) {
    out_.erase(0, out_pos_);
    out_base_ += out_pos_;
    out_pos_ = 0;
  }
  if (!in_callback_) ScheduleData();
}

H2Error ClientSession::QueueReactive(const std::string& frame) {
  out_.append(frame);
  reactive_ends_.push_back(out_base_ + out_.size());
  if (reactive_ends_.size() > options_.max_queued_control_frames) {
    // The server makes us answer faster than it reads (SETTINGS/PING flood,
    // CVE-2019-9512/9515).
    return H2Error::Connection(
        ErrorCode::kEnhanceYourCalm,
        absl::StrCat("more than ", options_.max_queued_control_frames,
                     " ACK/RST frames queued and unread by the server"));
  }
  return H2Error::None();
}

H2Error ClientSession::QueueRst(uint32_t stream_id, ErrorCode code) {
  std::string frame;
  AppendRstStream(stream_id, static_cast<uint32_t>(code), &frame);
  return QueueReactive(frame);
}

void ClientSession::ScheduleData() {
  if (dead_ || in_callback_) return;
  while (!uploading_.empty() && out_.size() - out_pos_ < options_.output_buffer_limit &&
         conn_send_.available() > 0) {
    // RFC 9218 §10: lowest urgency value first; within it, non-incremental
    // streams one at a time in id order, incremental ones round-robin.
    int best_urgency = 8;
    for (uint32_t id : uploading_) {
      const Stream* s = streams_.at(id).get();
      if (s->wants_to_send() && s->send.available() > 0) {
        best_urgency = std::min<int>(best_urgency, s->priority.urgency);
      }
    }
    if (best_urgency == 8) break;
    Stream* pick = nullptr;
    Stream* first_incremental = nullptr;
    Stream* next_incremental = nullptr;
    for (uint32_t id : uploading_) {
      Stream* s = streams_.at(id).get();
      if (!s->wants_to_send() || s->send.available() <= 0 || s->priority.urgency != best_urgency) {
        continue;
      }
      if (!s->priority.incremental) {
        pick = s;
        break;
      }
      if (first_incremental == nullptr) first_incremental = s;
      if (next_incremental == nullptr && id > last_incremental_sent_) next_incremental = s;
    }
    if (pick == nullptr) pick = next_incremental != nullptr ? next_incremental : first_incremental;
    SendDataFrom(pick);
    if (dead_) return;
  }
  UpdateStalls();
}

void ClientSession::SendDataFrom(Stream* s) {
  const uint32_t id = s->id;
  const int64_t room = std::min<int64_t>({s->send.available(), conn_send_.available(),
                                          static_cast<int64_t>(peer_.max_frame_size)});
  const size_t header_pos = out_.size();
  out_.resize(header_pos + kFrameHeaderSize + static_cast<size_t>(room));
  absl::StatusOr<BodyChunk> chunk;
  {
    InCallback guard(this);
    chunk = s->body->Read(
        s->user, absl::Span<uint8_t>(reinterpret_cast<uint8_t*>(&out_[header_pos + kFrameHeaderSize]),
                                     static_cast<size_t>(room)));
  }
  if (!chunk.ok()) {
    out_.resize(header_pos);
    AppendRstStream(id, static_cast<uint32_t>(ErrorCode::kCancel), &out_);
    CloseStream(id, StreamResult{chunk.status(), false}, Closed::kResetByUs);
    return;
  }
  const uint32_t len = static_cast<uint32_t>(std::min<size_t>(chunk->length, room));
  if (len == 0 && !chunk->end_of_body) {
    out_.resize(header_pos);
    s->body_blocked = true;
    return;
  }
  out_.resize(header_pos + kFrameHeaderSize + len);
  std::string header;
  AppendFrameHeader(FrameHeader{len, static_cast<uint8_t>(FrameType::kData),
                                chunk->end_of_body ? flags::kEndStream : uint8_t{0}, id},
                    &header);
  std::memcpy(&out_[header_pos], header.data(), kFrameHeaderSize);
  s->send.Consume(len);
  conn_send_.Consume(len);
  if (s->priority.incremental) last_incremental_sent_ = id;
  if (chunk->end_of_body) {
    s->local_closed = true;
    uploading_.erase(id);
    s->stalled_since = absl::InfiniteFuture();
    if (s->phase == Stream::Phase::kAwaitingFinal && Finite(options_.response_header_timeout)) {
      s->response_deadline = clock_->Now() + options_.response_header_timeout;
    }
    MaybeFinish(id);
  }
}

void ClientSession::UpdateStalls() {
  if (uploading_.empty()) return;  // only uploading streams can stall (others stay InfiniteFuture)
  const absl::Time now = clock_->Now();
  for (uint32_t id : uploading_) {
    Stream* s = streams_.at(id).get();
    if (!s->wants_to_send()) {
      s->stalled_since = absl::InfiniteFuture();
      continue;
    }
    const bool blocked = s->send.available() <= 0 || conn_send_.available() <= 0;
    if (!blocked) {
      s->stalled_since = absl::InfiniteFuture();
    } else if (s->stalled_since == absl::InfiniteFuture()) {
      s->stalled_since = now;
    }
  }
}

void ClientSession::CreditConnection(uint32_t n) {
  if (uint32_t inc = conn_recv_.Consume(n); inc > 0) AppendWindowUpdate(0, inc, &out_);
}

void ClientSession::CreditStream(Stream* s, uint32_t n) {
  if (s == nullptr || s->remote_closed) return;
  if (uint32_t inc = s->recv.Consume(n); inc > 0) AppendWindowUpdate(s->id, inc, &out_);
}

// ---------------------------------------------------------------------------
// Timers

absl::Time ClientSession::NextDeadline() {
  absl::Time t = absl::InfiniteFuture();
  if (dead_) return t;
  if (outstanding_settings_ > 0 && Finite(options_.settings_ack_timeout)) {
    t = std::min(t, settings_sent_at_.front() + options_.settings_ack_timeout);
  }
  if (ping_outstanding_ && Finite(options_.ping_timeout)) {
    t = std::min(t, ping_sent_at_ + options_.ping_timeout);
  }
  if (!ping_outstanding_ && Finite(options_.keepalive_interval)) {
    t = std::min(t, last_receive_ + options_.keepalive_interval);
  }
  // Only uploading streams can stall, and only a finite response-header
  // timeout gives streams a response deadline: walk every stream only then
  // (this runs on every drive).
  if (Finite(options_.response_header_timeout)) {
    for (const auto& [id, s] : streams_) t = std::min(t, s->response_deadline);
  }
  if (Finite(options_.send_stall_timeout)) {
    for (uint32_t id : uploading_) {
      const Stream* s = streams_.at(id).get();
      if (s->stalled_since != absl::InfiniteFuture()) t = std::min(t, s->stalled_since + options_.send_stall_timeout);
    }
  }
  if (!deferred_rsts_.empty()) t = std::min(t, cancels_.NextTokenAt(clock_->Now()));
  return t;
}

void ClientSession::OnTimer() {
  if (dead_ || in_callback_) return;
  const absl::Time now = clock_->Now();
  if (outstanding_settings_ > 0 && Finite(options_.settings_ack_timeout) &&
      now >= settings_sent_at_.front() + options_.settings_ack_timeout) {
    FailConnection(ErrorCode::kSettingsTimeout,
                   StatusFor(ErrorCode::kSettingsTimeout,
                             absl::StrCat("no SETTINGS ACK within ",
                                          absl::FormatDuration(options_.settings_ack_timeout))));
    return;
  }
  if (ping_outstanding_ && Finite(options_.ping_timeout) &&
      now >= ping_sent_at_ + options_.ping_timeout) {
    // The peer is gone or stuck; GOAWAY(NO_ERROR) is a courtesy.
    FailConnection(ErrorCode::kNoError,
                   absl::DeadlineExceededError(absl::StrCat(
                       "HTTP/2 peer silent: no PING ACK within ",
                       absl::FormatDuration(options_.ping_timeout))));
    return;
  }
  if (!ping_outstanding_ && Finite(options_.keepalive_interval) &&
      now >= last_receive_ + options_.keepalive_interval) {
    SendPing();
  }
  std::vector<std::pair<uint32_t, std::string>> expired;
  for (uint32_t id : SortedIds()) {
    const Stream* s = streams_.at(id).get();
    if (s->stalled_since != absl::InfiniteFuture() && Finite(options_.send_stall_timeout) &&
        now >= s->stalled_since + options_.send_stall_timeout) {
      expired.emplace_back(id, absl::StrCat("request body stalled by a flow-control window for ",
                                            absl::FormatDuration(options_.send_stall_timeout)));
    } else if (now >= s->response_deadline) {
      expired.emplace_back(id, absl::StrCat("no response head within ",
                                            absl::FormatDuration(options_.response_header_timeout)));
    }
  }
  for (const auto& [id, why] : expired) {
    AppendRstStream(id, static_cast<uint32_t>(ErrorCode::kCancel), &out_);
    CloseStream(id, StreamResult{absl::DeadlineExceededError(why), false}, Closed::kResetByUs);
  }
  while (!deferred_rsts_.empty() && cancels_.TryTake(now)) {
    AppendRstStream(deferred_rsts_.front().first, static_cast<uint32_t>(deferred_rsts_.front().second),
                    &out_);
    deferred_rsts_.pop_front();
  }
  ScheduleData();
}

// ---------------------------------------------------------------------------
// Input

absl::Status ClientSession::Receive(absl::Span<const uint8_t> bytes) {
  if (in_callback_) return absl::FailedPreconditionError("Receive called from a callback");
  if (dead_) {
    return connection_error_.ok() ? absl::FailedPreconditionError("HTTP/2 session is closed")
                                  : connection_error_;
  }
  last_receive_ = clock_->Now();
  const absl::string_view fresh(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (in_.empty()) {
    // Frames are parsed where the caller's bytes are (their payloads are
    // only borrowed for the callbacks); only a frame cut short is copied,
    // to wait for the rest. Copying every byte read into in_ first showed
    // in profiles.
    input_ = fresh;
    ProcessInput();
    in_.assign(input_.data() + in_pos_, input_.size() - in_pos_);
  } else {
    in_.append(fresh.data(), fresh.size());
    input_ = in_;
    ProcessInput();
    in_.erase(0, in_pos_);
  }
  input_ = absl::string_view();
  in_pos_ = 0;
  ScheduleData();
  return connection_error_;
}

void ClientSession::ProcessInput() {
  while (!dead_) {
    const size_t avail = input_.size() - in_pos_;
    if (skip_ > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(skip_, avail));
      in_pos_ += n;
      skip_ -= n;
      if (skip_ > 0) return;
      continue;
    }
    if (avail < kFrameHeaderSize) return;
    const FrameHeader h = ParseFrameHeader(reinterpret_cast<const uint8_t*>(input_.data()) + in_pos_);
    H2Error err;
    if (!got_server_settings_ &&
        (h.type != static_cast<uint8_t>(FrameType::kSettings) || h.has(flags::kAck))) {
      err = H2Error::Connection(ErrorCode::kProtocolError,
                                "the server's first frame is not SETTINGS (bad preface)");
    } else if (block_.active && h.type != static_cast<uint8_t>(FrameType::kContinuation)) {
      err = H2Error::Connection(ErrorCode::kProtocolError,
                                absl::StrCat("frame of type ", h.type, " inside the field block of stream ",
                                             block_.stream_id));
    } else {
      err = CheckFrameHeader(h, options_.max_frame_size);
    }
    if (err.is_connection()) {
      FailConnection(err.code, StatusFor(err.code, err.message));
      return;
    }
    const bool oversized = h.length > options_.max_frame_size;
    if (err.is_stream() || oversized) {
      // Drop the payload without buffering it.
      in_pos_ += kFrameHeaderSize;
      skip_ = h.length;
      err = OnUnreadFrame(h, err);
    } else {
      if (avail < kFrameHeaderSize + h.length) return;
      absl::string_view payload(input_.data() + in_pos_ + kFrameHeaderSize, h.length);
      in_pos_ += kFrameHeaderSize + h.length;
      Frame frame;
      err = DecodeFrame(h, payload, &frame);
      if (err.ok()) err = ProcessFrame(frame);
      if (err.is_stream()) {
        err = StreamError(err.stream_id, err.code, absl::InvalidArgumentError(err.message));
      }
    }
    if (err.is_connection()) {
      FailConnection(err.code, StatusFor(err.code, err.message));
      return;
    }
  }
}

H2Error ClientSession::OnUnreadFrame(const FrameHeader& h, const H2Error& error) {
  const uint32_t id = h.stream_id;
  if (!IsKnownFrameType(h.type)) return Glitch("unknown-type");
  if (h.type == static_cast<uint8_t>(FrameType::kData)) {
    if (IsIdle(id)) return H2Error::Connection(ErrorCode::kProtocolError, "DATA on an idle stream");
    if (!conn_recv_.Receive(h.length)) {
      return H2Error::Connection(ErrorCode::kFlowControlError,
                                 "DATA exceeds the connection flow-control window");
    }
    CreditConnection(h.length);
  }
  if (Find(id) == nullptr) return H2Error::None();  // PRIORITY on idle/closed: nothing to reset
  return StreamError(id, error.code, absl::InvalidArgumentError(error.message));
}

bool ClientSession::IsIdle(uint32_t stream_id) const {
  if (stream_id == 0) return false;
  // With push disabled the server opens no stream: every even id is idle.
  if (stream_id % 2 == 0) return true;
  return stream_id >= next_stream_id_;
}

H2Error ClientSession::Glitch(const char* what) {
  if (glitches_.TryTake(clock_->Now())) return H2Error::None();
  return H2Error::Connection(ErrorCode::kEnhanceYourCalm,
                             absl::StrCat("too many useless frames (last: ", what, ")"));
}

H2Error ClientSession::ProcessFrame(const Frame& f) {
  if (!f.known_type) return Glitch("unknown-type");
  switch (static_cast<FrameType>(f.header.type)) {
    case FrameType::kData:
      return OnDataFrame(f);
    case FrameType::kHeaders:
    case FrameType::kPushPromise:
      return OnHeadersFrame(f);
    case FrameType::kContinuation:
      return OnContinuationFrame(f);
    case FrameType::kPriority:
      // RFC 9218: accepted and ignored, except the §5.3.1 self-dependency.
      if (f.dependency == f.header.stream_id && Find(f.header.stream_id) != nullptr) {
        return H2Error::Stream(f.header.stream_id, ErrorCode::kProtocolError,
                               "stream depends on itself");
      }
      return H2Error::None();
    case FrameType::kRstStream:
      return OnRstStreamFrame(f);
    case FrameType::kSettings:
      return OnSettingsFrame(f);
    case FrameType::kPing:
      return OnPingFrame(f);
    case FrameType::kGoaway:
      return OnGoawayFrame(f);
    case FrameType::kWindowUpdate:
      return OnWindowUpdateFrame(f);
  }
  return H2Error::None();
}

H2Error ClientSession::FrameOnClosedStream(uint32_t stream_id, const char* what) {
  const Closed* how = FindClosed(stream_id);
  if (how == nullptr || *how == Closed::kResetByUs || *how == Closed::kQuietly) {
    // §5.1: after our RST_STREAM the peer may still have frames in flight.
    return Glitch(what);
  }
  return StreamError(stream_id, ErrorCode::kStreamClosed,
                     absl::InvalidArgumentError(absl::StrCat(what, " on closed stream ", stream_id)));
}

H2Error ClientSession::OnDataFrame(const Frame& f) {
  const uint32_t id = f.header.stream_id;
  const uint32_t len = f.header.length;
  if (IsIdle(id)) {
    return H2Error::Connection(ErrorCode::kProtocolError,
                               absl::StrCat("DATA on idle stream ", id));
  }
  if (!conn_recv_.Receive(len)) {
    return H2Error::Connection(ErrorCode::kFlowControlError,
                               "DATA exceeds the connection flow-control window");
  }
  Stream* s = Find(id);
  if (s == nullptr) {
    CreditConnection(len);
    return FrameOnClosedStream(id, "DATA");
  }
  auto fail = [&](ErrorCode code, absl::Status status) {
    CreditConnection(len);
    return StreamError(id, code, std::move(status));
  };
  if (s->remote_closed) {
    return fail(ErrorCode::kStreamClosed,
                absl::InvalidArgumentError("DATA after END_STREAM"));
  }
  if (!s->recv.Receive(len)) {
    return fail(ErrorCode::kFlowControlError,
                absl::InvalidArgumentError("DATA exceeds the stream flow-control window"));
  }
  if (s->phase == Stream::Phase::kAwaitingFinal) {
    return fail(ErrorCode::kProtocolError,
                absl::InvalidArgumentError("malformed response: DATA before the final response head"));
  }
  const bool end = f.header.has(flags::kEndStream);
  if (f.data.empty() && !end) {
    H2Error g = Glitch("empty DATA");
    if (!g.ok()) return g;
  }
  if (s->no_body && !f.data.empty()) {
    return fail(ErrorCode::kProtocolError,
                absl::InvalidArgumentError(
                    "malformed response: DATA in a response without body (HEAD, 204 or 304)"));
  }
  s->received += f.data.size();
  if (s->content_length && (s->received > *s->content_length ||
                            (end && s->received != *s->content_length))) {
    return fail(ErrorCode::kProtocolError,
                absl::InvalidArgumentError(absl::StrCat(
                    "malformed response: content-length ", *s->content_length, " but ",
                    s->received, end ? "" : "+", " bytes of DATA")));
  }
  if (!f.data.empty()) {
    bool keep;
    {
      InCallback guard(this);
      keep = callbacks_->OnData(
          s->user, absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(f.data.data()),
                                             f.data.size()));
    }
    if (!keep) {
      CreditConnection(len);
      Abandon(id);
      return H2Error::None();
    }
  }
  // Delivered bytes are consumed: the application has them now.
  CreditConnection(len);
  if (end) {
    s->remote_closed = true;
    s->phase = Stream::Phase::kDone;
    MaybeFinish(id);
  } else if (!s->hold_credit) {
    CreditStream(s, len);
  }
  return H2Error::None();
}

H2Error ClientSession::OnHeadersFrame(const Frame& f) {
  const uint32_t id = f.header.stream_id;
  const bool push = f.header.type == static_cast<uint8_t>(FrameType::kPushPromise);
  if (!push) {
    if (id % 2 == 0) {
      return H2Error::Connection(
          ErrorCode::kProtocolError,
          absl::StrCat("HEADERS on even stream ", id, ", which no PUSH_PROMISE reserved"));
    }
    if (IsIdle(id)) {
      return H2Error::Connection(ErrorCode::kProtocolError,
                                 absl::StrCat("HEADERS on stream ", id, ", which we never opened"));
    }
  }
  block_ = PendingBlock();
  block_.active = true;
  block_.stream_id = id;
  block_.push = push;
  block_.end_stream = !push && f.header.has(flags::kEndStream);
  if (f.data.size() > options_.max_header_block_bytes) {
    return H2Error::Connection(ErrorCode::kEnhanceYourCalm, "field block too large");
  }
  block_.bytes.assign(f.data.data(), f.data.size());
  if (f.header.has(flags::kEndHeaders)) return OnFieldBlockComplete();
  if (f.data.empty()) return Glitch("empty field-block fragment");
  return H2Error::None();
}

H2Error ClientSession::OnContinuationFrame(const Frame& f) {
  if (!block_.active) {
    return H2Error::Connection(ErrorCode::kProtocolError, "CONTINUATION without an open field block");
  }
  if (f.header.stream_id != block_.stream_id) {
    return H2Error::Connection(ErrorCode::kProtocolError,
                               absl::StrCat("CONTINUATION on stream ", f.header.stream_id,
                                            " inside the field block of stream ", block_.stream_id));
  }
  if (++block_.continuations > options_.max_continuation_frames) {
    return H2Error::Connection(ErrorCode::kEnhanceYourCalm,
                               absl::StrCat("more than ", options_.max_continuation_frames,
                                            " CONTINUATION frames in one field block"));
  }
  if (block_.bytes.size() + f.data.size() > options_.max_header_block_bytes) {
    return H2Error::Connection(ErrorCode::kEnhanceYourCalm,
                               absl::StrCat("field block larger than ",
                                            options_.max_header_block_bytes, " bytes"));
  }
  block_.bytes.append(f.data.data(), f.data.size());
  if (f.header.has(flags::kEndHeaders)) return OnFieldBlockComplete();
  if (f.data.empty()) return Glitch("empty CONTINUATION");
  return H2Error::None();
}

H2Error ClientSession::OnFieldBlockComplete() {
  const PendingBlock b{block_.active, block_.stream_id, block_.push, block_.end_stream, block_.continuations, {}};
  // Decode every block, whatever its stream's state: the HPACK context is
  // shared by the connection (§4.3). The list and the block's bytes keep
  // their storage for the next block (no allocation per response head).
  HeaderList& list = decoded_;
  absl::Status st = decoder_.DecodeBlock(block_.bytes, options_.max_header_list_size, &list);
  std::string spent = std::move(block_.bytes);
  spent.clear();
  block_ = PendingBlock();
  block_.bytes = std::move(spent);
  if (!st.ok() && st.code() != absl::StatusCode::kResourceExhausted) {
    return H2Error::Connection(ErrorCode::kCompressionError, std::string(st.message()));
  }
  if (b.push) {
    return H2Error::Connection(ErrorCode::kProtocolError,
                               "PUSH_PROMISE although we sent SETTINGS_ENABLE_PUSH = 0");
  }
  Stream* s = Find(b.stream_id);
  if (s == nullptr) return FrameOnClosedStream(b.stream_id, "HEADERS");
  if (s->remote_closed) {
    return StreamError(b.stream_id, ErrorCode::kStreamClosed,
                       absl::InvalidArgumentError("HEADERS after END_STREAM"));
  }
  if (!st.ok()) {
    return StreamError(b.stream_id, ErrorCode::kCancel,
                       absl::ResourceExhaustedError(absl::StrCat("response headers: ", st.message())));
  }
  return OnResponseBlock(s, list, b.end_stream);
}

H2Error ClientSession::OnResponseBlock(Stream* s, HeaderList& block, bool end_stream) {
  const uint32_t id = s->id;
  auto malformed = [&](absl::Status st) {
    return StreamError(id, ErrorCode::kProtocolError, std::move(st));
  };
  bool keep = true;
  if (s->phase == Stream::Phase::kAwaitingFinal) {
    ResponseHead head;
    // |block| (the session's decode list) lends its storage to |head| and
    // gets it back however this branch ends.
    struct GiveBack {
      HeaderList& to;
      ResponseHead& from;
      ~GiveBack() {
        if (!to.empty()) return;
        to = std::move(from.fields);
        // The :status field's strings go back too, at the end (no second
        // shift): the slots rotate by one per response, so after as many
        // responses as a head has fields every slot's strings have grown
        // to the longest value, and decoding allocates nothing.
        if (!from.status_field.name.empty()) to.push_back(std::move(from.status_field));
      }
    } give_back{block, head};
    absl::Status st = CheckResponseHead(std::move(block), &head);
    if (!st.ok()) return malformed(st);
    if (head.status < 200) {
      if (head.status == 101) {
        return malformed(absl::InvalidArgumentError("malformed response: 101 in HTTP/2"));
      }
      if (end_stream) {
        return malformed(absl::InvalidArgumentError("malformed response: 1xx with END_STREAM"));
      }
      // |block| moved into |head|: count its fields there, plus :status.
      s->informational_bytes += hpack::EntrySize(":status", "100");
      for (const HeaderField& f : head.fields) s->informational_bytes += hpack::EntrySize(f.name, f.value);
      if (s->informational_bytes > options_.max_informational_bytes) {
        return StreamError(id, ErrorCode::kCancel,
                           absl::ResourceExhaustedError(absl::StrCat(
                               "1xx responses exceed ", options_.max_informational_bytes, " bytes")));
      }
      {
        InCallback guard(this);
        keep = callbacks_->OnInformational(s->user, head.status, head.fields);
      }
      if (!keep) Abandon(id);
      return H2Error::None();
    }
    // A 2xx to CONNECT (even a 204) makes the stream a tunnel: its
    // Content-Length is ignored (RFC 9110 §9.3.6), the DATA that follows
    // is the tunnel's (docs/hostile-peers.md 69).
    const bool tunnel = s->connect_request && head.status >= 200 && head.status < 300;
    s->no_body = !tunnel && (s->head_request || head.status == 204 || head.status == 304);
    if (!tunnel && head.status == 204 && head.content_length.value_or(0) != 0) {
      return malformed(absl::InvalidArgumentError("malformed response: 204 with content-length"));
    }
    s->content_length = s->no_body || tunnel ? std::nullopt : head.content_length;
    if (end_stream && s->content_length.value_or(0) != 0) {
      return malformed(absl::InvalidArgumentError(absl::StrCat(
          "malformed response: END_STREAM on HEADERS with content-length ", *s->content_length)));
    }
    s->phase = Stream::Phase::kBody;
    s->response_deadline = absl::InfiniteFuture();
    InCallback guard(this);
    keep = callbacks_->OnHeaders(s->user, head.status, head.fields, end_stream);
  } else {
    if (!end_stream) {
      return malformed(absl::InvalidArgumentError("malformed response: trailers without END_STREAM"));
    }
    absl::Status st = CheckTrailers(block);
    if (!st.ok()) return malformed(st);
    if (s->content_length && s->received != *s->content_length) {
      return malformed(absl::InvalidArgumentError(
          absl::StrCat("malformed response: content-length ", *s->content_length, " but ",
                       s->received, " bytes of DATA")));
    }
    InCallback guard(this);
    keep = callbacks_->OnTrailers(s->user, block);
  }
  if (!keep) {
    Abandon(id);
    return H2Error::None();
  }
  if (end_stream) {
    s->remote_closed = true;
    s->phase = Stream::Phase::kDone;
    MaybeFinish(id);
  }
  return H2Error::None();
}

H2Error ClientSession::OnRstStreamFrame(const Frame& f) {
  const uint32_t id = f.header.stream_id;
  if (IsIdle(id)) {
    return H2Error::Connection(ErrorCode::kProtocolError,
                               absl::StrCat("RST_STREAM on idle stream ", id));
  }
  Stream* s = Find(id);
  // A reset for a stream already closed changes nothing, but a stream of
  // them is a flood (docs/hostile-peers.md 36): each one spends the glitch budget.
  if (s == nullptr) return Glitch("RST_STREAM on a closed stream");
  StreamResult r;
  const uint32_t code = f.error_code;
  if (code == static_cast<uint32_t>(ErrorCode::kNoError)) {
    if (!s->remote_closed) {
      r.status = absl::DataLossError("server reset the stream (NO_ERROR) before the response ended");
    }
  } else if (code == static_cast<uint32_t>(ErrorCode::kRefusedStream)) {
    r.status = absl::UnavailableError("server refused the stream (REFUSED_STREAM)");
    r.retryable = true;
  } else {
    r.status = absl::AbortedError(absl::StrCat("server reset the stream with ", ErrorCodeName(code)));
  }
  CloseStream(id, r, Closed::kResetByPeer);
  return H2Error::None();
}

H2Error ClientSession::OnSettingsFrame(const Frame& f) {
  if (f.header.has(flags::kAck)) {
    if (outstanding_settings_ == 0) {
      return H2Error::Connection(ErrorCode::kProtocolError, "SETTINGS ACK without SETTINGS sent");
    }
    --outstanding_settings_;
    rtt_ = clock_->PreciseNow() - settings_sent_at_.front();
    settings_sent_at_.pop_front();
    if (options_.header_table_size < decoder_.table_size_setting()) {
      decoder_.SetTableSizeSetting(options_.header_table_size);
    }
    return H2Error::None();
  }
  got_server_settings_ = true;
  if (f.settings.size() > options_.max_settings_entries) {
    return H2Error::Connection(ErrorCode::kEnhanceYourCalm,
                               absl::StrCat("SETTINGS with ", f.settings.size(), " entries"));
  }
  for (const Setting& s : f.settings) {
    switch (s.id) {
      case kSettingsHeaderTableSize:
        peer_.header_table_size = s.value;
        encoder_.SetPeerTableSizeSetting(s.value);
        break;
      case kSettingsEnablePush:
        // §6.5.2: a server must not send 1; anything but 0/1 is invalid.
        if (s.value != 0) {
          return H2Error::Connection(ErrorCode::kProtocolError,
                                     absl::StrCat("server sent SETTINGS_ENABLE_PUSH = ", s.value));
        }
        break;
      case kSettingsMaxConcurrentStreams:
        peer_.max_concurrent_streams = s.value;
        break;
      case kSettingsInitialWindowSize: {
        if (s.value > kMaxWindowSize) {
          return H2Error::Connection(ErrorCode::kFlowControlError,
                                     absl::StrCat("SETTINGS_INITIAL_WINDOW_SIZE ", s.value));
        }
        const int64_t delta = int64_t{s.value} - peer_.initial_window_size;
        for (uint32_t id : SortedIds()) {
          if (!streams_.at(id)->send.Adjust(delta).ok()) {
            return H2Error::Connection(
                ErrorCode::kFlowControlError,
                absl::StrCat("SETTINGS_INITIAL_WINDOW_SIZE ", s.value,
                             " overflows the window of stream ", id));
          }
        }
        peer_.initial_window_size = s.value;
        break;
      }
      case kSettingsMaxFrameSize:
        if (s.value < kDefaultMaxFrameSize || s.value > kMaxAllowedFrameSize) {
          return H2Error::Connection(ErrorCode::kProtocolError,
                                     absl::StrCat("SETTINGS_MAX_FRAME_SIZE ", s.value));
        }
        peer_.max_frame_size = s.value;
        break;
      case kSettingsMaxHeaderListSize:
        peer_.max_header_list_size = s.value;
        break;
      case kSettingsEnableConnectProtocol:
        if (s.value > 1) {
          return H2Error::Connection(ErrorCode::kProtocolError,
                                     "SETTINGS_ENABLE_CONNECT_PROTOCOL not 0 or 1");
        }
        peer_.enable_connect_protocol = s.value == 1;
        break;
      case kSettingsNoRfc7540Priorities:
        if (s.value > 1) {
          return H2Error::Connection(ErrorCode::kProtocolError,
                                     "SETTINGS_NO_RFC7540_PRIORITIES not 0 or 1");
        }
        peer_.no_rfc7540_priorities = s.value == 1;
        break;
      default:
        break;  // unknown settings are ignored (§6.5.2)
    }
  }
  std::string ack;
  AppendSettingsAck(&ack);
  return QueueReactive(ack);
}

H2Error ClientSession::OnPingFrame(const Frame& f) {
  if (f.header.has(flags::kAck)) {
    if (ping_outstanding_ && *ping_outstanding_ == f.ping) {
      rtt_ = clock_->PreciseNow() - ping_sent_at_;
      ping_outstanding_.reset();
      return H2Error::None();
    }
    return Glitch("unsolicited PING ACK");  // never answered (§6.7)
  }
  std::string ack;
  AppendPing(true, f.ping, &ack);
  return QueueReactive(ack);
}

H2Error ClientSession::OnGoawayFrame(const Frame& f) {
  const uint32_t last = f.last_stream_id;
  if (last != 0 && last % 2 == 0) {
    return H2Error::Connection(ErrorCode::kProtocolError,
                               absl::StrCat("GOAWAY last-stream-id ", last, " is not a client stream"));
  }
  if (goaway_received_ && last > goaway_last_stream_id_) {
    return H2Error::Connection(ErrorCode::kProtocolError,
                               absl::StrCat("GOAWAY last-stream-id grew from ",
                                            goaway_last_stream_id_, " to ", last));
  }
  goaway_received_ = true;
  goaway_last_stream_id_ = last;
  going_away_ = true;
  for (uint32_t id : SortedIds(last)) {
    CloseStream(id,
                StreamResult{absl::UnavailableError(absl::StrCat(
                                 "not processed by the server: GOAWAY(last-stream-id ", last, ", ",
                                 ErrorCodeName(f.error_code), ")")),
                             true},
                Closed::kQuietly);
  }
  InCallback guard(this);
  callbacks_->OnGoaway(last, f.error_code, f.data);
  return H2Error::None();
}

H2Error ClientSession::OnWindowUpdateFrame(const Frame& f) {
  const uint32_t id = f.header.stream_id;
  if (id == 0) {
    if (f.window_increment == 0) {
      return H2Error::Connection(ErrorCode::kProtocolError, "connection WINDOW_UPDATE of 0");
    }
    if (!conn_send_.Increase(f.window_increment).ok()) {
      return H2Error::Connection(ErrorCode::kFlowControlError,
                                 "connection send window exceeds 2^31-1");
    }
    return H2Error::None();
  }
  if (IsIdle(id)) {
    return H2Error::Connection(ErrorCode::kProtocolError,
                               absl::StrCat("WINDOW_UPDATE on idle stream ", id));
  }
  Stream* s = Find(id);
  if (s == nullptr) return H2Error::None();  // closed: ignore (§5.1)
  if (f.window_increment == 0) {
    return H2Error::Stream(id, ErrorCode::kProtocolError, "stream WINDOW_UPDATE of 0");
  }
  if (!s->send.Increase(f.window_increment).ok()) {
    return H2Error::Stream(id, ErrorCode::kFlowControlError, "stream send window exceeds 2^31-1");
  }
  return H2Error::None();
}

// ---------------------------------------------------------------------------
// Stream bookkeeping

ClientSession::Stream* ClientSession::Find(uint32_t stream_id) {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : it->second.get();
}

std::unique_ptr<ClientSession::Stream> ClientSession::NewStream(uint32_t id, void* user,
                                                               BodySource* body) {
  if (spare_streams_.empty()) {
    return std::make_unique<Stream>(id, user, body, peer_.initial_window_size,
                                    options_.stream_window);
  }
  std::unique_ptr<Stream> s = std::move(spare_streams_.back());
  spare_streams_.pop_back();
  *s = Stream(id, user, body, peer_.initial_window_size, options_.stream_window);
  return s;
}

void ClientSession::EraseStream(StreamMap::iterator it) {
  // A few spare Stream records save an allocation per request; more than a
  // connection runs at once would only hold memory.
  if (spare_streams_.size() < kMaxSpareStreams) spare_streams_.push_back(std::move(it->second));
  streams_.erase(it);
}

void ClientSession::RememberClosed(uint32_t stream_id, Closed how) {
  const absl::Time now = clock_->Now();
  closed_.push_back({now, stream_id, how});
  while (!closed_.empty() && (closed_.size() > options_.max_closed_streams_remembered ||
                              closed_.front().at + options_.reset_stream_grace < now)) {
    closed_.pop_front();
  }
}

const ClientSession::Closed* ClientSession::FindClosed(uint32_t stream_id) const {
  for (size_t i = closed_.size(); i > 0; --i) {
    if (closed_[i - 1].stream_id == stream_id) return &closed_[i - 1].how;
  }
  return nullptr;
}

void ClientSession::CloseStream(uint32_t stream_id, StreamResult result, Closed how) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return;
  void* user = it->second->user;
  EraseStream(it);
  uploading_.erase(stream_id);
  RememberClosed(stream_id, how);
  InCallback guard(this);
  callbacks_->OnStreamClose(user, result);
}

void ClientSession::MaybeFinish(uint32_t stream_id) {
  Stream* s = Find(stream_id);
  if (s != nullptr && s->local_closed && s->remote_closed) {
    CloseStream(stream_id, StreamResult{}, Closed::kEnded);
  }
}

H2Error ClientSession::StreamError(uint32_t stream_id, ErrorCode code, absl::Status status) {
  if (!induced_resets_.TryTake(clock_->Now())) {
    return H2Error::Connection(ErrorCode::kEnhanceYourCalm,
                               "too many stream errors caused by the server");
  }
  if (Find(stream_id) == nullptr) {
    const Closed* how = FindClosed(stream_id);
    if (IsIdle(stream_id) || (how != nullptr && *how == Closed::kResetByUs)) {
      return H2Error::None();
    }
    RememberClosed(stream_id, Closed::kResetByUs);
    return QueueRst(stream_id, code);
  }
  H2Error err = QueueRst(stream_id, code);
  CloseStream(stream_id, StreamResult{std::move(status), false}, Closed::kResetByUs);
  return err;
}

void ClientSession::Abandon(uint32_t stream_id) {
  if (Find(stream_id) == nullptr) return;
  EraseStream(streams_.find(stream_id));
  uploading_.erase(stream_id);
  RememberClosed(stream_id, Closed::kResetByUs);
  if (cancels_.TryTake(clock_->Now())) {
    AppendRstStream(stream_id, static_cast<uint32_t>(ErrorCode::kCancel), &out_);
  } else {
    deferred_rsts_.emplace_back(stream_id, ErrorCode::kCancel);
  }
}

void ClientSession::FailConnection(ErrorCode code, absl::Status status) {
  if (dead_) return;
  std::string debug(status.message().substr(0, 256));
  AppendGoaway(0, static_cast<uint32_t>(code), debug, &out_);
  dead_ = true;
  going_away_ = true;
  connection_error_ = status;
  block_ = PendingBlock();
  deferred_rsts_.clear();
  CloseAllStreams(status);
}

std::vector<uint32_t> ClientSession::SortedIds(uint32_t above) const {
  std::vector<uint32_t> ids;
  ids.reserve(streams_.size());
  for (const auto& [id, s] : streams_) {
    if (id > above) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

void ClientSession::CloseAllStreams(const absl::Status& status) {
  for (uint32_t id : SortedIds()) {
    Stream* s = Find(id);
    if (s == nullptr) continue;
    // A request still in our output never reached the server.
    const bool unsent = out_base_ + out_pos_ < s->request_end_offset;
    CloseStream(id, StreamResult{status, unsent}, Closed::kQuietly);
  }
}

}  // namespace strata::h2
