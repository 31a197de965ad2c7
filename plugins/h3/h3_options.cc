#include "plugins/h3/h3_options.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace strata::h3 {
namespace {

absl::Status ReadCount(const tls::OptionLookup& lookup, const char* key, uint64_t min, uint64_t max,
                       uint64_t* out) {
  std::optional<std::string> text = lookup(key);
  if (!text) return absl::OkStatus();
  uint64_t v = 0;
  if (!absl::SimpleAtoi(*text, &v) || v < min || v > max) {
    return absl::InvalidArgumentError(absl::StrCat("h3 option '", key, "': expected an integer in [", min, ", ",
                                                   max, "], found ", *text));
  }
  *out = v;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<H3Options> ParseH3Options(const tls::OptionLookup& lookup) {
  H3Options o;
  // The tls layer's parser checks the TLS options; the ones QUIC fixes
  // (alpn, versions) are ignored by the h3 layer.
  absl::StatusOr<tls::TlsOptions> t = tls::ParseTlsOptions(lookup);
  if (!t.ok()) return t.status();
  o.tls = *std::move(t);
  for (auto [key, min, max, out] : {
           std::tuple<const char*, uint64_t, uint64_t, uint64_t*>{"handshake_timeout_ms", 0, 3600000,
                                                                  &o.handshake_timeout_ms},
           {"idle_timeout_ms", 0, 3600000, &o.idle_timeout_ms},
           {"max_concurrent_streams", 1, 10000, &o.max_concurrent_streams},
           {"connection_window", 65536, 1ull << 30, &o.connection_window},
           {"stream_window", 16384, 1ull << 30, &o.stream_window},
           {"max_header_bytes", 1024, 16 << 20, &o.max_header_bytes},
           {"max_udp_payload", 1200, 65527, &o.max_udp_payload},
       }) {
    if (absl::Status st = ReadCount(lookup, key, min, max, out); !st.ok()) return st;
  }
  if (std::optional<std::string> text = lookup("early_data")) {
    if (*text != "true" && *text != "false") {
      return absl::InvalidArgumentError(
          absl::StrCat("h3 option 'early_data': expected true or false, found ", *text));
    }
    o.early_data = *text == "true";
  }
  return o;
}

}  // namespace strata::h3
