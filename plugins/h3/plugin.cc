// The plugin's entry point: strata-h3.so provides one session layer, "h3"
// (HTTP/3 over QUIC; the udp layer goes below it).
#include "plugins/h3/h3_session.h"
#include "strata/sdk.hpp"

STRATA_SDK_PLUGIN("h3", "0.1.0",
                  strata::sdk::SessionLayerType<strata::h3::H3Session>(
                      "h3", "HTTP/3 over QUIC v1 (ngtcp2, nghttp3, BoringSSL)",
                      // SECURE: the QUIC handshake is TLS 1.3; the layer
                      // answers the TLS queries as the tls layer does.
                      STRATA_LAYER_FLAG_MULTIPLEX | STRATA_LAYER_FLAG_SECURE))
