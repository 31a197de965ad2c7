// connect_reply_fuzzer.cc — the CONNECT reply handling of the connect-tunnel
// layer (plugins/connect_tunnel), driven through its C vtable
// (strata_plugin_entry linked in) over an in-memory lower layer.
//
// Input: [flags][budget][recv cap][k][k chunk sizes][proxy bytes...]
//   flags bit 0: proxy_authorization configured (407 → one retry);
//         bit 1: auth "on_challenge"; bit 2: the proxy closes after its
//         bytes (else the lower layer just has nothing more);
//         bit 3: user_agent option.
//   budget: max_reply_bytes = 256 + 16 * (budget - 1) when non-zero, else default.
//   The proxy's bytes arrive in reads of the given chunk sizes (cycled).
// Invariants (trap):
//   - without credentials the layer agrees with an oracle, h1's
//     ResponseParser in CONNECT context fed the bytes in one piece with the
//     same limits: the tunnel opens iff the final head is 2xx within
//     max_reply_bytes, and then recv() returns exactly the bytes after that
//     head (HOSTILE 69: its Content-Length/TE mean nothing), else connect()
//     fails (STRATA_E_PROXY / PROTOCOL / LIMIT) and keeps failing, or waits
//     (AGAIN) when the reply is merely incomplete and the proxy did not close;
//   - with credentials: an open tunnel only ever returns a suffix of the
//     proxy's bytes, never a byte of the replies' heads or a 407 body
//     (HOSTILE 70);
//   - ALPN is answered as "" once open (HOSTILE 73); every CONNECT sent is a
//     well-formed request for the configured target, at most two of them.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/h1/response_parser.h"
#include "strata/plugin.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" const strata_plugin_descriptor* strata_plugin_entry(void);

using strata::fuzz::Check;
using strata::fuzz::FuzzInput;
namespace h1 = strata::h1;

