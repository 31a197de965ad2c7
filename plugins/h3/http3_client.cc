#include "plugins/h3/http3_client.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "plugins/h3/quic/error_names.h"

namespace strata::h3 {
namespace {

using quic::H3ErrorName;
using quic::Hex;

// Fields a request must not carry over HTTP/3 (RFC 9114 §4.2); Host is
// :authority's.
bool IsConnectionField(const std::string& name) {
  return name == "connection" || name == "keep-alive" || name == "proxy-connection" ||
         name == "transfer-encoding" || name == "upgrade" || name == "host";
}

nghttp3_nv Nv(const std::string& name, const std::string& value) {
  return nghttp3_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                    NGHTTP3_NV_FLAG_NONE};
}

Http3Client* Self(void* user) { return static_cast<Http3Client*>(user); }

}  // namespace

Http3Client::Http3Client(Transport* transport, Exchanges* exchanges, uint64_t max_header_bytes, std::string peer)
    : transport_(transport), exchanges_(exchanges), max_header_bytes_(max_header_bytes), peer_(std::move(peer)) {}

Http3Client::~Http3Client() {
  if (conn_) nghttp3_conn_del(conn_);
}

absl::Status Http3Client::Start(int64_t control, int64_t encoder, int64_t decoder) {
  nghttp3_callbacks cb{};
  cb.acked_stream_data = OnAckedData;
  cb.stream_close = OnStreamClose;
  cb.recv_data = OnRecvData;
  cb.deferred_consume = OnDeferredConsume;
  cb.begin_headers = OnBeginHeaders;
  cb.recv_header = OnRecvHeader;
  cb.end_headers = OnEndHeaders;
  cb.begin_trailers = OnBeginTrailers;
  cb.recv_trailer = OnRecvHeader;
  cb.end_trailers = OnEndHeaders;
  cb.stop_sending = OnStopSending;
  cb.end_stream = OnEndStream;
  cb.reset_stream = OnResetStream;
  cb.shutdown = OnShutdown;
  nghttp3_settings settings;
  nghttp3_settings_default(&settings);
  settings.max_field_section_size = max_header_bytes_;
  // A small dynamic table and a bound on streams waiting for it: both are
  // memory the server decides how to use.
  settings.qpack_max_dtable_capacity = 4096;
  settings.qpack_blocked_streams = 100;
  if (nghttp3_conn_client_new(&conn_, &cb, &settings, nghttp3_mem_default(), this) != 0) {
    conn_ = nullptr;
    return absl::ResourceExhaustedError("cannot create the HTTP/3 connection");
  }
  if (nghttp3_conn_bind_control_stream(conn_, control) != 0 ||
      nghttp3_conn_bind_qpack_streams(conn_, encoder, decoder) != 0) {
    return absl::InternalError("cannot bind the HTTP/3 control and QPACK streams");
  }
  return absl::OkStatus();
}

