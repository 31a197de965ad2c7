#include "tools/cli/fault_argument.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "plugins/fault/fault_options.h"

namespace strata::cli {

absl::Status MergeFaultArgument(const std::string& arg, std::string* options_json) {
  nlohmann::json merged = options_json->empty() ? nlohmann::json::object() : nlohmann::json::parse(*options_json);
  if (arg.empty()) return absl::InvalidArgumentError("expects KEY=VALUE[,KEY=VALUE...]");
  for (absl::string_view pair : absl::StrSplit(arg, ',')) {
    size_t eq = pair.find('=');
    if (eq == absl::string_view::npos || eq == 0 || eq + 1 == pair.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", pair, "' is not KEY=VALUE (keys: ", absl::StrJoin(fault::FaultOptionKeys(), ", "), ")"));
    }
    std::string key(pair.substr(0, eq));
    std::string value(pair.substr(eq + 1));
    uint64_t number = 0;
    if (value.find_first_not_of("0123456789") == std::string::npos && absl::SimpleAtoi(value, &number)) {
      merged[key] = number;
    } else {
      merged[key] = value;
    }
  }
  absl::StatusOr<fault::FaultOptions> checked = fault::ParseFaultOptions(merged.dump());
  if (!checked.ok()) return checked.status();
  *options_json = merged.dump();
  return absl::OkStatus();
}

}  // namespace strata::cli
