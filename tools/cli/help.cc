#include "tools/cli/help.h"

#include <cstdio>

#include "tools/cli/exit_codes.h"

namespace strata::cli {

std::string HelpText() {
  std::string text =
      "Usage: strata [options] URL...\n"
      "A command-line HTTP client on the strata transport (curl's "
      "conventions).\n"
      "\n"
      "Output\n"
      "  -o, --output FILE        write the body of the next URL to FILE\n"
      "  -O, --remote-name        ... to a file named like the URL's last "
      "path segment\n"
      "  -i, --include            include response headers in the output\n"
      "  -I, --head               send HEAD and print the response headers\n"
      "  -w, --write-out FORMAT   print FORMAT after each transfer (@file "
      "reads it):\n"
      "        %{http_code} %{http_version} %{num_redirects} %{num_connects}\n"
      "        %{url_effective} %{url} %{method} %{content_type}\n"
      "        %{size_download} %{size_upload} %{time_total} %{time_connect}\n"
      "        %{time_starttransfer} %{errormsg} %{exitcode} %header{name}\n"
      "        %{stdout} %{stderr} %{onerror} %% \\n \\r \\t\n"
      "  -f, --fail               exit 22 on HTTP status >= 400, print no "
      "body\n"
      "  -s, --silent             no progress meter, no error messages\n"
      "  -S, --show-error         show error messages even with -s\n"
      "  -#, --progress-bar       show a progress bar instead of the meter\n"
      "  -v, --verbose            show layers, connections, headers and hops "
      "on stderr\n"
      "\n"
      "Request\n"
      "  -X, --request METHOD     use METHOD\n"
      "  -H, --header 'N: v'      add a header ('N:' removes one strata adds, "
      "'N;' sends it empty)\n"
      "  -d, --data DATA          POST DATA (form encoded); @file reads a file "
      "without CR/LF\n"
      "      --data-binary DATA   POST DATA as is; @file reads a file "
      "verbatim\n"
      "      --data-raw DATA      POST DATA, no @file\n"
      "  -u, --user USER:PASS     HTTP Basic authentication\n"
      "  -L, --location           follow redirects\n"
      "      --max-redirs N       at most N redirects (-1: no limit)\n"
      "      --connect-timeout S  seconds for each connection setup "
      "(fractions allowed)\n"
      "  -m, --max-time S         seconds for the whole transfer\n"
      "      --resolve H:P:ADDR   connect to ADDR for host H port P "
      "(repeatable)\n"
      "      --url URL            a URL (also: any argument that is not an "
      "option)\n"
      "\n"
      "Runtime\n"
      "      --config FILE.json   runtime configuration (pipelines, plugins, "
      "TLS)\n"
      "      --plugin-dir DIR     also load plugins from DIR (repeatable)\n"
      "      --pipeline NAME      use the configured pipeline template NAME\n"
      "  -h, --help               this help\n"
      "  -V, --version            library version and plugin ABI version\n"
      "\n"
      "Exit codes (curl's numbers)\n";
  size_t count = 0;
  const ExitCodeDoc* docs = ExitCodeDocs(&count);
  for (size_t i = 0; i < count; ++i) {
    char line[128];
    std::snprintf(line, sizeof(line), "  %3d  %s\n", docs[i].code,
                  docs[i].meaning);
    text += line;
  }
  return text;
}

}  // namespace strata::cli
