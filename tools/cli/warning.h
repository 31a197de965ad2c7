// warning.h — curl's way of printing a warning on stderr.
#ifndef STRATA_TOOLS_CLI_WARNING_H_
#define STRATA_TOOLS_CLI_WARNING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace strata::cli {

// FormatCurlWarning renders |message| as curl 7.88 prints a warning: lines
// of "Warning: " and at most 70 characters of the message, each cut after
// the last space that fits (a word longer than that is cut where it must),
// the last line ending in a newline. A |message| that ends in "\n" (as
// curl's format strings mostly do) counts it towards the width.
std::string FormatCurlWarning(absl::string_view message);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_WARNING_H_
