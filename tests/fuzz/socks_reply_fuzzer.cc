// socks_reply_fuzzer.cc — the proxy's side of a SOCKS handshake, parsed by
// the socks layer (plugins/socks), driven through its C vtable
// (strata_plugin_entry linked in) over an in-memory lower layer.
//
// Input: [flags][k][k read sizes][proxy bytes...]
//   flags bit 0: credentials configured (SOCKS5 offers username/password);
//         bit 1: version "4a"; bit 2: the proxy closes after its bytes
//         (else the lower layer just has nothing more); bit 3: the origin
//         is an IPv4 literal (else a name).
//   The proxy's bytes arrive in reads of the given sizes (1..32, cycled;
//   4096 when k is 0).
// Invariants (trap):
//   - the layer agrees with an oracle that walks the same bytes with the
//     same read boundaries: the tunnel opens iff every reply is valid and
//     no read carried bytes past a reply the client had not yet answered,
//     and then recv() returns exactly the bytes after the final reply
//     (RFC 1928 §6); else connect() fails and keeps failing, or waits
//     (AGAIN) when a reply is merely incomplete and the proxy did not close;
//   - every message the client sent is exactly the expected one for the
//     exchange so far (greeting, RFC 1929 request, CONNECT);
//   - ALPN is answered as "" once open.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "strata/plugin.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" const strata_plugin_descriptor* strata_plugin_entry(void);

using strata::fuzz::Check;
using strata::fuzz::FuzzInput;

