// strata-inspect: lists the plugins a strata runtime would find and whether
// it accepts them, or validates a configuration without running anything.
// Usage and exit codes: kUsage below (also docs/plugin-guide.md).
#include <unistd.h>

#include <climits>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "runtime/config/config.h"
#include "tools/inspect/inspect.h"

namespace {

// Exit codes, documented in kUsage; scripts may rely on them.
constexpr int kExitOk = 0;
constexpr int kExitInvalidConfig = 1;
constexpr int kExitUsage = 2;
constexpr int kExitPluginRefused = 3;

constexpr char kUsage[] =
    "usage: strata-inspect [--plugin-dir DIR]... [--config FILE] [PLUGIN.so]...\n"
    "       strata-inspect [--plugin-dir DIR]... --validate FILE\n"
    "\n"
    "Without --validate, lists the plugins found in the search path (the\n"
    "configuration's plugin_dirs, then each --plugin-dir, then the default\n"
    "directories next to this program), or the PLUGIN.so files given: file,\n"
    "name, version, ABI version and whether this runtime accepts it (and why\n"
    "not), and the layer types each provides (name, kind, flags, description).\n"
    "--config FILE adds the file's plugin_dirs and the plugins it names.\n"
    "\n"
    "--validate FILE checks a configuration as strata_runtime_new would (loads\n"
    "the plugins it names, checks every pipeline template) and also creates\n"
    "each layer once with its options; nothing connects. Prints OK, or the\n"
    "error with its JSON path on stderr.\n"
    "\n"
    "exit codes:\n"
    "  0  listing: every plugin found is accepted; --validate: the configuration is valid\n"
    "  1  the configuration (--validate or --config) is invalid\n"
    "  2  usage error, or a file that cannot be read\n"
    "  3  listing: some plugin is refused, cannot be loaded, or is named but not found\n";

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

int Usage(const std::string& problem) {
  std::cerr << "strata-inspect: " << problem << "\n\n" << kUsage;
  return kExitUsage;
}

int RunValidate(const std::string& file, const std::vector<std::string>& plugin_dirs) {
  std::string text;
  if (!ReadFile(file, &text)) return Usage(absl::StrCat("cannot read ", file));
  strata::inspect::ValidationResult r = strata::inspect::Validate(text, plugin_dirs);
  if (!r.status.ok()) {
    std::cerr << "strata-inspect: " << file << ": " << r.status.message() << "\n";
    return kExitInvalidConfig;
  }
  std::cout << "OK\n";
  std::cout << "plugins:\n";
  for (const std::string& p : r.plugins) std::cout << "  " << p << "\n";
  std::cout << "pipelines:\n";
  for (const std::string& p : r.pipelines) std::cout << "  " << p << "\n";
  for (const std::string& w : r.warnings) std::cout << "warning: " << w << "\n";
  return kExitOk;
}

int RunList(const std::string& config_file, const std::vector<std::string>& plugin_dirs,
            const std::vector<std::string>& files) {
  std::vector<std::string> config_dirs;
  std::vector<strata::PluginSpec> configured;
  if (!config_file.empty()) {
    std::string text;
    if (!ReadFile(config_file, &text)) return Usage(absl::StrCat("cannot read ", config_file));
    absl::StatusOr<strata::Config> config = strata::ParseConfig(text);
    if (!config.ok()) {
      std::cerr << "strata-inspect: " << config_file << ": " << config.status().message() << "\n";
      return kExitInvalidConfig;
    }
    config_dirs = config->plugin_dirs;
    configured = config->plugins;
  }
  std::vector<strata::inspect::SearchDir> dirs = strata::inspect::SearchPath(config_dirs, plugin_dirs);
  std::vector<strata::inspect::PluginReport> plugins;
  std::vector<std::string> problems;
  if (!files.empty()) {
    for (const std::string& f : files) plugins.push_back(strata::inspect::ReportFor(f, "command line"));
  } else {
    plugins = strata::inspect::FindPluginFiles(dirs);
  }
  strata::inspect::AddConfigured(configured, &plugins, &problems);
  bool all_accepted = problems.empty();
  for (auto& p : plugins) {
    strata::inspect::Inspect(&p);
    all_accepted &= p.accepted;
  }
  std::cout << strata::inspect::FormatReport(dirs, plugins, problems);
  return all_accepted ? kExitOk : kExitPluginRefused;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> plugin_dirs;
  std::vector<std::string> files;
  std::string config_file;
  std::string validate_file;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return kExitOk;
    } else if (arg == "--plugin-dir") {
      if (!value(&v)) return Usage("--plugin-dir needs a directory");
      plugin_dirs.push_back(v);
    } else if (arg == "--config") {
      if (!value(&config_file)) return Usage("--config needs a file");
    } else if (arg == "--validate") {
      if (!value(&validate_file)) return Usage("--validate needs a file");
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage(absl::StrCat("unknown option ", arg));
    } else {
      // Absolute, because dlopen searches the library path, not the
      // current directory, for a name without a slash.
      char cwd[PATH_MAX];
      if (arg[0] != '/' && getcwd(cwd, sizeof(cwd))) arg = absl::StrCat(cwd, "/", arg);
      files.push_back(arg);
    }
  }
  if (!validate_file.empty()) {
    if (!config_file.empty() || !files.empty()) {
      return Usage("--validate takes the configuration itself; it cannot be combined with --config or plugin files");
    }
    return RunValidate(validate_file, plugin_dirs);
  }
  return RunList(config_file, plugin_dirs, files);
}
