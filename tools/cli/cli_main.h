// cli_main.h — the strata command-line client: options in, transfers run
// on one runtime, bodies streamed out, curl-compatible exit code back.
#ifndef STRATA_TOOLS_CLI_CLI_MAIN_H_
#define STRATA_TOOLS_CLI_CLI_MAIN_H_

namespace strata::cli {

// RunCli runs the program and returns the exit code (see exit_codes.h).
int RunCli(int argc, char** argv);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_CLI_MAIN_H_
