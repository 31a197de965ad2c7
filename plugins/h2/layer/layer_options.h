// layer_options.h — the JSON options shared by the HTTP/2 session layers
// (h2-alpn, h2, h2-upgrade), read through the host's option_get and mapped
// onto the engine's SessionOptions. docs/configuration.md lists them.
#ifndef STRATA_PLUGINS_H2_LAYER_LAYER_OPTIONS_H_
#define STRATA_PLUGINS_H2_LAYER_LAYER_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "plugins/h2/engine/session/options.h"
#include "strata/sdk.hpp"

namespace strata::h2 {

struct H2LayerOptions {
  SessionOptions session;
  // The most streams we keep open at once (also advertised as our
  // SETTINGS_MAX_CONCURRENT_STREAMS, like curl); the server's own limit
  // applies on top.
  uint32_t max_concurrent_streams = 100;
  // Frame trace lines at STRATA_LOG_INFO (shown by `strata -v`) instead of
  // STRATA_LOG_DEBUG.
  bool trace_frames = false;
};

// ReadH2LayerOptions reads the options of |layer|'s instance:
//   initial_window_size     1..2^31-1      SETTINGS_INITIAL_WINDOW_SIZE
//   connection_window_size  65535..2^31-1  connection receive window
//   max_concurrent_streams  1..2^31-1
//   max_header_list_size    1..2^32-1      SETTINGS_MAX_HEADER_LIST_SIZE
//   settings_timeout_ms     0 (off) or ms  SETTINGS ACK wait
//   ping_interval_ms        0 (off) or ms  keepalive PING after silence
//   ping_timeout_ms         0 (off) or ms  PING ACK wait
//   enable_push             false only (push is not supported)
//   trace_frames            bool
// Throws sdk::Error(STRATA_E_CONFIG) naming the option on a bad value.
H2LayerOptions ReadH2LayerOptions(const sdk::LayerBase& layer);

// ReadBoolOption reads option |key| as a JSON boolean; |fallback| when
// absent. Throws sdk::Error(STRATA_E_CONFIG) for other values. |layer_name|
// prefixes the message.
bool ReadBoolOption(const sdk::LayerBase& layer, const char* layer_name, const char* key,
                    bool fallback);

// ReadUintOption reads option |key| as a whole number in [min, max];
// |fallback| when absent. Throws sdk::Error(STRATA_E_CONFIG) otherwise.
uint64_t ReadUintOption(const sdk::LayerBase& layer, const char* layer_name, const char* key,
                        uint64_t min, uint64_t max, uint64_t fallback);

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_LAYER_LAYER_OPTIONS_H_
