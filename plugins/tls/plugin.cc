// The plugin's entry point: strata-tls.so provides one layer type, "tls".
#include "plugins/tls/tls_layer.h"
#include "strata/sdk.hpp"

STRATA_SDK_PLUGIN("tls", "0.1.0",
                  strata::sdk::StreamLayerType<strata::tls::TlsLayer>(
                      "tls", "TLS 1.2/1.3 client on BoringSSL (SNI, ALPN, verification, resumption)",
                      STRATA_LAYER_FLAG_SECURE))
