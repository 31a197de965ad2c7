// plugin.cc — strata-h2-alpn.so: the "h2-alpn" and "h2" session layer
// types (alpn_layer.h). Both may multiplex, so the runtime queues requests
// behind a connection being set up instead of opening more.
#include "plugins/h2_alpn/alpn_layer.h"
#include "strata/sdk.hpp"

STRATA_SDK_PLUGIN("h2-alpn", "0.1.0",
                  strata::sdk::SessionLayerType<strata::h2::AlpnLayer>(
                      "h2-alpn", "HTTP/2 when ALPN chose h2, else HTTP/1.1 (RFC 9113 §3.2)",
                      STRATA_LAYER_FLAG_MULTIPLEX),
                  strata::sdk::SessionLayerType<strata::h2::PriorKnowledgeLayer>(
                      "h2", "HTTP/2 with prior knowledge (RFC 9113 §3.3)",
                      STRATA_LAYER_FLAG_MULTIPLEX))
