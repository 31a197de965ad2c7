#include "tools/inspect/inspect.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "runtime/chain/connection.h"
#include "runtime/client/runtime.h"
#include "runtime/config/config.h"
#include "runtime/plugin/registry.h"
#include "strata/plugin.h"

namespace strata::inspect {
namespace {

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? std::string(buf) : path;
}

// PeekAbiVersion reads the ABI version a plugin claims without running
// anything but its entry function. The registry does not keep the version
// of a plugin it refuses, and the version is exactly what a user needs to
// see then. struct_size, abi_major and abi_minor open the descriptor in
// every ABI version, which is what makes this safe for any plugin.
bool PeekAbiVersion(const std::string& path, uint32_t* major, uint32_t* minor, std::string* name,
                    std::string* version) {
  void* handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (!handle) return false;
  bool ok = false;
  if (void* sym = dlsym(handle, STRATA_PLUGIN_ENTRY_SYMBOL)) {
    const strata_plugin_descriptor* d = reinterpret_cast<strata_plugin_entry_fn>(sym)();
    if (d && d->struct_size >= offsetof(strata_plugin_descriptor, abi_minor) + sizeof(d->abi_minor)) {
      *major = d->abi_major;
      *minor = d->abi_minor;
      ok = true;
      // Name and version sit at the same place in ABI 1.x; another major
      // may have moved them, so they are read only for our major.
      if (d->abi_major == STRATA_ABI_MAJOR && STRATA_HAS_FIELD(d, strata_plugin_descriptor, version)) {
        if (d->name) *name = d->name;
        if (d->version) *version = d->version;
      }
    }
  }
  dlclose(handle);
  return ok;
}

// ValidationListener: layer instances made for validation never connect; their
// warnings (e.g. "verify": false) are worth showing, nothing else is.
class ValidationListener : public ConnectionListener {
 public:
  explicit ValidationListener(std::vector<std::string>* warnings) : warnings_(warnings) {}
  void OnLayerLog(Connection*, const std::string& layer, int32_t level, const std::string& message) override {
    if (level <= STRATA_LOG_WARN) warnings_->push_back(absl::StrCat(where_, ": ", layer, ": ", message));
  }
  void OnActivity(Connection*) override {}
  void set_where(const std::string& where) { where_ = where; }

 private:
  std::vector<std::string>* warnings_;
  std::string where_;
};

}  // namespace

std::vector<SearchDir> SearchPath(const std::vector<std::string>& config_dirs,
                                  const std::vector<std::string>& plugin_dirs) {
  std::vector<SearchDir> dirs;
  for (size_t i = 0; i < config_dirs.size(); ++i) {
    dirs.push_back({config_dirs[i], absl::StrCat("configuration /plugin_dirs/", i)});
  }
  for (const std::string& d : plugin_dirs) dirs.push_back({d, "--plugin-dir"});
  for (const std::string& d : DefaultPluginDirs()) dirs.push_back({d, "default"});
  return dirs;
}

std::vector<PluginReport> FindPluginFiles(const std::vector<SearchDir>& dirs) {
  std::vector<PluginReport> found;
  std::set<std::string> seen_real;            // one file reached through two directories
  std::map<std::string, std::string> winner;  // file name → the path the runtime would load
  for (const SearchDir& dir : dirs) {
    DIR* d = opendir(dir.path.c_str());
    if (!d) continue;
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (absl::StartsWith(n, "strata-") && absl::EndsWith(n, ".so")) names.push_back(n);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      PluginReport r;
      r.path = dir.path + "/" + n;
      r.origin = dir.origin;
      if (!seen_real.insert(RealPath(r.path)).second) continue;
      auto [it, first] = winner.emplace(n, r.path);
      if (!first) r.shadowed_by = it->second;
      found.push_back(std::move(r));
    }
  }
  return found;
}

PluginReport ReportFor(const std::string& path, const std::string& origin) {
  PluginReport r;
  r.path = path;
  r.origin = origin;
  return r;
}

