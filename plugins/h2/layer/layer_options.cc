#include "plugins/h2/layer/layer_options.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace strata::h2 {
namespace {

constexpr char kLayer[] = "h2";
constexpr uint64_t kMax31 = 0x7fffffff;

// Timeouts: 0 turns the timer off, like the runtime's own timeouts.
absl::Duration Millis(uint64_t ms) {
  return ms == 0 ? absl::InfiniteDuration() : absl::Milliseconds(static_cast<int64_t>(ms));
}

uint64_t MillisOf(absl::Duration d) {
  return d == absl::InfiniteDuration() ? 0 : static_cast<uint64_t>(absl::ToInt64Milliseconds(d));
}

}  // namespace

bool ReadBoolOption(const sdk::LayerBase& layer, const char* layer_name, const char* key,
                    bool fallback) {
  const std::string text = layer.Option(key, "\x01");
  if (text == "\x01") return fallback;
  if (text == "true") return true;
  if (text == "false") return false;
  throw sdk::Error(STRATA_E_CONFIG, absl::StrCat(layer_name, " option ", key,
                                                 ": expected true or false, got ", text));
}

uint64_t ReadUintOption(const sdk::LayerBase& layer, const char* layer_name, const char* key,
                        uint64_t min, uint64_t max, uint64_t fallback) {
  const std::string text = layer.Option(key, "\x01");
  if (text == "\x01") return fallback;
  uint64_t v = 0;
  bool ok = !text.empty() && text.size() <= 19;
  for (char c : text) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok || v < min || v > max) {
    throw sdk::Error(STRATA_E_CONFIG, absl::StrCat(layer_name, " option ", key,
                                                   ": expected a whole number from ", min, " to ",
                                                   max, ", got ", text));
  }
  return v;
}

H2LayerOptions ReadH2LayerOptions(const sdk::LayerBase& layer) {
  H2LayerOptions o;
  SessionOptions& s = o.session;
  s.stream_window = static_cast<uint32_t>(
      ReadUintOption(layer, kLayer, "initial_window_size", 1, kMax31, s.stream_window));
  s.connection_window = static_cast<uint32_t>(ReadUintOption(
      layer, kLayer, "connection_window_size", 65535, kMax31, s.connection_window));
  o.max_concurrent_streams = static_cast<uint32_t>(ReadUintOption(
      layer, kLayer, "max_concurrent_streams", 1, kMax31, o.max_concurrent_streams));
  s.max_concurrent_streams = o.max_concurrent_streams;
  s.max_header_list_size = static_cast<uint32_t>(ReadUintOption(
      layer, kLayer, "max_header_list_size", 1, UINT32_MAX, s.max_header_list_size));
  s.settings_ack_timeout = Millis(ReadUintOption(layer, kLayer, "settings_timeout_ms", 0,
                                                 86400000, MillisOf(s.settings_ack_timeout)));
  s.keepalive_interval = Millis(ReadUintOption(layer, kLayer, "ping_interval_ms", 0, 86400000,
                                               MillisOf(s.keepalive_interval)));
  s.ping_timeout =
      Millis(ReadUintOption(layer, kLayer, "ping_timeout_ms", 0, 86400000, MillisOf(s.ping_timeout)));
  if (ReadBoolOption(layer, kLayer, "enable_push", false)) {
    // The engine advertises ENABLE_PUSH = 0 and treats PUSH_PROMISE as a
    // connection error; there is no ABI to deliver pushed responses.
    throw sdk::Error(STRATA_E_CONFIG,
                     "h2 option enable_push: server push is not supported; leave it false");
  }
  o.trace_frames = ReadBoolOption(layer, kLayer, "trace_frames", false);
  return o;
}

}  // namespace strata::h2
