// runtime_config.h — the JSON configuration text handed to
// strata_runtime_new, built from --config and --plugin-dir.
#ifndef STRATA_TOOLS_CLI_RUNTIME_CONFIG_H_
#define STRATA_TOOLS_CLI_RUNTIME_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace strata::cli {

// BuildRuntimeConfig starts from |config_text| (the --config file's
// content; "{}" when absent) and appends |plugin_dirs| to its
// "plugin_dirs" array. Only the shape this function touches is checked
// here (a JSON object, "plugin_dirs" an array); everything else is the
// runtime's to validate, so its errors keep naming the JSON path.
// |source_name| names the file in error messages.
absl::StatusOr<std::string> BuildRuntimeConfig(
    const std::optional<std::string>& config_text,
    const std::string& source_name,
    const std::vector<std::string>& plugin_dirs);

// AppendPolicy adds |policy| ({"plugin": ..., "options": {...}}) at the end
// of |config_json|'s "policies" list (after the --config file's own), e.g.
// policy-pin for --pinnedpubkey. |config_json| is BuildRuntimeConfig's
// result; |source_name| names it in error messages.
absl::StatusOr<std::string> AppendPolicy(const std::string& config_json, const std::string& source_name,
                                         const nlohmann::json& policy);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_RUNTIME_CONFIG_H_
