#include "runtime/plugin/registry.h"

#include <dlfcn.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/status/status_code.h"

namespace strata {
namespace {

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool IsFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// A plugin's own dependencies must come before the process's global
// symbols: the tls plugin links BoringSSL, whose unversioned SSL_* symbols
// carry OpenSSL's names, so in a host that links the system libssl they
// would otherwise bind to OpenSSL (plugins/tls/README.md). ASan refuses
// RTLD_DEEPBIND (its interceptors must come first), so sanitizer builds do
// without; the tls plugin then detects a wrong binding and says so.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kPluginDeepBind = 0;
#else
constexpr int kPluginDeepBind = RTLD_DEEPBIND;
#endif

std::string Version(uint32_t major, uint32_t minor) { return absl::StrCat(major, ".", minor); }

// A table read from a plugin must be large enough for what we read.
template <typename T>
bool Covers(const T* table, size_t needed) {
  return table != nullptr && table->struct_size >= needed;
}

absl::Status CheckLayerType(const std::string& path, size_t i, const strata_layer_type* t,
                            LayerType* out) {
  std::string where = absl::StrCat("plugin ", path, ": layer type #", i);
  if (!Covers(t, offsetof(strata_layer_type, session) + sizeof(t->session))) {
    return absl::FailedPreconditionError(absl::StrCat(where, " is missing or too small (struct_size)"));
  }
  if (t->name == nullptr || t->name[0] == '\0') {
    return absl::FailedPreconditionError(absl::StrCat(where, " has no name"));
  }
  out->name = t->name;
  out->kind = t->kind;
  out->plugin_path = path;
  if (STRATA_HAS_FIELD(t, strata_layer_type, description) && t->description) {
    out->description = t->description;
  }
  if (STRATA_HAS_FIELD(t, strata_layer_type, flags)) out->flags = t->flags;
  where = absl::StrCat("plugin ", path, ": layer '", out->name, "'");
  if (t->kind == STRATA_LAYER_BYTE_STREAM) {
    const strata_stream_layer_vtable* v = t->stream;
    if (!Covers(v, offsetof(strata_stream_layer_vtable, shutdown) + sizeof(v->shutdown))) {
      return absl::FailedPreconditionError(absl::StrCat(where, " has no complete byte-stream vtable"));
    }
    if (!v->create || !v->destroy || !v->connect || !v->send || !v->recv || !v->poll_interest ||
        !v->data_pending || !v->query || !v->control || !v->shutdown) {
      return absl::FailedPreconditionError(absl::StrCat(where, " leaves a byte-stream hook NULL"));
    }
    out->stream = v;
  } else if (t->kind == STRATA_LAYER_SESSION) {
    const strata_session_layer_vtable* v = t->session;
    if (!Covers(v, offsetof(strata_session_layer_vtable, shutdown) + sizeof(v->shutdown))) {
      return absl::FailedPreconditionError(absl::StrCat(where, " has no complete session vtable"));
    }
    if (!v->create || !v->destroy || !v->connect || !v->capacity || !v->open_stream ||
        !v->cancel_stream || !v->progress || !v->poll_interest || !v->is_reusable || !v->query ||
        !v->control || !v->shutdown) {
      return absl::FailedPreconditionError(absl::StrCat(where, " leaves a session hook NULL"));
    }
    out->session = v;
  } else {
    return absl::FailedPreconditionError(
        absl::StrCat(where, " has unknown kind ", t->kind, " (expected 1 byte-stream or 2 session)"));
  }
  return absl::OkStatus();
}

// Plugins are process-wide: dlopen returns the same handle to every runtime
// that loads a file, and a plugin keeps one host-services pointer. So init()
// runs when the first runtime loads a plugin and deinit() when the last one
// lets it go; runtimes in between share the initialised plugin.
std::mutex& InitMutex() {
  static std::mutex mu;
  return mu;
}
std::map<void*, int>& InitCounts() {
  static std::map<void*, int>* counts = new std::map<void*, int>();
  return *counts;
}

}  // namespace

std::string PluginFileName(const std::string& name) { return absl::StrCat("strata-", name, ".so"); }

std::vector<std::string> DefaultPluginDirs() {
  std::vector<std::string> dirs;
  auto add = [&](const std::string& d) {
    for (const std::string& e : dirs) {
      if (e == d) return;
    }
    dirs.push_back(d);
  };
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&DefaultPluginDirs), &info) && info.dli_fname &&
      std::string(info.dli_fname).find('/') != std::string::npos) {
    std::string dir = DirName(info.dli_fname);
    add(dir);
    add(dir + "/strata/plugins");
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    exe[n] = '\0';
    std::string dir = DirName(exe);
    add(dir);
    add(DirName(dir) + "/lib/strata/plugins");
  }
  return dirs;
}

