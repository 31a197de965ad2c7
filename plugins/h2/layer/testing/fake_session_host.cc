#include "plugins/h2/layer/testing/fake_session_host.h"

#include <algorithm>
#include <cstring>

namespace strata::h2::testing {
namespace {

FakeSessionHost* H(strata_layer_ctx* ctx) { return reinterpret_cast<FakeSessionHost*>(ctx); }
StreamRecord* R(void* user) { return static_cast<StreamRecord*>(user); }

Fields ToFields(const strata_header* h, size_t n) {
  Fields out;
  for (size_t i = 0; i < n; ++i) {
    out.emplace_back(std::string(h[i].name, h[i].name_len), std::string(h[i].value, h[i].value_len));
  }
  return out;
}

}  // namespace

FakeSessionHost::FakeSessionHost() {
  strata_host_services& s = services_;
  std::memset(&s, 0, sizeof(s));
  s.struct_size = sizeof(s);
  s.abi_major = STRATA_ABI_MAJOR;
  s.abi_minor = STRATA_ABI_MINOR;
  s.log = [](strata_layer_ctx* ctx, int32_t level, const char* m) { H(ctx)->logs.emplace_back(level, m); };
  s.set_error = [](strata_layer_ctx* ctx, strata_status st, const char* m) {
    H(ctx)->error_status = st;
    H(ctx)->error_message = m ? m : "";
  };
  // The fake clock belongs to whichever host is current: now_ms has no ctx.
  s.now_ms = []() -> uint64_t { return current_ ? current_->now_ms : 0; };
  s.wake_at = [](strata_layer_ctx* ctx, uint64_t at) { H(ctx)->wake_at = at; };
  s.watch_fd = [](strata_layer_ctx*, int) -> strata_status { return STRATA_OK; };
  s.unwatch_fd = [](strata_layer_ctx*, int) {};
  s.option_get = [](strata_layer_ctx* ctx, const char* key, char* out, size_t* len) -> strata_status {
    auto it = H(ctx)->options.find(key);
    if (it == H(ctx)->options.end()) return STRATA_E_UNSUPPORTED;
    if (*len < it->second.size() + 1) {
      *len = it->second.size() + 1;
      return STRATA_E_BUFFER_TOO_SMALL;
    }
    std::memcpy(out, it->second.c_str(), it->second.size() + 1);
    *len = it->second.size() + 1;
    return STRATA_OK;
  };
  s.lower_connect = [](strata_layer_ctx*, int* done) -> strata_status {
    *done = 1;
    return STRATA_OK;
  };
  s.lower_send = [](strata_layer_ctx* ctx, const uint8_t* d, size_t n, size_t* w) -> strata_status {
    if (H(ctx)->send_blocked) return STRATA_AGAIN;
    H(ctx)->sent.append(reinterpret_cast<const char*>(d), n);
    *w = n;
    return STRATA_OK;
  };
  s.lower_recv = [](strata_layer_ctx* ctx, uint8_t* buf, size_t cap, size_t* r) -> strata_status {
    FakeSessionHost* h = H(ctx);
    *r = 0;
    if (h->inbox_off < h->inbox.size()) {
      size_t n = std::min(cap, h->inbox.size() - h->inbox_off);
      std::memcpy(buf, h->inbox.data() + h->inbox_off, n);
      h->inbox_off += n;
      *r = n;
      return STRATA_OK;
    }
    return h->eof ? STRATA_OK : STRATA_AGAIN;
  };
  s.lower_poll_interest = [](strata_layer_ctx*, uint32_t wants) -> uint32_t { return wants; };
  s.lower_data_pending = [](strata_layer_ctx*) -> int { return 0; };
  s.lower_query = [](strata_layer_ctx* ctx, uint32_t q, void* out, size_t* len) -> strata_status {
    FakeSessionHost* h = H(ctx);
    if (q != STRATA_QUERY_ALPN) return STRATA_E_UNSUPPORTED;
    ++h->alpn_queries;
    if (!h->alpn_known) return STRATA_E_UNSUPPORTED;
    if (*len < h->alpn.size() + 1) return STRATA_E_BUFFER_TOO_SMALL;
    std::memcpy(out, h->alpn.c_str(), h->alpn.size() + 1);
    *len = h->alpn.size() + 1;
    return STRATA_OK;
  };
  s.lower_control = [](strata_layer_ctx*, uint32_t, const void*, size_t) -> strata_status {
    return STRATA_E_UNSUPPORTED;
  };
  s.lower_shutdown = [](strata_layer_ctx*, int* done) -> strata_status {
    *done = 1;
    return STRATA_OK;
  };
  s.stream_read_body = [](strata_layer_ctx*, void* user, uint8_t* buf, size_t cap, size_t* n,
                          int* eos) -> strata_status {
    StreamRecord* r = R(user);
    *n = 0;
    *eos = 0;
    if (r->body_error != STRATA_OK) return r->body_error;
    if (r->body_index >= r->body_pieces.size()) {
      *eos = 1;
      return STRATA_OK;
    }
    std::string& piece = r->body_pieces[r->body_index];
    if (piece.empty()) {
      ++r->body_index;
      return STRATA_AGAIN;
    }
    size_t take = std::min(cap, piece.size());
    std::memcpy(buf, piece.data(), take);
    piece.erase(0, take);
    *n = take;
    if (piece.empty()) ++r->body_index;
    *eos = r->body_index >= r->body_pieces.size();
    return STRATA_OK;
  };
  s.stream_on_head = [](strata_layer_ctx*, void* user, const strata_response_head* h) -> strata_status {
    StreamRecord* r = R(user);
    r->heads.push_back(h->status);
    r->versions.push_back(h->http_version);
    r->fields = ToFields(h->headers, h->header_count);
    return r->head_rc;
  };
  s.stream_on_data = [](strata_layer_ctx*, void* user, const uint8_t* d, size_t n) -> strata_status {
    R(user)->body.append(reinterpret_cast<const char*>(d), n);
    return R(user)->data_rc;
  };
  s.stream_on_end = [](strata_layer_ctx*, void* user, const strata_header* t, size_t n) {
    R(user)->ended = true;
    R(user)->trailers = ToFields(t, n);
    ++R(user)->final_callbacks;
  };
  s.stream_on_error = [](strata_layer_ctx*, void* user, strata_status st, const char* m) {
    R(user)->error = st;
    R(user)->error_message = m ? m : "";
    ++R(user)->final_callbacks;
  };
  current_ = this;
}

FakeSessionHost* FakeSessionHost::current_ = nullptr;

bool FakeSessionHost::LogHas(const std::string& needle, int level) const {
  for (const auto& [l, m] : logs) {
    if ((level == 0 || l == level) && m.find(needle) != std::string::npos) return true;
  }
  return false;
}

uint32_t ClientFrame::error_code() const {
  size_t at = is(FrameType::kGoaway) ? 4 : 0;
  if (payload.size() < at + 4) return UINT32_MAX;
  const auto* p = reinterpret_cast<const uint8_t*>(payload.data()) + at;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

std::vector<ClientFrame> ScriptedServer::NewFrames() {
  std::vector<ClientFrame> out;
  const std::string& s = host_->sent;
  if (!saw_preface_) {
    if (s.size() < pos_ + kClientPrefaceSize) return out;
    if (s.compare(pos_, kClientPrefaceSize, kClientPreface) != 0) return out;
    saw_preface_ = true;
    pos_ += kClientPrefaceSize;
  }
  while (s.size() >= pos_ + kFrameHeaderSize) {
    FrameHeader h = ParseFrameHeader(reinterpret_cast<const uint8_t*>(s.data()) + pos_);
    if (s.size() < pos_ + kFrameHeaderSize + h.length) break;
    ClientFrame f;
    f.header = h;
    f.payload = s.substr(pos_ + kFrameHeaderSize, h.length);
    pos_ += kFrameHeaderSize + h.length;
    if (f.is(FrameType::kHeaders)) {
      // Our client never pads nor prioritizes, and fits a block in one frame.
      hpack::HeaderList list;
      if (decoder_.DecodeBlock(f.payload, 1 << 20, &list).ok()) {
        for (const auto& field : list) f.fields.emplace_back(field.name, field.value);
      }
    }
    out.push_back(f);
    all_.push_back(f);
  }
  return out;
}

void ScriptedServer::Settings(const std::vector<Setting>& settings) {
  AppendSettings(settings, &host_->inbox);
}

void ScriptedServer::SettingsAck() { AppendSettingsAck(&host_->inbox); }

void ScriptedServer::Headers(uint32_t stream_id, const Fields& fields, bool end_stream) {
  hpack::HeaderList list;
  for (const auto& [n, v] : fields) list.push_back({n, v});
  std::string block;
  encoder_.EncodeBlock(list, &block);
  AppendFieldBlock(stream_id, block, end_stream, kDefaultMaxFrameSize, &host_->inbox);
}

void ScriptedServer::Data(uint32_t stream_id, const std::string& data, bool end_stream) {
  AppendData(stream_id, data, end_stream, &host_->inbox);
}

void ScriptedServer::Rst(uint32_t stream_id, uint32_t code) { AppendRstStream(stream_id, code, &host_->inbox); }

void ScriptedServer::Goaway(uint32_t last_stream_id, uint32_t code) {
  AppendGoaway(last_stream_id, code, "", &host_->inbox);
}

}  // namespace strata::h2::testing