void AddConfigured(const std::vector<PluginSpec>& configured, std::vector<PluginReport>* plugins,
                   std::vector<std::string>* problems) {
  for (const PluginSpec& spec : configured) {
    if (!spec.path.empty()) {
      plugins->push_back(ReportFor(spec.path, absl::StrCat("configuration ", spec.json_path)));
      continue;
    }
    std::string file = PluginFileName(spec.name);
    bool found = false;
    for (const PluginReport& p : *plugins) found |= absl::EndsWith(p.path, "/" + file);
    // An optional plugin may be missing: the runtime skips it.
    if (!found && !spec.optional) {
      problems->push_back(absl::StrCat("configuration ", spec.json_path, " names plugin '", spec.name,
                                       "', but no ", file, " is in the search path"));
    }
  }
}

void Inspect(PluginReport* report) {
  // A registry per file: each plugin is judged on its own, so two files
  // that provide the same layer name are both shown (the runtime would
  // refuse the second one it is asked to load; the listing says which one
  // it finds first).
  PluginRegistry registry(HostServicesTable());
  absl::Status s = registry.LoadFile(report->path, "");
  if (!s.ok()) {
    report->accepted = false;
    report->reason = std::string(s.message());
    // Peeked only after the registry let go of the file, so the loader's
    // own dlopen flags were the ones in force when it was judged.
    report->abi_known =
        PeekAbiVersion(report->path, &report->abi_major, &report->abi_minor, &report->name, &report->version);
    return;
  }
  const LoadedPlugin& p = *registry.plugins().front();
  report->accepted = true;
  report->abi_known = true;
  report->abi_major = p.abi_major;
  report->abi_minor = p.abi_minor;
  report->name = p.name;
  report->version = p.version;
  report->reason = absl::StrCat("same major version and a minor not newer than this runtime's ABI ",
                                STRATA_ABI_MAJOR, ".", STRATA_ABI_MINOR);
  for (const LayerType& t : registry.layer_types()) {
    report->layers.push_back({t.name, t.kind, t.flags, t.description});
  }
  for (const PolicyType& t : registry.policy_types()) report->policies.emplace_back(t.name, t.description);
}

std::string KindName(int32_t kind) {
  if (kind == STRATA_LAYER_BYTE_STREAM) return "byte-stream";
  if (kind == STRATA_LAYER_SESSION) return "session";
  return absl::StrCat("kind-", kind);
}

std::string FlagNames(uint32_t flags) {
  std::vector<std::string> names;
  if (flags & STRATA_LAYER_FLAG_TUNNEL) names.push_back("tunnel");
  if (flags & STRATA_LAYER_FLAG_MULTIPLEX) names.push_back("multiplex");
  if (flags & STRATA_LAYER_FLAG_SECURE) names.push_back("secure");
  uint32_t unknown =
      flags & ~uint32_t{STRATA_LAYER_FLAG_TUNNEL | STRATA_LAYER_FLAG_MULTIPLEX | STRATA_LAYER_FLAG_SECURE};
  if (unknown) names.push_back(absl::StrCat("0x", absl::Hex(unknown)));
  return names.empty() ? "-" : absl::StrJoin(names, ",");
}

std::string FormatReport(const std::vector<SearchDir>& dirs, const std::vector<PluginReport>& plugins,
                         const std::vector<std::string>& problems) {
  std::string out = absl::StrCat("runtime ABI: ", STRATA_ABI_MAJOR, ".", STRATA_ABI_MINOR, "\n");
  absl::StrAppend(&out, "search path (the first strata-<name>.so found is loaded):\n");
  for (const SearchDir& d : dirs) absl::StrAppend(&out, "  ", d.path, "  (", d.origin, ")\n");
  absl::StrAppend(&out, "\n");
  if (plugins.empty()) absl::StrAppend(&out, "no plugins found\n");
  for (const PluginReport& p : plugins) {
    absl::StrAppend(&out, p.path, "\n");
    absl::StrAppend(&out, "  found:    ", p.origin, "\n");
    if (!p.shadowed_by.empty()) {
      absl::StrAppend(&out, "  shadowed: by ", p.shadowed_by, " (loaded instead when asked for by name)\n");
    }
    absl::StrAppend(&out, "  name:     ", p.name.empty() ? "?" : p.name, "\n");
    absl::StrAppend(&out, "  version:  ", p.version.empty() ? "?" : p.version, "\n");
    absl::StrAppend(&out, "  ABI:      ",
                    p.abi_known ? absl::StrCat(p.abi_major, ".", p.abi_minor) : std::string("unknown"), " ",
                    p.accepted ? "accepted" : "REFUSED", ": ", p.reason, "\n");
    if (p.accepted && !p.layers.empty()) {
      absl::StrAppend(&out, "  layers:\n");
      for (const LayerReport& l : p.layers) {
        absl::StrAppend(&out, "    ", l.name, "  ", KindName(l.kind), "  flags=", FlagNames(l.flags), "  ",
                        l.description, "\n");
      }
    }
    if (p.accepted && !p.policies.empty()) {
      absl::StrAppend(&out, "  policies:\n");
      for (const auto& [name, description] : p.policies) absl::StrAppend(&out, "    ", name, "  ", description, "\n");
    }
  }
  for (const std::string& problem : problems) absl::StrAppend(&out, "\nproblem: ", problem, "\n");
  return out;
}

