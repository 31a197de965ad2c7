// docs_gen.h — the man page and the bash completion, made from the --help
// text and the parser's option table, so neither can drift from them.
//
// The --help text (help.cc) is the one place an option is described; its
// layout is the contract read here: section titles at column 0, option
// lines "  -o, --output FILE        text" (or "      --long ARG ..."), their
// continuation lines indented further, and the exit codes as "   N  text"
// under a title starting "Exit codes". docs_gen_test checks that every
// option of the parser's table appears in --help, so the three agree.
#ifndef STRATA_TOOLS_CLI_DOCS_GEN_H_
#define STRATA_TOOLS_CLI_DOCS_GEN_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "tools/cli/options.h"

namespace strata::cli {

// ManPage renders strata(1) in roff (man macros) from |help|.
std::string ManPage(absl::string_view help, absl::string_view version);

// BashCompletion renders a bash completion script for |options|: every
// spelling, and file names after options whose --help argument names a
// FILE, DIR or PATH.
std::string BashCompletion(const std::vector<OptionSpelling>& options, absl::string_view help);

// MissingFromHelp lists the spellings of |options| ("--long", "-s") that
// |help| does not show.
std::vector<std::string> MissingFromHelp(const std::vector<OptionSpelling>& options, absl::string_view help);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_DOCS_GEN_H_
