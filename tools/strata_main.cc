// strata_main.cc — entry point of the strata command-line client; the
// program lives in tools/cli so it can be tested as a library.
#include "tools/cli/cli_main.h"

int main(int argc, char** argv) { return strata::cli::RunCli(argc, argv); }
