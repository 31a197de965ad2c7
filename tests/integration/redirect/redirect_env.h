// redirect_env.h — shared pieces of the redirect engine's end-to-end tests
// (issue 5): a runtime configuration with every dist plugin, a recorder of
// the runtime's HOP events, and small helpers to read chains and raw
// requests.
#ifndef STRATA_TESTS_INTEGRATION_REDIRECT_REDIRECT_ENV_H_
#define STRATA_TESTS_INTEGRATION_REDIRECT_REDIRECT_ENV_H_

#include <cstdint>
#include <string>
#include <vector>

#include "strata/strata.h"
#include "tests/support/strata_client.h"

namespace strata::test {

// RedirectTestConfig: tcp, tls, h1 and connect-tunnel from the dist
// plugins; "http" and "https" templates as in the built-in default (the
// https one trusts nothing beyond the system bundle: tests add the test CA
// per request with STRATA_OPT_LAYER_OPTIONS); no proxy from the
// environment; timeouts that turn a hang into a failure.
inline std::string RedirectTestConfig() {
  return "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "],"
         " \"plugins\": [\"tcp\", \"tls\", \"h1\", \"connect-tunnel\"],"
         " \"pipelines\": {\"http\": [\"tcp\", \"h1\"],"
         " \"https\": [\"tcp\", {\"layer\": \"tls\", \"options\": {\"alpn\": [\"http/1.1\"]}}, \"h1\"]},"
         " \"proxy\": {\"from_env\": false},"
         " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 10000,"
         " \"idle_ms\": 10000, \"total_ms\": 30000}}";
}

// One STRATA_EVENT_HOP event, copied out of the callback.
struct HopEvent {
  int32_t hop = 0;
  std::string url;
  int32_t status = 0;
  int32_t reused = 0;
  std::string chain;
  std::string message;
};

struct HopRecorder {
  std::vector<HopEvent> hops;
  std::vector<std::string> connects;  // chains of STRATA_EVENT_CONNECT

  static void Record(void* user, const strata_event* e) {
    auto* self = static_cast<HopRecorder*>(user);
    if (e->type == STRATA_EVENT_HOP) {
      self->hops.push_back({e->hop, e->url, e->status, e->reused, e->chain, e->message});
    } else if (e->type == STRATA_EVENT_CONNECT) {
      self->connects.push_back(e->chain);
    }
  }
  void Attach(strata_runtime* rt) {
    strata_runtime_set_event_callback(rt, &HopRecorder::Record, this,
                                      (1u << STRATA_EVENT_HOP) | (1u << STRATA_EVENT_CONNECT));
  }
  std::string Dump() const {
    std::string out;
    for (const HopEvent& h : hops) out += "  " + h.message + "\n";
    return out;
  }
};

// LayerNames reduces a chain description such as
// "tcp(127.0.0.1:8443) → tls(sni=localhost, alpn=http/1.1) → h1" to the
// layer names, "tcp → tls → h1".
inline std::string LayerNames(const std::string& chain) {
  static const std::string kArrow = " → ";
  std::string out;
  size_t pos = 0;
  while (pos <= chain.size()) {
    size_t next = chain.find(kArrow, pos);
    std::string part = chain.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    size_t paren = part.find('(');
    if (!out.empty()) out += kArrow;
    out += part.substr(0, paren);
    if (next == std::string::npos) break;
    pos = next + kArrow.size();
  }
  return out;
}

// RequestLine is the first line of a raw request.
inline std::string RequestLine(const std::string& raw) { return raw.substr(0, raw.find("\r\n")); }

// RequestBody is everything after the head of a raw request.
inline std::string RequestBody(const std::string& raw) {
  size_t end = raw.find("\r\n\r\n");
  return end == std::string::npos ? "" : raw.substr(end + 4);
}

// HasHeader: does the raw request's head carry |name| (case-insensitive)?
inline bool HasHeader(const std::string& raw, const std::string& name) {
  std::string head = raw.substr(0, raw.find("\r\n\r\n") + 2);
  std::string lower_head, lower_name = "\r\n";
  for (char c : head) lower_head += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (char c : name) lower_name += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower_head.find(lower_name + ":") != std::string::npos;
}

// InfoString returns a STRATA_INFO_STR_* value, or "<error>".
inline std::string InfoString(const FetchResult& r, int32_t id) {
  const char* v = nullptr;
  if (!r.response || strata_response_info_string(r.response.get(), id, &v) != STRATA_OK || !v) return "<error>";
  return v;
}

// Fnv1a64 is a checksum for comparing bodies in failure messages.
inline uint64_t Fnv1a64(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// PatternBody is |n| bytes of a non-repeating-looking pattern (every byte
// value occurs, including CR, LF and NUL).
inline std::string PatternBody(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

}  // namespace strata::test

#endif  // STRATA_TESTS_INTEGRATION_REDIRECT_REDIRECT_ENV_H_
