// curl_config.h — curl's config-file syntax (curl -K FILE), turned into the
// command-line words it stands for.
//
// One option a line: "name value", "name = value" or "name: value"; the
// name with or without its leading "--" ("-o" for a short one); a value in
// double quotes may hold spaces and the escapes \" \\ \t \n \r \v. Lines
// starting with '#' and blank lines are skipped.
#ifndef STRATA_TOOLS_CLI_CURL_CONFIG_H_
#define STRATA_TOOLS_CLI_CURL_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace strata::cli {

struct CurlConfigWords {
  std::vector<std::string> words;     // "--silent", "--url", "http://..."
  std::vector<std::string> warnings;  // "FILE:LINE: warning: 'x' is unknown", as curl words it
};

// TakesArgument answers for a dashed option name ("--url", "-o"): whether
// it takes a value, or nullopt when no such option exists.
using TakesArgument = absl::FunctionRef<std::optional<bool>(absl::string_view dashed)>;

// ParseCurlConfig reads |text| (from |file_name|, for warnings). An unknown
// option is a warning and is skipped, as curl does.
CurlConfigWords ParseCurlConfig(absl::string_view text, absl::string_view file_name, TakesArgument takes_argument);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_CURL_CONFIG_H_
