// config.h — the runtime configuration: JSON text → validated Config.
//
// The format is documented in docs/configuration.md. Absent keys take the
// built-in defaults (DefaultConfigJson), so "{}" is the default configuration
// and a user file only says what it changes. Every validation error names the
// JSON path ("/pipelines/http/1/options") and the expected form.
#ifndef STRATA_RUNTIME_CONFIG_CONFIG_H_
#define STRATA_RUNTIME_CONFIG_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace strata {

// One layer of a pipeline template.
struct LayerSpec {
  std::string layer;         // layer type name, e.g. "tcp"
  nlohmann::json options;    // always an object
  std::string json_path;     // where it was configured, for errors
};

// A pipeline template: layers bottom (socket) first.
struct PipelineSpec {
  std::string name;
  std::vector<LayerSpec> layers;
  // A built-in template the user did not touch. It is dropped, not an
  // error, when the configured plugins do not provide its layers (a
  // configuration loading only tcp and h1 simply has no https template).
  bool from_defaults = false;
};

// A plugin to load: by name (found as strata-<name>.so in the search
// directories) or by explicit path.
struct PluginSpec {
  std::string name;
  std::string path;
  std::string json_path;
  // A plugin that may be missing: when no file is found for it, it is
  // skipped instead of failing the configuration ("optional": true).
  bool optional = false;
};

// A policy to apply to every hop (strata/plugin.h "Policies"), in order.
struct PolicySpec {
  std::string plugin;        // the plugin file's name (strata-<plugin>.so)
  std::string policy;        // the policy type's name; the plugin's by default
  std::string path;          // an explicit plugin file, if given
  nlohmann::json options;    // always an object
  std::string json_path;
};

struct Config {
  std::vector<std::string> plugin_dirs;
  std::vector<PluginSpec> plugins;
  std::map<std::string, PipelineSpec> pipelines;
  std::vector<PolicySpec> policies;
  struct Timeouts {
    int64_t connect_ms = 30000;
    int64_t first_byte_ms = 0;
    int64_t idle_ms = 0;
    int64_t total_ms = 0;
  } timeouts;
  struct Pool {
    int64_t max_idle_per_origin = 8;
    int64_t idle_timeout_ms = 60000;
    // Connections open at once per chain fingerprint (origin, route and
    // settings); 0 = no limit (curl's default). Transfers past it wait for
    // one of them (curl's CURLMOPT_MAX_HOST_CONNECTIONS).
    int64_t max_connections_per_origin = 0;
  } pool;
  struct Redirect {
    bool follow = false;
    int64_t max = 20;
    bool unsafe = false;            // allow https → http hops
    bool location_trusted = false;  // keep credentials across origins
  } redirect;
  struct Proxy {
    std::string url;          // "" = none (then the environment, if from_env)
    std::string credentials;  // "user:password"
    std::string no_proxy;     // hosts that bypass the proxy
    bool tunnel = false;      // CONNECT for plain http too
    bool http2 = false;       // tunnels to an https proxy as CONNECT streams on one h2 connection
    bool from_env = true;     // read http_proxy, https_proxy, all_proxy, no_proxy
    nlohmann::json tls = nlohmann::json::object();  // options of the TLS layer to an https proxy
    nlohmann::json h2 = nlohmann::json::object();   // options of the h2-alpn layer to an HTTP/2 proxy
    // "chain" but its last entry (which becomes "url"/"credentials"): the
    // proxies before that one, nearest this client first.
    struct Entry {
      std::string url;
      std::string credentials;
    };
    std::vector<Entry> preproxies;
    // "url" given as a list (PAC-style): proxy URLs and "direct", most
    // preferred first; then |url| is "". Each hop races them (a later one
    // starts when an earlier one has not connected within |stagger_ms|) and
    // the winner is remembered per origin for |remember_ms|.
    std::vector<std::string> candidates;
    int64_t stagger_ms = 250;
    int64_t remember_ms = 300000;
  } proxy;
  struct Limits {
    int64_t max_body_bytes = int64_t{1} << 30;  // collected bodies only
    int64_t max_decoded_bytes = 0;              // a decoded body; 0 = none
    int64_t max_decode_ratio = 200;             // decoded / encoded past 4 MiB; 0 = none
  } limits;
};

// DefaultConfigJson is the built-in configuration, documented in
// docs/configuration.md.
const char* DefaultConfigJson();

// ParseConfig parses |json_text| (empty means "{}") on top of the defaults.
// Errors are InvalidArgument with a message naming the JSON path or, for
// malformed JSON, the line and column.
absl::StatusOr<Config> ParseConfig(absl::string_view json_text);

}  // namespace strata

#endif  // STRATA_RUNTIME_CONFIG_CONFIG_H_