Http3Client::Stream* Http3Client::Find(int64_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

size_t Http3Client::Open() const {
  size_t open = 0;
  for (const auto& [id, s] : streams_) open += s->finished ? 0 : 1;
  return open;
}

void Http3Client::Finish(Stream* s, strata_status status, const std::string& message) {
  if (s->finished) return;
  s->finished = true;
  if (s->user) exchanges_->Error(s->user, status, message);
}

void Http3Client::Abandon(Stream* s, strata_status status, const std::string& message, uint64_t code) {
  Finish(s, status, message);
  transport_->ResetStream(s->id, code);
}

void Http3Client::FailAll(strata_status status, const std::string& message) {
  for (auto& [id, s] : streams_) Finish(s.get(), status, message);
}

absl::Status Http3Client::Submit(int64_t id, const strata_request_head& head, void* user) {
  auto stream = std::make_unique<Stream>();
  Stream* s = stream.get();
  s->id = id;
  s->user = user;
  const bool has_body = !(head.flags & STRATA_REQUEST_NO_BODY) && head.content_length != 0;
  std::vector<std::pair<std::string, std::string>> fields = {
      {":method", head.method}, {":scheme", head.scheme}, {":authority", head.authority}, {":path", head.path}};
  bool has_length = false;
  for (size_t i = 0; i < head.header_count; ++i) {
    std::string name = absl::AsciiStrToLower(std::string(head.headers[i].name, head.headers[i].name_len));
    std::string value(head.headers[i].value, head.headers[i].value_len);
    if (IsConnectionField(name)) continue;
    if (name == "te" && absl::AsciiStrToLower(value) != "trailers") continue;
    if (name == "content-length") has_length = true;
    fields.emplace_back(std::move(name), std::move(value));
  }
  if (has_body && head.content_length > 0 && !has_length) {
    fields.emplace_back("content-length", absl::StrCat(head.content_length));
  }
  std::vector<nghttp3_nv> nva;
  nva.reserve(fields.size());
  for (const auto& [n, v] : fields) nva.push_back(Nv(n, v));
  nghttp3_data_reader reader{ReadBodyCallback};
  streams_[id] = std::move(stream);
  int rv = nghttp3_conn_submit_request(conn_, id, nva.data(), nva.size(), has_body ? &reader : nullptr, s);
  if (rv != 0) {
    streams_.erase(id);
    return absl::InvalidArgumentError(absl::StrCat("cannot send the request head: ", nghttp3_strerror(rv)));
  }
  return absl::OkStatus();
}

void Http3Client::Cancel(int64_t id) {
  Stream* s = Find(id);
  if (!s) return;
  s->finished = true;  // no events for it any more
  s->user = nullptr;
  transport_->ResetStream(id, NGHTTP3_H3_REQUEST_CANCELLED);
}

uint64_t Http3Client::ErrorCode(int lib_error) { return nghttp3_err_infer_quic_app_error_code(lib_error); }

int Http3Client::Received(int64_t id, const uint8_t* data, size_t len, bool fin) {
  nghttp3_ssize consumed = nghttp3_conn_read_stream(conn_, id, data, len, fin ? 1 : 0);
  if (consumed < 0) return static_cast<int>(consumed);
  // Framing and QPACK bytes count against flow control too; body bytes are
  // credited in OnRecvData/OnDeferredConsume.
  if (consumed > 0) transport_->Consumed(id, static_cast<uint64_t>(consumed));
  return 0;
}

int Http3Client::Acked(int64_t id, uint64_t len) { return nghttp3_conn_add_ack_offset(conn_, id, len); }

int Http3Client::Closed(int64_t id, uint64_t code) {
  // nghttp3 reports the end through OnStreamClose, possibly later (a stream
  // still waiting for QPACK encoder instructions stays readable).
  int rv = nghttp3_conn_close_stream(conn_, id, code);
  if (rv == 0) return 0;
  if (rv != NGHTTP3_ERR_STREAM_NOT_FOUND) return rv;
  if (Stream* s = Find(id)) {
    Finish(s, STRATA_E_STREAM_RESET,
           absl::StrCat("stream ", id, " closed with ", H3ErrorName(code), " (", Hex(code), ")"));
    streams_.erase(id);
  }
  return 0;
}

void Http3Client::ReadShut(int64_t id) { nghttp3_conn_shutdown_stream_read(conn_, id); }
void Http3Client::Unblock(int64_t id) { nghttp3_conn_unblock_stream(conn_, id); }

int Http3Client::NextData(int64_t* out_id, int* out_fin, nghttp3_vec* vec, size_t cap) {
  *out_id = -1;
  *out_fin = 0;
  return static_cast<int>(nghttp3_conn_writev_stream(conn_, out_id, out_fin, vec, cap));
}

void Http3Client::Written(int64_t id, size_t n) { nghttp3_conn_add_write_offset(conn_, id, n); }
void Http3Client::Blocked(int64_t id) { nghttp3_conn_block_stream(conn_, id); }
void Http3Client::WriteShut(int64_t id) { nghttp3_conn_shutdown_stream_write(conn_, id); }

void Http3Client::ResumeBodies() {
  for (auto& [id, s] : streams_) {
    if (s->body_blocked && !s->finished) {
      s->body_blocked = false;
      nghttp3_conn_resume_stream(conn_, id);
    }
  }
}

// --- nghttp3 callbacks ------------------------------------------------------------

int Http3Client::OnAckedData(nghttp3_conn*, int64_t, uint64_t len, void*, void* stream_user) {
  auto* s = static_cast<Stream*>(stream_user);
  if (!s) return 0;
  // Drop acknowledged body bytes from the front.
  while (len > 0 && !s->unacked.empty()) {
    const size_t left = s->unacked.front().size() - s->unacked_front_acked;
    if (len >= left) {
      len -= left;
      s->unacked.pop_front();
      s->unacked_front_acked = 0;
    } else {
      s->unacked_front_acked += len;
      len = 0;
    }
  }
  return 0;
}

int Http3Client::OnStreamClose(nghttp3_conn*, int64_t id, uint64_t code, void* user, void*) {
  Http3Client* self = Self(user);
  Stream* s = self->Find(id);
  if (!s) return 0;
  self->Finish(s, STRATA_E_STREAM_RESET,
               absl::StrCat("stream ", id, " closed by ", self->peer_, " with ", H3ErrorName(code), " (", Hex(code),
                            ") before the response was complete"));
  self->streams_.erase(id);
  return 0;
}

int Http3Client::OnRecvData(nghttp3_conn*, int64_t id, const uint8_t* data, size_t len, void* user,
                            void* stream_user) {
  Http3Client* self = Self(user);
  self->transport_->Consumed(id, len);
  auto* s = static_cast<Stream*>(stream_user);
  if (!s || s->finished) return 0;
  strata_status st = self->exchanges_->Data(s->user, data, len);
  // The host gave up on this exchange: cancel the stream only.
  if (st < 0) self->Abandon(s, st, "the response body was refused", NGHTTP3_H3_REQUEST_CANCELLED);
  return 0;
}

int Http3Client::OnDeferredConsume(nghttp3_conn*, int64_t id, size_t consumed, void* user, void*) {
  Self(user)->transport_->Consumed(id, consumed);
  return 0;
}

int Http3Client::OnBeginHeaders(nghttp3_conn*, int64_t, void*, void* stream_user) {
  if (auto* s = static_cast<Stream*>(stream_user)) {
    s->fields.clear();
    s->field_bytes = 0;
    s->in_trailers = false;
  }
  return 0;
}

int Http3Client::OnBeginTrailers(nghttp3_conn*, int64_t, void*, void* stream_user) {
  if (auto* s = static_cast<Stream*>(stream_user)) {
    s->fields.clear();
    s->field_bytes = 0;
    s->in_trailers = true;
  }
  return 0;
}

int Http3Client::OnRecvHeader(nghttp3_conn*, int64_t id, int32_t, nghttp3_rcbuf* name, nghttp3_rcbuf* value,
                              uint8_t, void* user, void* stream_user) {
  Http3Client* self = Self(user);
  auto* s = static_cast<Stream*>(stream_user);
  if (!s || s->finished) return 0;
  nghttp3_vec n = nghttp3_rcbuf_get_buf(name);
  nghttp3_vec v = nghttp3_rcbuf_get_buf(value);
  s->field_bytes += n.len + v.len + 32;  // RFC 9114 §4.2.2's accounting
  if (s->field_bytes > self->max_header_bytes_) {
    self->Abandon(s, STRATA_E_LIMIT,
                  absl::StrCat("response header section from ", self->peer_, " exceeds max_header_bytes (",
                               self->max_header_bytes_, ")"),
                  NGHTTP3_H3_EXCESSIVE_LOAD);
    return 0;
  }
  s->fields.emplace_back(std::string(reinterpret_cast<const char*>(n.base), n.len),
                         std::string(reinterpret_cast<const char*>(v.base), v.len));
  return 0;
}

int Http3Client::OnEndHeaders(nghttp3_conn*, int64_t id, int, void* user, void* stream_user) {
  Http3Client* self = Self(user);
  auto* s = static_cast<Stream*>(stream_user);
  if (!s || s->finished || s->in_trailers) return 0;
  int status = 0;
  std::vector<strata_header> headers;
  for (const auto& [n, v] : s->fields) {
    if (n == ":status") {
      if (!absl::SimpleAtoi(v, &status)) status = 0;
      continue;
    }
    headers.push_back(strata_header{n.data(), n.size(), v.data(), v.size()});
  }
  if (status < 100 || status > 999) {
    self->Abandon(s, STRATA_E_PROTOCOL, absl::StrCat("response from ", self->peer_, " without a valid :status"),
                  NGHTTP3_H3_MESSAGE_ERROR);
    return 0;
  }
  strata_response_head head{};
  head.struct_size = sizeof(head);
  head.status = status;
  head.http_version = 30;
  head.reason = "";
  head.headers = headers.data();
  head.header_count = headers.size();
  strata_status st = self->exchanges_->Head(s->user, head);
  s->fields.clear();
  s->field_bytes = 0;
  if (st < 0) self->Abandon(s, st, "the response head was refused", NGHTTP3_H3_REQUEST_CANCELLED);
  return 0;
}

int Http3Client::OnEndStream(nghttp3_conn*, int64_t, void* user, void* stream_user) {
  Http3Client* self = Self(user);
  auto* s = static_cast<Stream*>(stream_user);
  if (!s || s->finished) return 0;
  std::vector<strata_header> trailers;
  if (s->in_trailers) {
    for (const auto& [n, v] : s->fields) trailers.push_back(strata_header{n.data(), n.size(), v.data(), v.size()});
  }
  s->finished = true;
  self->exchanges_->End(s->user, trailers.data(), trailers.size());
  return 0;
}

int Http3Client::OnStopSending(nghttp3_conn*, int64_t id, uint64_t code, void* user, void*) {
  Self(user)->transport_->StopReading(id, code);
  return 0;
}

int Http3Client::OnResetStream(nghttp3_conn*, int64_t id, uint64_t code, void* user, void*) {
  Self(user)->transport_->StopWriting(id, code);
  return 0;
}

int Http3Client::OnShutdown(nghttp3_conn*, int64_t, void* user) {
  Self(user)->goaway_ = true;
  return 0;
}

nghttp3_ssize Http3Client::ReadBodyCallback(nghttp3_conn*, int64_t id, nghttp3_vec* vec, size_t veccnt,
                                            uint32_t* flags, void* user, void* stream_user) {
  Http3Client* self = Self(user);
  auto* s = static_cast<Stream*>(stream_user);
  if (!s || s->finished || s->body_eos) {
    *flags |= NGHTTP3_DATA_FLAG_EOF;
    return 0;
  }
  std::string chunk(16384, '\0');
  size_t n = 0;
  int eos = 0;
  strata_status st = self->exchanges_->ReadBody(s->user, reinterpret_cast<uint8_t*>(chunk.data()), chunk.size(), &n, &eos);
  if (st == STRATA_AGAIN) {
    s->body_blocked = true;
    return NGHTTP3_ERR_WOULDBLOCK;
  }
  if (st < 0) {
    self->Abandon(s, STRATA_E_BODY, "the request body source failed", NGHTTP3_H3_REQUEST_CANCELLED);
    return NGHTTP3_ERR_WOULDBLOCK;
  }
  if (eos) {
    s->body_eos = true;
    *flags |= NGHTTP3_DATA_FLAG_EOF;
  }
  if (n == 0) return 0;
  chunk.resize(n);
  s->unacked.push_back(std::move(chunk));
  vec[0].base = reinterpret_cast<uint8_t*>(s->unacked.back().data());
  vec[0].len = n;
  return 1;
}

}  // namespace strata::h3
