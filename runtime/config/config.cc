#include "runtime/config/config.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace strata {
namespace {


using nlohmann::json;

constexpr char kDefaultConfig[] = R"json({
  "plugin_dirs": [],
  "plugins": ["tcp", "tls", "connect-tunnel", "h1", "h2-alpn", "h2-upgrade", {"name": "socks", "optional": true},
              {"name": "unix", "optional": true}, {"name": "fault", "optional": true},
              {"name": "udp", "optional": true}, {"name": "h3", "optional": true}],
  "pipelines": {
    "http": ["tcp", "h1"],
    "https": ["tcp", {"layer": "tls", "options": {"alpn": ["h2", "http/1.1"]}}, "h2-alpn"],
    "https+h1": ["tcp", {"layer": "tls", "options": {"alpn": ["http/1.1"]}}, "h1"],
    "https+h2": ["tcp", {"layer": "tls", "options": {"alpn": ["h2", "http/1.1"]}}, "h2-alpn"],
    "http+h2c": ["tcp", "h2-upgrade"],
    "http+h2-prior": ["tcp", {"layer": "h2-alpn", "options": {"prior_knowledge": true}}],
    "https+h3": ["udp", "h3"]
  },
  "timeouts": {"connect_ms": 30000, "first_byte_ms": 0, "idle_ms": 0, "total_ms": 0},
  "pool": {"max_idle_per_origin": 8, "idle_timeout_ms": 60000, "max_connections_per_origin": 0},
  "redirect": {"follow": false, "max": 20, "unsafe": false, "location_trusted": false},
  "proxy": {"url": "", "credentials": "", "no_proxy": "", "tunnel": false, "http2": false, "from_env": true, "tls": {}, "h2": {}, "stagger_ms": 250, "remember_ms": 300000},
  "limits": {"max_body_bytes": 1073741824, "max_decoded_bytes": 0, "max_decode_ratio": 200}
})json";

absl::Status PathError(const std::string& path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("configuration ", path, ": ", what));
}

std::string TypeName(const json& v) { return v.type_name(); }