PluginRegistry::~PluginRegistry() {
  // Reverse order: a later plugin may rely on an earlier one's presence.
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
    LoadedPlugin& p = **it;
    if (p.initialized) {
      std::lock_guard<std::mutex> lock(InitMutex());
      if (--InitCounts()[p.handle] == 0) {
        InitCounts().erase(p.handle);
        if (STRATA_HAS_FIELD(p.descriptor, strata_plugin_descriptor, deinit) && p.descriptor->deinit) {
          p.descriptor->deinit();
        }
      }
    }
    // Sanitizer builds keep plugins mapped so leak reports can symbolize.
#if !defined(__SANITIZE_ADDRESS__)
    if (p.handle) dlclose(p.handle);
#endif
  }
}

absl::Status PluginRegistry::LoadConfigured(const Config& config) {
  std::vector<std::string> dirs = config.plugin_dirs;
  for (const std::string& d : DefaultPluginDirs()) dirs.push_back(d);
  for (const PluginSpec& spec : config.plugins) {
    std::string path = spec.path;
    if (path.empty()) {
      std::string file = PluginFileName(spec.name);
      for (const std::string& d : dirs) {
        if (IsFile(d + "/" + file)) {
          path = d + "/" + file;
          break;
        }
      }
      if (path.empty() && spec.optional) continue;
      if (path.empty()) {
        return WithCode(absl::NotFoundError(absl::StrCat(
            "configuration ", spec.json_path, ": plugin '", spec.name, "' not found: no ", file,
            " in ", absl::StrJoin(dirs, ", "), " (add a directory with --plugin-dir or \"plugin_dirs\")")), STRATA_E_PLUGIN_LOAD);
      }
    }
    if (absl::Status s = LoadFile(path, spec.json_path); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status PluginRegistry::LoadFile(const std::string& path, const std::string& origin) {
  for (const auto& p : plugins_) {
    if (p->path == path) return absl::OkStatus();  // listed twice: load once
  }
  std::string at = origin.empty() ? "" : absl::StrCat(" (configuration ", origin, ")");
  if (!IsFile(path)) {
    return WithCode(absl::NotFoundError(absl::StrCat("plugin file ", path, " does not exist", at)),
                    STRATA_E_PLUGIN_LOAD);
  }
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | kPluginDeepBind);
  if (!handle) {
    const char* err = dlerror();
    return WithCode(absl::UnavailableError(
                        absl::StrCat("cannot load plugin ", path, at, ": ", err ? err : "dlopen failed")),
                    STRATA_E_PLUGIN_LOAD);
  }
  auto plugin = std::make_unique<LoadedPlugin>();
  plugin->path = path;
  plugin->handle = handle;
  // Everything wrong with a loaded object is an ABI problem unless tagged
  // otherwise (init failures).
  auto close_on_error = [&](absl::Status s) {
    dlclose(handle);
    return WithCode(s, CodeOf(s, STRATA_E_PLUGIN_ABI));
  };
  void* sym = dlsym(handle, STRATA_PLUGIN_ENTRY_SYMBOL);
  if (!sym) {
    return close_on_error(absl::FailedPreconditionError(absl::StrCat(
        "plugin ", path, at, " does not export " STRATA_PLUGIN_ENTRY_SYMBOL " (is it a strata plugin?)")));
  }
  auto entry = reinterpret_cast<strata_plugin_entry_fn>(sym);
  const strata_plugin_descriptor* d = entry();
  if (!Covers(d, offsetof(strata_plugin_descriptor, abi_minor) + sizeof(d->abi_minor))) {
    return close_on_error(absl::FailedPreconditionError(
        absl::StrCat("plugin ", path, at, ": entry returned no descriptor or one too small to hold its ABI version")));
  }
  plugin->abi_major = d->abi_major;
  plugin->abi_minor = d->abi_minor;
  std::string ours = Version(STRATA_ABI_MAJOR, STRATA_ABI_MINOR);
  std::string theirs = Version(d->abi_major, d->abi_minor);
  if (d->abi_major != STRATA_ABI_MAJOR) {
    return close_on_error(absl::FailedPreconditionError(absl::StrCat(
        "plugin ", path, at, " was built for strata ABI ", theirs, " but this runtime hosts ABI ", ours,
        ": major versions must match; rebuild the plugin against this strata")));
  }
  if (d->abi_minor > STRATA_ABI_MINOR) {
    return close_on_error(absl::FailedPreconditionError(absl::StrCat(
        "plugin ", path, at, " was built for strata ABI ", theirs, ", newer than this runtime's ABI ",
        ours, ": upgrade strata or rebuild the plugin")));
  }
  if (!Covers(d, offsetof(strata_plugin_descriptor, deinit) + sizeof(d->deinit))) {
    return close_on_error(absl::FailedPreconditionError(
        absl::StrCat("plugin ", path, at, ": descriptor too small for ABI ", theirs)));
  }
  plugin->descriptor = d;
  plugin->name = d->name ? d->name : "";
  plugin->version = d->version ? d->version : "";
  if (d->layer_type_count > 0 && d->layer_types == nullptr) {
    return close_on_error(absl::FailedPreconditionError(absl::StrCat("plugin ", path, at, ": layer_types is NULL")));
  }
  std::vector<LayerType> types;
  for (size_t i = 0; i < d->layer_type_count; ++i) {
    LayerType t;
    if (absl::Status s = CheckLayerType(path, i, d->layer_types[i], &t); !s.ok()) return close_on_error(s);
    t.abi_minor = d->abi_minor;
    for (const LayerType& existing : layer_types_) {
      if (existing.name == t.name) {
        return close_on_error(absl::AlreadyExistsError(absl::StrCat(
            "plugin ", path, at, " provides layer '", t.name, "', already provided by ", existing.plugin_path)));
      }
    }
    types.push_back(std::move(t));
  }
  // Policy types (ABI 1.1): read only from a descriptor that has them.
  std::vector<PolicyType> policies;
  if (d->abi_minor >= 1 && Covers(d, offsetof(strata_plugin_descriptor, policy_type_count) + sizeof(size_t))) {
    if (d->policy_type_count > 0 && d->policy_types == nullptr) {
      return close_on_error(
          absl::FailedPreconditionError(absl::StrCat("plugin ", path, at, ": policy_types is NULL")));
    }
    for (size_t i = 0; i < d->policy_type_count; ++i) {
      const strata_policy_type* pt = d->policy_types[i];
      if (!pt || !Covers(pt, offsetof(strata_policy_type, vtable) + sizeof(pt->vtable)) || !pt->name ||
          !pt->vtable || !Covers(pt->vtable, offsetof(strata_policy_vtable, check_handshake) + sizeof(void*)) ||
          !pt->vtable->create || !pt->vtable->destroy) {
        return close_on_error(absl::FailedPreconditionError(absl::StrCat(
            "plugin ", path, at, ": policy type ", i,
            " is incomplete (it needs struct_size, a name and a vtable with create and destroy)")));
      }
      PolicyType t;
      t.name = pt->name;
      t.vtable = pt->vtable;
      t.description = Covers(pt, offsetof(strata_policy_type, description) + sizeof(pt->description)) &&
                              pt->description
                          ? pt->description
                          : "";
      t.plugin_path = path;
      for (const PolicyType& existing : policy_types_) {
        if (existing.name == t.name) {
          return close_on_error(absl::AlreadyExistsError(absl::StrCat(
              "plugin ", path, at, " provides policy '", t.name, "', already provided by ", existing.plugin_path)));
        }
      }
      policies.push_back(std::move(t));
    }
  }
  std::lock_guard<std::mutex> lock(InitMutex());
  if (d->init && InitCounts()[handle] == 0) {
    strata_status st = d->init(host_);
    if (st != STRATA_OK) {
      return close_on_error(WithCode(
          absl::AbortedError(absl::StrCat("plugin ", path, at, ": init failed with status ", st)),
          STRATA_E_PLUGIN_INIT));
    }
  }
  InitCounts()[handle]++;
  plugin->initialized = true;
  for (LayerType& t : types) layer_types_.push_back(std::move(t));
  for (PolicyType& t : policies) policy_types_.push_back(std::move(t));
  plugins_.push_back(std::move(plugin));
  return absl::OkStatus();
}

const PolicyType* PluginRegistry::FindPolicy(const std::string& name) const {
  for (const PolicyType& t : policy_types_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

absl::Status PluginRegistry::AddBuiltinLayer(LayerType type) {
  if (FindLayer(type.name) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("layer '", type.name, "' is built into the runtime; a plugin may not provide it"));
  }
  type.plugin_path = kBuiltinLayerPath;
  type.abi_minor = STRATA_ABI_MINOR;
  layer_types_.push_back(std::move(type));
  return absl::OkStatus();
}

const LayerType* PluginRegistry::FindLayer(const std::string& name) const {
  for (const LayerType& t : layer_types_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace strata
