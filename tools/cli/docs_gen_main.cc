// strata_docgen — prints strata(1) (--man) or its bash completion
// (--bash-completion), made from --help and the option table. Run by the
// genrules in tools/BUILD, so it is built for the host too: it links the
// option table, not the runtime.
#include <cstdio>
#include <cstring>
#include <string>

#include "runtime/version/version.h"
#include "tools/cli/docs_gen.h"
#include "tools/cli/help.h"
#include "tools/cli/options.h"

int main(int argc, char** argv) {
  using namespace strata::cli;
  std::string out;
  if (argc == 2 && std::strcmp(argv[1], "--man") == 0) {
    out = ManPage(HelpText(), strata::kStrataVersion);
  } else if (argc == 2 && std::strcmp(argv[1], "--bash-completion") == 0) {
    out = BashCompletion(ListOptions(), HelpText());
  } else {
    std::fprintf(stderr, "usage: strata_docgen --man | --bash-completion\n");
    return 2;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
