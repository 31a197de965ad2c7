// The plugin's entry point: strata-tcp.so provides one layer type, "tcp".
#include "plugins/tcp/tcp_layer.h"
#include "strata/sdk.hpp"

STRATA_SDK_PLUGIN("tcp", "0.1.0",
                  strata::sdk::StreamLayerType<strata::tcp::TcpLayer>(
                      "tcp", "TCP client with Happy Eyeballs"))
