// The plugin's entry point: strata-connect-tunnel.so provides one layer
// type, "connect-tunnel". The tunnel flag makes the runtime give this layer
// the origin as its peer and the layers below the proxy.
#include "plugins/connect_tunnel/connect_tunnel_layer.h"
#include "strata/sdk.hpp"

STRATA_SDK_PLUGIN("connect-tunnel", "0.1.0",
                  strata::sdk::StreamLayerType<strata::connect_tunnel::ConnectTunnelLayer>(
                      "connect-tunnel", "HTTP/1.1 CONNECT tunnel through a proxy",
                      STRATA_LAYER_FLAG_TUNNEL))
