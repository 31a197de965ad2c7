// The plugin's entry point: strata-udp.so provides one layer type, "udp".
#include "plugins/udp/udp_layer.h"
#include "strata/sdk.hpp"

STRATA_SDK_PLUGIN("udp", "0.1.0",
                  strata::sdk::StreamLayerType<strata::udp::UdpLayer>(
                      "udp", "connected UDP socket, one datagram per send/recv (GSO batches, GRO reads)"))
