// registry.h — loads plugin shared objects and indexes the layer types they
// provide.
//
// Loading follows the ABI rules of strata/plugin.h: dlopen(RTLD_NOW |
// RTLD_LOCAL), one entry symbol, abi_major must equal ours and abi_minor must
// not be newer; every struct is checked against its struct_size before a
// field is read. Errors name the file, what was expected and what was found.
#ifndef STRATA_RUNTIME_PLUGIN_REGISTRY_H_
#define STRATA_RUNTIME_PLUGIN_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/config/config.h"
#include "strata/plugin.h"

namespace strata {

// The plugin_path of layer types built into the runtime.
inline constexpr char kBuiltinLayerPath[] = "(built-in)";

// A layer type offered by a loaded plugin. Borrowed from the plugin; valid
// while the registry lives.
struct LayerType {
  std::string name;
  int32_t kind = 0;  // STRATA_LAYER_*
  const strata_stream_layer_vtable* stream = nullptr;
  const strata_session_layer_vtable* session = nullptr;
  std::string description;
  std::string plugin_path;
  uint32_t flags = 0;  // STRATA_LAYER_FLAG_*
  // The abi_minor of the plugin that provides it (STRATA_ABI_MINOR for layers
  // built into the runtime): what the host may ask of it, e.g. tunnel
  // streams only from ABI 1.2.
  uint32_t abi_minor = 0;
};

// A policy type offered by a loaded plugin (ABI 1.1). Borrowed from the
// plugin; valid while the registry lives.
struct PolicyType {
  std::string name;
  const strata_policy_vtable* vtable = nullptr;
  std::string description;
  std::string plugin_path;
};

struct LoadedPlugin {
  std::string path;
  std::string name;
  std::string version;
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  void* handle = nullptr;
  const strata_plugin_descriptor* descriptor = nullptr;
  bool initialized = false;
};

class PluginRegistry {
 public:
  explicit PluginRegistry(const strata_host_services* host) : host_(host) {}
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // LoadConfigured loads every plugin |config| names. Names are looked up as
  // strata-<name>.so in config.plugin_dirs, then in DefaultPluginDirs().
  absl::Status LoadConfigured(const Config& config);
  // LoadFile loads one plugin file; |origin| says where it was asked for
  // (a JSON path) for error messages.
  absl::Status LoadFile(const std::string& path, const std::string& origin);

  // AddBuiltinLayer offers a layer type the runtime implements itself (no
  // plugin file: plugin_path is "(built-in)"), e.g. h2-connect. A name a
  // loaded plugin already provides is refused.
  absl::Status AddBuiltinLayer(LayerType type);

  const LayerType* FindLayer(const std::string& name) const;
  const PolicyType* FindPolicy(const std::string& name) const;
  const std::vector<PolicyType>& policy_types() const { return policy_types_; }
  const std::vector<std::unique_ptr<LoadedPlugin>>& plugins() const { return plugins_; }
  const std::vector<LayerType>& layer_types() const { return layer_types_; }

 private:
  const strata_host_services* host_;
  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
  std::vector<LayerType> layer_types_;
  std::vector<PolicyType> policy_types_;
};

// DefaultPluginDirs: the directory of the module holding the strata runtime
// (libstrata.so or the executable it is linked into), and the installed
// layout's <prefix>/lib/strata/plugins next to it.
std::vector<std::string> DefaultPluginDirs();

// PluginFileName("tcp") == "strata-tcp.so".
std::string PluginFileName(const std::string& name);

}  // namespace strata

#endif  // STRATA_RUNTIME_PLUGIN_REGISTRY_H_