absl::Status CheckKeys(const json& obj, const std::string& path,
                       const std::set<std::string>& allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!allowed.count(it.key())) {
      return PathError(absl::StrCat(path, "/", it.key()),
                       absl::StrCat("unknown key (expected one of: ",
                                    absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadNonNegative(const json& obj, const std::string& path, const char* key,
                             int64_t* out) {
  if (!obj.contains(key)) return absl::OkStatus();
  const json& v = obj[key];
  if (!v.is_number_integer() || v.get<int64_t>() < 0) {
    return PathError(absl::StrCat(path, "/", key),
                     absl::StrCat("expected a non-negative integer, found ", TypeName(v)));
  }
  *out = v.get<int64_t>();
  return absl::OkStatus();
}

absl::Status ReadBool(const json& obj, const std::string& path, const char* key, bool* out) {
  if (!obj.contains(key)) return absl::OkStatus();
  if (!obj[key].is_boolean()) return PathError(absl::StrCat(path, "/", key), "expected true or false");
  *out = obj[key].get<bool>();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LayerSpec>> ParsePipeline(const json& arr, const std::string& path) {
  if (!arr.is_array() || arr.empty()) {
    return PathError(path, "expected a non-empty array of layers (bottom first)");
  }
  std::vector<LayerSpec> layers;
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string lp = absl::StrCat(path, "/", i);
    const json& e = arr[i];
    LayerSpec spec;
    spec.json_path = lp;
    spec.options = json::object();
    if (e.is_string()) {
      spec.layer = e.get<std::string>();
    } else if (e.is_object()) {
      if (absl::Status s = CheckKeys(e, lp, {"layer", "options"}); !s.ok()) return s;
      if (!e.contains("layer") || !e["layer"].is_string()) {
        return PathError(absl::StrCat(lp, "/layer"), "expected the layer name as a string");
      }
      spec.layer = e["layer"].get<std::string>();
      if (e.contains("options")) {
        if (!e["options"].is_object()) {
          return PathError(absl::StrCat(lp, "/options"),
                           absl::StrCat("expected an object, found ", TypeName(e["options"])));
        }
        spec.options = e["options"];
      }
    } else {
      return PathError(lp, "expected a layer name or {\"layer\": name, \"options\": {...}}");
    }
    if (spec.layer.empty()) return PathError(lp, "layer name is empty");
    layers.push_back(std::move(spec));
  }
  return layers;
}

// ReadProxyChain reads "proxy.chain": proxies nearest this client first,
// each a URL or {"url": ..., "credentials": "user:password"}. The last one
// is the proxy nearest the origin (as "url"/"credentials" would be), the
// others its preproxies.
absl::Status ReadProxyChain(const nlohmann::json& t, Config::Proxy* proxy) {
  const json& chain = t["chain"];
  if (!chain.is_array()) return PathError("/proxy/chain", "expected an array of proxy URLs or {\"url\", \"credentials\"}");
  if (t.contains("url") || t.contains("credentials")) {
    return PathError("/proxy/chain", "give either \"chain\" or \"url\"/\"credentials\": the chain's last entry is the proxy");
  }
  std::vector<Config::Proxy::Entry> entries;
  for (size_t i = 0; i < chain.size(); ++i) {
    const json& e = chain[i];
    const std::string path = absl::StrCat("/proxy/chain/", i);
    Config::Proxy::Entry entry;
    if (e.is_string()) {
      entry.url = e.get<std::string>();
    } else if (e.is_object()) {
      if (absl::Status s = CheckKeys(e, path, {"url", "credentials"}); !s.ok()) return s;
      if (!e.contains("url") || !e["url"].is_string()) return PathError(absl::StrCat(path, "/url"), "expected a string");
      entry.url = e["url"].get<std::string>();
      if (e.contains("credentials")) {
        if (!e["credentials"].is_string()) return PathError(absl::StrCat(path, "/credentials"), "expected a string");
        entry.credentials = e["credentials"].get<std::string>();
      }
    } else {
      return PathError(path, "expected a proxy URL or {\"url\", \"credentials\"}");
    }
    if (entry.url.empty()) return PathError(path, "expected a proxy URL, not \"\"");
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) return absl::OkStatus();
  proxy->url = entries.back().url;
  proxy->credentials = entries.back().credentials;
  entries.pop_back();
  proxy->preproxies = std::move(entries);
  return absl::OkStatus();
}

// ReadProxyList reads "proxy.url" given as a list (PAC-style): proxy URLs
// and "direct", most preferred first, raced per hop (docs/configuration.md
// "Proxy lists"). The URLs themselves are checked when the runtime is made,
// where the proxy URL parser lives.
absl::Status ReadProxyList(const json& list, Config::Proxy* proxy) {
  if (list.empty()) {
    return PathError("/proxy/url", "expected at least one entry: a proxy URL or \"direct\" (an empty list names no way "
                                   "to connect; give \"\" for no proxy)");
  }
  std::vector<std::string> candidates;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = absl::StrCat("/proxy/url/", i);
    if (!list[i].is_string()) return PathError(path, "expected a string: a proxy URL or \"direct\"");
    std::string entry = list[i].get<std::string>();
    if (entry.empty()) return PathError(path, "expected a proxy URL or \"direct\", not \"\"");
    candidates.push_back(std::move(entry));
  }
  proxy->url.clear();
  proxy->candidates = std::move(candidates);
  return absl::OkStatus();
}

absl::Status Apply(const json& doc, Config* config, bool defaults) {
  if (!doc.is_object()) return PathError("/", "expected a JSON object at the top level");
  if (absl::Status s = CheckKeys(doc, "", {"plugin_dirs", "plugins", "pipelines", "timeouts",
                                           "pool", "redirect", "limits", "proxy", "policies"});
      !s.ok()) {
    return s;
  }
  if (doc.contains("plugin_dirs")) {
    const json& dirs = doc["plugin_dirs"];
    if (!dirs.is_array()) return PathError("/plugin_dirs", "expected an array of directory paths");
    for (size_t i = 0; i < dirs.size(); ++i) {
      if (!dirs[i].is_string()) {
        return PathError(absl::StrCat("/plugin_dirs/", i), "expected a directory path string");
      }
      config->plugin_dirs.push_back(dirs[i].get<std::string>());
    }
  }
  if (doc.contains("plugins")) {
    const json& plugins = doc["plugins"];
    if (!plugins.is_array()) return PathError("/plugins", "expected an array of plugin names or {\"path\": ...}");
    config->plugins.clear();
    for (size_t i = 0; i < plugins.size(); ++i) {
      std::string p = absl::StrCat("/plugins/", i);
      PluginSpec spec;
      spec.json_path = p;
      if (plugins[i].is_string()) {
        spec.name = plugins[i].get<std::string>();
        if (spec.name.empty() || spec.name.find('/') != std::string::npos) {
          return PathError(p, "expected a plugin name such as \"tcp\" (use {\"path\": ...} for files)");
        }
      } else if (plugins[i].is_object()) {
        if (absl::Status s = CheckKeys(plugins[i], p, {"name", "path", "optional"}); !s.ok()) return s;
        if (plugins[i].contains("optional")) {
          if (!plugins[i]["optional"].is_boolean()) return PathError(p + "/optional", "expected true or false");
          spec.optional = plugins[i]["optional"].get<bool>();
        }
        if (plugins[i].contains("path")) {
          if (!plugins[i]["path"].is_string()) return PathError(p + "/path", "expected a file path string");
          spec.path = plugins[i]["path"].get<std::string>();
        }
        if (plugins[i].contains("name")) {
          if (!plugins[i]["name"].is_string()) return PathError(p + "/name", "expected a string");
          spec.name = plugins[i]["name"].get<std::string>();
        }
        if (spec.path.empty() && spec.name.empty()) return PathError(p, "expected \"name\" or \"path\"");
      } else {
        return PathError(p, "expected a plugin name or {\"path\": ...}");
      }
      config->plugins.push_back(std::move(spec));
    }
  }
  if (doc.contains("pipelines")) {
    const json& pipes = doc["pipelines"];
    if (!pipes.is_object()) return PathError("/pipelines", "expected an object of name → layer array");
    for (auto it = pipes.begin(); it != pipes.end(); ++it) {
      std::string p = absl::StrCat("/pipelines/", it.key());
      if (it.value().is_null()) {  // null removes a default template
        config->pipelines.erase(it.key());
        continue;
      }
      absl::StatusOr<std::vector<LayerSpec>> layers = ParsePipeline(it.value(), p);
      if (!layers.ok()) return layers.status();
      config->pipelines[it.key()] = PipelineSpec{it.key(), *std::move(layers), defaults};
    }
  }
  if (doc.contains("policies")) {
    const json& list = doc["policies"];
    if (!list.is_array()) return PathError("/policies", "expected an array of {\"plugin\": name, \"options\": {...}}");
    config->policies.clear();
    for (size_t i = 0; i < list.size(); ++i) {
      std::string p = absl::StrCat("/policies/", i);
      const json& entry = list[i];
      if (!entry.is_object()) return PathError(p, "expected {\"plugin\": name, \"options\": {...}}");
      if (absl::Status s = CheckKeys(entry, p, {"plugin", "policy", "path", "options"}); !s.ok()) return s;
      if (!entry.contains("plugin") || !entry["plugin"].is_string() || entry["plugin"].get<std::string>().empty()) {
        return PathError(p + "/plugin", "expected the name of the plugin that provides the policy");
      }
      PolicySpec spec;
      spec.plugin = entry["plugin"].get<std::string>();
      spec.policy = spec.plugin;
      spec.json_path = p;
      if (entry.contains("policy")) {
        if (!entry["policy"].is_string()) return PathError(p + "/policy", "expected a policy type name");
        spec.policy = entry["policy"].get<std::string>();
      }
      if (entry.contains("path")) {
        if (!entry["path"].is_string()) return PathError(p + "/path", "expected a file path");
        spec.path = entry["path"].get<std::string>();
      }
      spec.options = json::object();
      if (entry.contains("options")) {
        if (!entry["options"].is_object()) return PathError(p + "/options", "expected an object");
        spec.options = entry["options"];
      }
      config->policies.push_back(std::move(spec));
    }
  }
  // A policy's plugin is loaded like a listed one.
  for (const PolicySpec& policy : config->policies) {
    bool listed = false;
    for (const PluginSpec& plugin : config->plugins) {
      if ((!policy.path.empty() && plugin.path == policy.path) || (policy.path.empty() && plugin.name == policy.plugin)) {
        listed = true;
      }
    }
    if (!listed) config->plugins.push_back(PluginSpec{policy.plugin, policy.path, policy.json_path, false});
  }
  if (doc.contains("timeouts")) {
    const json& t = doc["timeouts"];
    if (!t.is_object()) return PathError("/timeouts", "expected an object");
    if (absl::Status s = CheckKeys(t, "/timeouts", {"connect_ms", "first_byte_ms", "idle_ms", "total_ms"}); !s.ok()) return s;
    for (auto [key, field] : {std::pair{"connect_ms", &config->timeouts.connect_ms},
                              std::pair{"first_byte_ms", &config->timeouts.first_byte_ms},
                              std::pair{"idle_ms", &config->timeouts.idle_ms},
                              std::pair{"total_ms", &config->timeouts.total_ms}}) {
      if (absl::Status s = ReadNonNegative(t, "/timeouts", key, field); !s.ok()) return s;
    }
  }
  if (doc.contains("pool")) {
    const json& t = doc["pool"];
    if (!t.is_object()) return PathError("/pool", "expected an object");
    if (absl::Status s = CheckKeys(t, "/pool", {"max_idle_per_origin", "idle_timeout_ms", "max_connections_per_origin"});
        !s.ok()) {
      return s;
    }
    if (absl::Status s = ReadNonNegative(t, "/pool", "max_connections_per_origin", &config->pool.max_connections_per_origin);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = ReadNonNegative(t, "/pool", "max_idle_per_origin", &config->pool.max_idle_per_origin); !s.ok()) return s;
    if (absl::Status s = ReadNonNegative(t, "/pool", "idle_timeout_ms", &config->pool.idle_timeout_ms); !s.ok()) return s;
  }
  if (doc.contains("redirect")) {
    const json& t = doc["redirect"];
    if (!t.is_object()) return PathError("/redirect", "expected an object");
    if (absl::Status s = CheckKeys(t, "/redirect", {"follow", "max", "unsafe", "location_trusted"}); !s.ok()) return s;
    for (auto [key, field] : {std::pair{"follow", &config->redirect.follow},
                              std::pair{"unsafe", &config->redirect.unsafe},
                              std::pair{"location_trusted", &config->redirect.location_trusted}}) {
      if (absl::Status s = ReadBool(t, "/redirect", key, field); !s.ok()) return s;
    }
    if (absl::Status s = ReadNonNegative(t, "/redirect", "max", &config->redirect.max); !s.ok()) return s;
  }
  if (doc.contains("proxy")) {
    const json& t = doc["proxy"];
    if (!t.is_object()) return PathError("/proxy", "expected an object");
    if (absl::Status s = CheckKeys(t, "/proxy", {"url", "credentials", "no_proxy", "tunnel", "http2", "from_env", "tls", "h2", "chain",
                                          "stagger_ms", "remember_ms"}); !s.ok()) {
      return s;
    }
    if (t.contains("url") && t["url"].is_array()) {
      if (absl::Status s = ReadProxyList(t["url"], &config->proxy); !s.ok()) return s;
    } else if (t.contains("url")) {
      if (!t["url"].is_string()) return PathError("/proxy/url", "expected a proxy URL or a list of them (and \"direct\")");
      config->proxy.url = t["url"].get<std::string>();
      config->proxy.candidates.clear();
    }
    for (auto [key, field] : {std::pair{"stagger_ms", &config->proxy.stagger_ms},
                              std::pair{"remember_ms", &config->proxy.remember_ms}}) {
      if (absl::Status s = ReadNonNegative(t, "/proxy", key, field); !s.ok()) return s;
    }
    for (auto [key, field] : {std::pair{"credentials", &config->proxy.credentials},
                              std::pair{"no_proxy", &config->proxy.no_proxy}}) {
      if (!t.contains(key)) continue;
      if (!t[key].is_string()) return PathError(absl::StrCat("/proxy/", key), "expected a string");
      *field = t[key].get<std::string>();
    }
    for (auto [key, field] : {std::pair{"tunnel", &config->proxy.tunnel}, std::pair{"http2", &config->proxy.http2},
                              std::pair{"from_env", &config->proxy.from_env}}) {
      if (absl::Status s = ReadBool(t, "/proxy", key, field); !s.ok()) return s;
    }
    if (t.contains("tls")) {
      if (!t["tls"].is_object()) return PathError("/proxy/tls", "expected an object of tls layer options");
      config->proxy.tls = t["tls"];
    }
    if (t.contains("h2")) {
      if (!t["h2"].is_object()) return PathError("/proxy/h2", "expected an object of h2-alpn layer options");
      config->proxy.h2 = t["h2"];
    }
    if (t.contains("chain")) {
      if (!config->proxy.candidates.empty()) {
        return PathError("/proxy/chain", "give either \"chain\" or a list in \"url\", not both");
      }
      if (absl::Status s = ReadProxyChain(t, &config->proxy); !s.ok()) return s;
    }
  }
  if (doc.contains("limits")) {
    const json& t = doc["limits"];
    if (!t.is_object()) return PathError("/limits", "expected an object");
    if (absl::Status s = CheckKeys(t, "/limits", {"max_body_bytes", "max_decoded_bytes", "max_decode_ratio"}); !s.ok()) {
      return s;
    }
    for (auto [key, field] : {std::pair{"max_body_bytes", &config->limits.max_body_bytes},
                              std::pair{"max_decoded_bytes", &config->limits.max_decoded_bytes},
                              std::pair{"max_decode_ratio", &config->limits.max_decode_ratio}}) {
      if (absl::Status s = ReadNonNegative(t, "/limits", key, field); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<json> ParseJson(absl::string_view text) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // Turn the byte offset into line and column: what an editor shows.
    size_t line = 1, col = 1;
    for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    size_t colon = what.find("parse error");
    return absl::InvalidArgumentError(absl::StrCat("configuration is not valid JSON (line ", line,
                                                   ", column ", col, "): ",
                                                   colon == std::string::npos ? what : what.substr(colon)));
  } catch (const json::exception& e) {
    // Other parser exceptions, e.g. out_of_range.406 for a number that
    // overflows a double ("1e999"); found by tests/fuzz/config_fuzzer.
    return absl::InvalidArgumentError(
        absl::StrCat("configuration is not valid JSON: ", e.what()));
  }
}

}  // namespace

const char* DefaultConfigJson() { return kDefaultConfig; }

absl::StatusOr<Config> ParseConfig(absl::string_view json_text) {
  Config config;
  absl::StatusOr<json> defaults = ParseJson(kDefaultConfig);
  if (!defaults.ok()) return defaults.status();
  if (absl::Status s = Apply(*defaults, &config, /*defaults=*/true); !s.ok()) return s;
  bool blank = json_text.find_first_not_of(" \t\r\n") == absl::string_view::npos;
  if (blank) return config;
  absl::StatusOr<json> doc = ParseJson(json_text);
  if (!doc.ok()) return doc.status();
  if (absl::Status s = Apply(*doc, &config, /*defaults=*/false); !s.ok()) return s;
  return config;
}

}  // namespace strata
