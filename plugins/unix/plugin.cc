// The plugin's entry point: strata-unix.so provides one layer type, "unix".
#include "plugins/unix/unix_layer.h"
#include "strata/sdk.hpp"

STRATA_SDK_PLUGIN("unix", "0.1.0",
                  strata::sdk::StreamLayerType<strata::unix_socket::UnixLayer>(
                      "unix", "Unix domain stream socket (curl's --unix-socket)"))