namespace {

struct Fake {
  std::string inbox;
  size_t inbox_off = 0;
  std::vector<size_t> chunks;
  size_t chunk_index = 0;
  bool eof = false;
  std::string sent;
  std::map<std::string, std::string> options;
  strata_status error_status = STRATA_OK;
};

Fake* F(strata_layer_ctx* ctx) { return reinterpret_cast<Fake*>(ctx); }

strata_status AnswerText(const std::string& text, void* out, size_t* len) {
  if (*len < text.size() + 1) {
    *len = text.size() + 1;
    return STRATA_E_BUFFER_TOO_SMALL;
  }
  std::memcpy(out, text.c_str(), text.size() + 1);
  *len = text.size() + 1;
  return STRATA_OK;
}

strata_host_services MakeServices() {
  strata_host_services s{};
  s.struct_size = sizeof(s);
  s.abi_major = STRATA_ABI_MAJOR;
  s.abi_minor = STRATA_ABI_MINOR;
  s.log = [](strata_layer_ctx*, int32_t, const char*) {};
  s.set_error = [](strata_layer_ctx* ctx, strata_status st, const char*) {
    F(ctx)->error_status = st;
  };
  s.now_ms = []() -> uint64_t { return 1000; };
  s.wake_at = [](strata_layer_ctx*, uint64_t) {};
  s.watch_fd = [](strata_layer_ctx*, int) -> strata_status { return STRATA_E_UNSUPPORTED; };
  s.unwatch_fd = [](strata_layer_ctx*, int) {};
  s.option_get = [](strata_layer_ctx* ctx, const char* key, char* out,
                    size_t* len) -> strata_status {
    auto it = F(ctx)->options.find(key);
    if (it == F(ctx)->options.end()) return STRATA_E_UNSUPPORTED;
    return AnswerText(it->second, out, len);
  };
  s.lower_connect = [](strata_layer_ctx*, int* done) -> strata_status {
    *done = 1;
    return STRATA_OK;
  };
  s.lower_send = [](strata_layer_ctx* ctx, const uint8_t* d, size_t n,
                    size_t* w) -> strata_status {
    F(ctx)->sent.append(reinterpret_cast<const char*>(d), n);
    *w = n;
    return STRATA_OK;
  };
  s.lower_recv = [](strata_layer_ctx* ctx, uint8_t* buf, size_t cap,
                    size_t* r) -> strata_status {
    Fake* f = F(ctx);
    *r = 0;
    if (f->inbox_off < f->inbox.size()) {
      size_t want = f->chunks.empty() ? 4096 : f->chunks[f->chunk_index++ % f->chunks.size()];
      size_t n = std::min({cap, want, f->inbox.size() - f->inbox_off});
      std::memcpy(buf, f->inbox.data() + f->inbox_off, n);
      f->inbox_off += n;
      *r = n;
      return STRATA_OK;
    }
    return f->eof ? STRATA_OK : STRATA_AGAIN;
  };
  s.lower_poll_interest = [](strata_layer_ctx*, uint32_t wants) -> uint32_t { return wants; };
  s.lower_data_pending = [](strata_layer_ctx*) -> int { return 0; };
  s.lower_query = [](strata_layer_ctx*, uint32_t q, void* out, size_t* len) -> strata_status {
    if (q == STRATA_QUERY_ALPN) return AnswerText("h2", out, len);
    return STRATA_E_UNSUPPORTED;
  };
  s.lower_control = [](strata_layer_ctx*, uint32_t, const void*, size_t) -> strata_status {
    return STRATA_E_UNSUPPORTED;
  };
  s.lower_shutdown = [](strata_layer_ctx*, int* done) -> strata_status {
    *done = 1;
    return STRATA_OK;
  };
  return s;
}

const strata_host_services kServices = MakeServices();

enum class Outcome { kOpen, kFailed, kWaiting };

struct Oracle {
  Outcome outcome = Outcome::kWaiting;
  size_t head_end = 0;  // offset of the tunnel's first byte
};

// RunOracle parses the proxy's bytes in one piece as the layer should.
Oracle RunOracle(std::string_view bytes, uint64_t budget, bool eof) {
  h1::RequestContext ctx;
  ctx.connect_request = true;
  h1::ResponseParserLimits limits;
  size_t b = static_cast<size_t>(budget);
  limits.max_header_line_bytes = std::min(limits.max_header_line_bytes, b);
  limits.max_header_block_bytes = std::min(limits.max_header_block_bytes, b);
  limits.max_informational_bytes = std::min(limits.max_informational_bytes, b);
  h1::ResponseParser parser(ctx, limits);
  Oracle o;
  size_t pos = 0;
  while (true) {
    size_t used = 0;
    absl::StatusOr<h1::ResponseEvent> ev = parser.Parse(bytes.substr(pos), &used);
    if (!ev.ok()) {
      o.outcome = Outcome::kFailed;
      return o;
    }
    pos += used;
    if (pos > budget) {
      o.outcome = Outcome::kFailed;
      return o;
    }
    if (*ev == h1::ResponseEvent::kNeedMore) {
      o.outcome = eof ? Outcome::kFailed : Outcome::kWaiting;
      return o;
    }
    if (*ev == h1::ResponseEvent::kHead && !parser.head().informational()) {
      int st = parser.head().status;
      if (st >= 200 && st < 300) {
        o.outcome = Outcome::kOpen;
        o.head_end = pos;
      } else {
        o.outcome = Outcome::kFailed;
      }
      return o;
    }
  }
}

void CheckRequests(const std::string& sent) {
  // Every CONNECT is "CONNECT example.com:443 HTTP/1.1\r\nHost: ...\r\n...\r\n\r\n".
  size_t n = 0;
  size_t pos = 0;
  while (pos < sent.size()) {
    Check(sent.compare(pos, 34, "CONNECT example.com:443 HTTP/1.1\r\n") == 0);
    size_t end = sent.find("\r\n\r\n", pos);
    Check(end != std::string::npos);
    for (size_t i = pos; i < end; ++i) {
      unsigned char c = static_cast<unsigned char>(sent[i]);
      Check(c >= 0x20 || c == '\r' || c == '\n');
    }
    pos = end + 4;
    ++n;
  }
  Check(n <= 2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const strata_plugin_descriptor* desc = [] {
    const strata_plugin_descriptor* d = strata_plugin_entry();
    if (d->init(&kServices) != STRATA_OK) __builtin_trap();
    return d;
  }();
  const strata_stream_layer_vtable* vt = desc->layer_types[0]->stream;

  FuzzInput in(data, size);
  uint8_t flags = in.U8();
  uint8_t budget_sel = in.U8();
  size_t recv_cap = in.U8() % 64 + 1;
  size_t k = in.U8() % 8;
  Fake fake;
  for (size_t i = 0; i < k; ++i) fake.chunks.push_back(in.U8() % 32 + 1);
  std::string_view proxy = in.Rest();
  fake.inbox.assign(proxy.data(), proxy.size());
  fake.eof = flags & 4;
  bool credentials = flags & 1;
  if (credentials) fake.options["proxy_authorization"] = "Basic dXNlcjpwYXNz";
  if (flags & 2) fake.options["auth"] = "on_challenge";
  if (flags & 8) fake.options["user_agent"] = "strata-fuzz/1";
  uint64_t budget = 64 * 1024;
  if (budget_sel != 0) {
    budget = 256 + 16 * static_cast<uint64_t>(budget_sel - 1);  // 256 is the option's minimum
    fake.options["max_reply_bytes"] = std::to_string(budget);
  }

  strata_layer_ctx* ctx = reinterpret_cast<strata_layer_ctx*>(&fake);
  strata_layer_config cfg{};
  cfg.struct_size = sizeof(cfg);
  cfg.layer_name = "connect-tunnel";
  cfg.options_json = "{}";
  cfg.host = "example.com";
  cfg.port = 443;
  cfg.hop = 1;
  void* self = nullptr;
  Check(vt->create(ctx, &cfg, &self) == STRATA_OK);

  int done = 0;
  strata_status st = STRATA_AGAIN;
  for (int i = 0; i < 100000 && st == STRATA_AGAIN; ++i) {
    size_t before = fake.inbox_off;
    size_t sent_before = fake.sent.size();
    st = vt->connect(self, &done);
    if (st == STRATA_AGAIN && fake.inbox_off == before && fake.sent.size() == sent_before &&
        (fake.inbox_off == fake.inbox.size())) {
      break;  // waiting for bytes that will never come
    }
  }
  CheckRequests(fake.sent);

  std::string tunnel;
  bool tunnel_eof = false;
  if (st == STRATA_OK) {
    Check(done == 1);
    char alpn[64];
    size_t len = sizeof(alpn);
    Check(vt->query(self, STRATA_QUERY_ALPN, alpn, &len) == STRATA_OK);
    Check(alpn[0] == '\0');
    std::vector<uint8_t> buf(recv_cap);
    for (int i = 0; i < 100000; ++i) {
      size_t n = 0;
      strata_status rs = vt->recv(self, buf.data(), buf.size(), &n);
      if (rs == STRATA_AGAIN) break;
      Check(rs == STRATA_OK);
      Check(n <= buf.size());
      if (n == 0) {
        tunnel_eof = true;
        break;
      }
      tunnel.append(reinterpret_cast<const char*>(buf.data()), n);
    }
    // Everything the proxy sent was read: by the layer or through it.
    Check(fake.inbox_off == fake.inbox.size());
    // The tunnel carries a suffix of the proxy's bytes, after a head.
    Check(tunnel.size() < proxy.size());
    Check(proxy.substr(proxy.size() - tunnel.size()) == tunnel);
    std::string_view before = proxy.substr(0, proxy.size() - tunnel.size());
    Check(before.size() >= 2 && before.back() == '\n');
    if (fake.eof) Check(tunnel_eof);
  } else if (st != STRATA_AGAIN) {
    Check(st < 0);
    Check(fake.error_status == st);
    // Failure sticks.
    int done2 = 0;
    Check(vt->connect(self, &done2) == st && done2 == 0);
    size_t n = 0;
    uint8_t b[4];
    Check(vt->recv(self, b, sizeof(b), &n) < 0 && n == 0);
  } else {
    Check(!fake.eof);
  }

  if (!credentials) {
    Oracle o = RunOracle(proxy, budget, fake.eof);
    switch (o.outcome) {
      case Outcome::kOpen:
        Check(st == STRATA_OK);
        Check(tunnel == proxy.substr(o.head_end));
        break;
      case Outcome::kFailed:
        Check(st < 0);
        break;
      case Outcome::kWaiting:
        Check(st == STRATA_AGAIN);
        break;
    }
  }
  vt->destroy(self);
  return 0;
}
