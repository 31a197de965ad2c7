// help.h — the --help text, with the exit-code table from exit_codes.h.
#ifndef STRATA_TOOLS_CLI_HELP_H_
#define STRATA_TOOLS_CLI_HELP_H_

#include <string>

namespace strata::cli {

// HelpText is the --help output.
std::string HelpText();

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_HELP_H_
