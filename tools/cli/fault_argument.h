// fault_argument.h — `--fault KEY=VALUE[,KEY=VALUE...]`: the fault layer's
// options (plugins/fault/fault_options.h) written on the command line.
// Checked here with the layer's own parser, so a bad key or value is a
// usage error before anything connects.
#ifndef STRATA_TOOLS_CLI_FAULT_ARGUMENT_H_
#define STRATA_TOOLS_CLI_FAULT_ARGUMENT_H_

#include <string>

#include "absl/status/status.h"

namespace strata::cli {

// MergeFaultArgument adds the pairs of |arg| to |*options_json| (a JSON
// object text, "" for none yet; a later key wins) and checks the result.
// A VALUE of digits becomes a JSON number, anything else a string. On
// error |*options_json| is unchanged and the message says what is wrong.
absl::Status MergeFaultArgument(const std::string& arg, std::string* options_json);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_FAULT_ARGUMENT_H_
