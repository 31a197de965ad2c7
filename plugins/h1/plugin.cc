// plugin.cc — strata-h1.so: the "h1" session layer type (h1_session.h).
#include "plugins/h1/h1_session.h"
#include "strata/sdk.hpp"

STRATA_SDK_PLUGIN("h1", "0.1.0",
                  strata::sdk::SessionLayerType<strata::h1::H1Session>(
                      "h1", "HTTP/1.1 client (RFC 9112)"))
