// inspect.h — what strata-inspect reports: the plugins a runtime would find
// and whether it accepts them, and whether a configuration is valid.
//
// Both are answered by the runtime's own code (runtime/plugin's registry
// and loader, runtime/config's parser, the runtime's start-up checks), so
// the tool can never disagree with what strata_runtime_new would do.
#ifndef STRATA_TOOLS_INSPECT_INSPECT_H_
#define STRATA_TOOLS_INSPECT_INSPECT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "runtime/config/config.h"

namespace strata::inspect {

// A directory searched for strata-<name>.so, and why it is searched.
struct SearchDir {
  std::string path;
  std::string origin;  // "configuration /plugin_dirs/0", "--plugin-dir", "default"
};

// SearchPath is the runtime's order: the configuration's "plugin_dirs",
// then --plugin-dir (the CLI appends them to the configuration's), then
// the default directories of this executable.
std::vector<SearchDir> SearchPath(const std::vector<std::string>& config_dirs,
                                  const std::vector<std::string>& plugin_dirs);

struct LayerReport {
  std::string name;
  int32_t kind = 0;
  uint32_t flags = 0;
  std::string description;
};

struct PluginReport {
  std::string path;
  std::string origin;       // the search directory's origin, or the JSON path
  std::string shadowed_by;  // an earlier file of the same name the runtime would load instead
  bool abi_known = false;   // the descriptor could be read
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  std::string name;
  std::string version;
  bool accepted = false;  // this runtime loads it
  std::string reason;     // why (accepted: the rule it met; refused: the loader's error)
  std::vector<LayerReport> layers;
  std::vector<std::pair<std::string, std::string>> policies;  // name, description (ABI 1.1)
};

// FindPluginFiles lists strata-*.so in each directory, in search order.
std::vector<PluginReport> FindPluginFiles(const std::vector<SearchDir>& dirs);

// ReportFor starts the report of |path|, found through |origin|.
PluginReport ReportFor(const std::string& path, const std::string& origin);

// AddConfigured adds the plugins a configuration names by path to |plugins|,
// and says in |problems| which plugins named by name are in no directory
// of the search path (the runtime would fail to start).
void AddConfigured(const std::vector<PluginSpec>& configured, std::vector<PluginReport>* plugins,
                   std::vector<std::string>* problems);

// Inspect loads |report->path| the way the runtime does (in a registry of
// its own, so plugins are judged one by one) and fills in the rest.
void Inspect(PluginReport* report);

// FormatReport renders the listing printed by strata-inspect.
std::string FormatReport(const std::vector<SearchDir>& dirs, const std::vector<PluginReport>& plugins,
                         const std::vector<std::string>& problems);

// KindName / FlagNames: "byte-stream", "session"; "tunnel,multiplex" or "-".
std::string KindName(int32_t kind);
std::string FlagNames(uint32_t flags);

struct ValidationResult {
  absl::Status status;                // OK, or the first error (names the JSON path)
  std::vector<std::string> pipelines; // "https: tcp → tls → h1", when valid
  std::vector<std::string> plugins;   // "tcp 0.1.0 (/path/strata-tcp.so)"
  std::vector<std::string> warnings;  // what layers logged as warnings while created
};

// Validate checks |config_text| the way strata_runtime_new does (parse,
// load the plugins it names, check every pipeline template), then creates
// and destroys one instance of every layer of every template with its
// options, which is where layers check their options. Nothing connects.
// |plugin_dirs| are appended to the configuration's "plugin_dirs".
ValidationResult Validate(const std::string& config_text, const std::vector<std::string>& plugin_dirs);

// WithPluginDirs returns |config_text| with |plugin_dirs| appended to its
// "plugin_dirs", or an error naming the JSON problem.
absl::Status WithPluginDirs(const std::string& config_text, const std::vector<std::string>& plugin_dirs,
                            std::string* out);

}  // namespace strata::inspect

#endif  // STRATA_TOOLS_INSPECT_INSPECT_H_