absl::Status WithPluginDirs(const std::string& config_text, const std::vector<std::string>& plugin_dirs,
                            std::string* out) {
  if (plugin_dirs.empty()) {
    *out = config_text;
    return absl::OkStatus();
  }
  nlohmann::json config = config_text.empty() ? nlohmann::json::object()
                                              : nlohmann::json::parse(config_text, nullptr, false);
  if (config.is_discarded() || !config.is_object()) {
    return absl::InvalidArgumentError("configuration: the configuration must be a JSON object");
  }
  nlohmann::json& dirs = config["plugin_dirs"];
  if (dirs.is_null()) dirs = nlohmann::json::array();
  if (!dirs.is_array()) {
    return absl::InvalidArgumentError("configuration /plugin_dirs: expected an array of strings");
  }
  for (const std::string& d : plugin_dirs) dirs.push_back(d);
  *out = config.dump();
  return absl::OkStatus();
}

ValidationResult Validate(const std::string& config_text, const std::vector<std::string>& plugin_dirs) {
  ValidationResult result;
  // Parsed first on its own, so malformed JSON is reported with the line
  // and column of the user's file rather than of a re-serialized copy.
  if (absl::StatusOr<Config> parsed = ParseConfig(config_text); !parsed.ok()) {
    result.status = parsed.status();
    return result;
  }
  std::string text;
  if (result.status = WithPluginDirs(config_text, plugin_dirs, &text); !result.status.ok()) return result;
  absl::StatusOr<std::unique_ptr<Runtime>> runtime = Runtime::Create(text);
  if (!runtime.ok()) {
    result.status = runtime.status();
    return result;
  }
  Runtime& rt = **runtime;
  ValidationListener listener(&result.warnings);
  for (const auto& [name, pipeline] : rt.config().pipelines) {
    std::vector<std::string> layer_names;
    // One layer per connection object: a failing create() is then
    // attributed to exactly one JSON path, even if a layer type appears
    // twice in the template.
    for (const LayerSpec& spec : pipeline.layers) {
      PipelineSpec one{pipeline.name, {spec}, pipeline.from_defaults};
      Target target;
      target.host = "localhost";
      target.port = 443;
      listener.set_where(absl::StrCat("configuration ", spec.json_path));
      absl::StatusOr<std::unique_ptr<Connection>> conn =
          Connection::Create(&rt.loop(), rt.registry(), one, {spec.options}, target, &listener);
      if (!conn.ok()) {
        result.status = absl::InvalidArgumentError(
            absl::StrCat("configuration ", spec.json_path, ": ", conn.status().message()));
        return result;
      }
      layer_names.push_back(spec.layer);
    }
    result.pipelines.push_back(absl::StrCat(name, ": ", absl::StrJoin(layer_names, " → ")));
  }
  for (const auto& p : rt.registry().plugins()) {
    result.plugins.push_back(absl::StrCat(p->name, " ", p->version, " (", p->path, ")"));
  }
  result.status = absl::OkStatus();
  return result;
}

}  // namespace strata::inspect
