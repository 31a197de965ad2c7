#include "tools/cli/runtime_config.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace strata::cli {

absl::StatusOr<std::string> BuildRuntimeConfig(
    const std::optional<std::string>& config_text,
    const std::string& source_name,
    const std::vector<std::string>& plugin_dirs) {
  // Without --plugin-dir the file goes to the runtime untouched: its parser
  // reports syntax errors with the file's own positions, and re-serializing
  // would gain nothing.
  if (plugin_dirs.empty()) return config_text.value_or("{}");

  nlohmann::json config = nlohmann::json::object();
  if (config_text) {
    config = nlohmann::json::parse(*config_text, nullptr,
                                   /*allow_exceptions=*/false);
    if (config.is_discarded()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source_name, ": not valid JSON"));
    }
    if (!config.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(
          source_name, ": the configuration must be a JSON object"));
    }
  }
  nlohmann::json& dirs = config["plugin_dirs"];
  if (dirs.is_null()) dirs = nlohmann::json::array();
  if (!dirs.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source_name,
        ": /plugin_dirs must be an array of strings to add --plugin-dir to"));
  }
  for (const std::string& dir : plugin_dirs) dirs.push_back(dir);
  return config.dump();
}

absl::StatusOr<std::string> AppendPolicy(const std::string& config_json, const std::string& source_name,
                                         const nlohmann::json& policy) {
  nlohmann::json config = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) return absl::InvalidArgumentError(absl::StrCat(source_name, ": not valid JSON"));
  if (!config.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": the configuration must be a JSON object"));
  }
  nlohmann::json& policies = config["policies"];
  if (policies.is_null()) policies = nlohmann::json::array();
  if (!policies.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": /policies must be an array"));
  }
  policies.push_back(policy);
  return config.dump();
}

}  // namespace strata::cli