namespace {

struct Fake {
  std::string inbox;
  size_t inbox_off = 0;
  std::vector<size_t> chunks;
  size_t chunk_index = 0;
  std::vector<size_t> read_ends;  // inbox offsets where each read ended
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
      f->read_ends.push_back(f->inbox_off);
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
  size_t head_end = 0;         // offset of the tunnel's first byte
  std::string expected_sent;   // what the client must have sent
};

// ReadEnd is where the read holding byte |last| ended, given reads of the
// sizes in |chunks| (cycled; 4096 when empty).
size_t ReadEnd(const std::vector<size_t>& chunks, size_t total, size_t last) {
  size_t pos = 0;
  for (size_t i = 0;; ++i) {
    size_t n = chunks.empty() ? 4096 : chunks[i % chunks.size()];
    pos = std::min(total, pos + n);
    if (pos > last) return pos;
  }
}

const std::string kGreeting("\x05\x01\x00", 3);
const std::string kGreetingWithPassword("\x05\x02\x00\x02", 4);
const std::string kAuth = std::string("\x01\x04", 2) + "user" + "\x02" + "pw";

Oracle RunOracle(std::string_view s, const std::vector<size_t>& chunks, bool creds, bool v4a,
                 bool ipv4, bool eof) {
  Oracle o;
  // Need: enough bytes for |n|, else wait (or fail on EOF).
  auto need = [&](size_t n) -> bool {
    if (s.size() >= n) return true;
    o.outcome = eof ? Outcome::kFailed : Outcome::kWaiting;
    return false;
  };
  auto u8 = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  std::string connect5 = ipv4 ? std::string("\x05\x01\x00\x01\x0a\x00\x00\x01\x01\xbb", 10)
                              : std::string("\x05\x01\x00\x03\x0b", 5) + "example.com" +
                                    std::string("\x01\xbb", 2);
  if (v4a) {
    o.expected_sent = ipv4 ? std::string("\x04\x01\x01\xbb\x0a\x00\x00\x01", 8)
                           : std::string("\x04\x01\x01\xbb\x00\x00\x00\x01", 8);
    o.expected_sent += creds ? std::string("user\0", 5) : std::string("\0", 1);
    if (!ipv4) o.expected_sent += std::string("example.com\0", 12);
    if (!need(2)) return o;
    if (u8(0) != 0 || u8(1) != 90) {
      o.outcome = Outcome::kFailed;
      return o;
    }
    if (!need(8)) return o;
    o.outcome = Outcome::kOpen;
    o.head_end = 8;
    return o;
  }
  o.expected_sent = creds ? kGreetingWithPassword : kGreeting;
  if (!need(2)) return o;
  uint8_t method = u8(1);
  if (u8(0) != 5 || method == 0xff || !(method == 0 || (method == 2 && creds)) ||
      ReadEnd(chunks, s.size(), 1) > 2) {
    o.outcome = Outcome::kFailed;
    return o;
  }
  size_t pos = 2;
  if (method == 2) {
    o.expected_sent += kAuth;
    if (!need(pos + 2)) return o;
    if (u8(pos) != 1 || u8(pos + 1) != 0 || ReadEnd(chunks, s.size(), pos + 1) > pos + 2) {
      o.outcome = Outcome::kFailed;
      return o;
    }
    pos += 2;
  }
  o.expected_sent += connect5;
  if (!need(pos + 2)) return o;
  if (u8(pos) != 5 || u8(pos + 1) != 0) {
    o.outcome = Outcome::kFailed;
    return o;
  }
  if (!need(pos + 5)) return o;
  uint8_t type = u8(pos + 3);
  size_t total;
  if (type == 1) {
    total = 4 + 4 + 2;
  } else if (type == 4) {
    total = 4 + 16 + 2;
  } else if (type == 3 && u8(pos + 4) != 0) {
    total = 5 + u8(pos + 4) + 2;
  } else {
    o.outcome = Outcome::kFailed;
    return o;
  }
  if (!need(pos + total)) return o;
  o.outcome = Outcome::kOpen;
  o.head_end = pos + total;
  return o;
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
  size_t k = in.U8() % 8;
  Fake fake;
  for (size_t i = 0; i < k; ++i) fake.chunks.push_back(in.U8() % 32 + 1);
  std::string_view proxy = in.Rest();
  fake.inbox.assign(proxy.data(), proxy.size());
  bool creds = flags & 1;
  bool v4a = flags & 2;
  fake.eof = flags & 4;
  bool ipv4 = flags & 8;
  if (creds) {
    fake.options["username"] = "user";
    fake.options["password"] = "pw";
  }
  if (v4a) fake.options["version"] = "4a";

  strata_layer_ctx* ctx = reinterpret_cast<strata_layer_ctx*>(&fake);
  strata_layer_config cfg{};
  cfg.struct_size = sizeof(cfg);
  cfg.layer_name = "socks";
  cfg.options_json = "{}";
  cfg.host = ipv4 ? "10.0.0.1" : "example.com";
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
        fake.inbox_off == fake.inbox.size()) {
      break;  // waiting for bytes that will never come
    }
  }

  Oracle o = RunOracle(proxy, fake.chunks, creds, v4a, ipv4, fake.eof);
  std::string tunnel;
  bool tunnel_eof = false;
  if (st == STRATA_OK) {
    Check(o.outcome == Outcome::kOpen);
    Check(done == 1);
    Check(fake.sent == o.expected_sent);
    char alpn[64];
    size_t len = sizeof(alpn);
    Check(vt->query(self, STRATA_QUERY_ALPN, alpn, &len) == STRATA_OK && alpn[0] == '\0');
    std::vector<uint8_t> buf(17);
    for (int i = 0; i < 100000; ++i) {
      size_t n = 0;
      strata_status rs = vt->recv(self, buf.data(), buf.size(), &n);
      if (rs == STRATA_AGAIN) break;
      Check(rs == STRATA_OK && n <= buf.size());
      if (n == 0) {
        tunnel_eof = true;
        break;
      }
      tunnel.append(reinterpret_cast<const char*>(buf.data()), n);
    }
    Check(tunnel == proxy.substr(o.head_end));
    if (fake.eof) Check(tunnel_eof);
  } else if (st == STRATA_AGAIN) {
    Check(o.outcome == Outcome::kWaiting);
    Check(!fake.eof);
    // What was sent so far is a prefix of the whole exchange.
    Check(o.expected_sent.compare(0, fake.sent.size(), fake.sent) == 0);
  } else {
    Check(o.outcome == Outcome::kFailed);
    Check(st < 0 && fake.error_status == st);
    Check(o.expected_sent.compare(0, fake.sent.size(), fake.sent) == 0);
    int done2 = 0;
    Check(vt->connect(self, &done2) == st && done2 == 0);
    size_t n = 0;
    uint8_t b[4];
    Check(vt->recv(self, b, sizeof(b), &n) < 0 && n == 0);
  }
  vt->destroy(self);
  return 0;
}
