// The plugin's entry point: strata-socks.so provides one layer type,
// "socks". The tunnel flag makes the runtime give this layer the origin as
// its peer and the layers below the proxy.
#include "plugins/socks/socks_layer.h"
#include "strata/sdk.hpp"

STRATA_SDK_PLUGIN("socks", "0.1.0",
                  strata::sdk::StreamLayerType<strata::socks::SocksLayer>(
                      "socks", "SOCKS5 (RFC 1928/1929) or SOCKS4a tunnel through a proxy",
                      STRATA_LAYER_FLAG_TUNNEL))
