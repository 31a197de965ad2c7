// h3_options.h — the h3 layer's pipeline options. Every limit the peer
// could push on us has a default here.
//
//   TLS (same names and meaning as the tls layer's, plugins/tls/README.md):
//   verify, ca_file, ca_path, server_name, cert, key, session_cache. ALPN
//   is always "h3", the TLS version always 1.3 (QUIC has no other).
//
//   session_cache           true  resume TLS sessions (with the server's
//                                 transport parameters) from the h3 plugin's
//                                 process-wide cache, keyed as the tls
//                                 layer's (peer and trust settings)
//   early_data             false  send idempotent requests (GET, HEAD,
//                                 OPTIONS without a body) in 0-RTT when a
//                                 resumed session allows it; others wait
//                                 for the handshake (early_data.h)
//
//   handshake_timeout_ms   10000  QUIC + TLS handshake; 0 = none
//   idle_timeout_ms        30000  max_idle_timeout we announce (RFC 9000 §10.1)
//   max_concurrent_streams   100  requests in flight on one connection (also
//                                 bounded by the server's MAX_STREAMS)
//   connection_window   16777216  initial_max_data (connection flow control)
//   stream_window        6291456  initial_max_stream_data_* per stream
//   max_header_bytes       65536  a response's header section (and the
//                                 SETTINGS_MAX_FIELD_SECTION_SIZE we announce)
//   max_udp_payload         1452  largest datagram we send
#ifndef STRATA_PLUGINS_H3_H3_OPTIONS_H_
#define STRATA_PLUGINS_H3_H3_OPTIONS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "plugins/tls/tls_options.h"

namespace strata::h3 {

struct H3Options {
  tls::TlsOptions tls;
  uint64_t handshake_timeout_ms = 10000;
  uint64_t idle_timeout_ms = 30000;
  uint64_t max_concurrent_streams = 100;
  uint64_t connection_window = 16 << 20;
  uint64_t stream_window = 6 << 20;
  uint64_t max_header_bytes = 64 << 10;
  uint64_t max_udp_payload = 1452;
  bool early_data = false;
};

// ParseH3Options reads every option through |lookup|; InvalidArgument names
// the option and what was expected.
absl::StatusOr<H3Options> ParseH3Options(const tls::OptionLookup& lookup);

}  // namespace strata::h3

#endif  // STRATA_PLUGINS_H3_H3_OPTIONS_H_
