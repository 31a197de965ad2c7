#include "tools/cli/help.h"

#include <string>

#include "gtest/gtest.h"
#include "tools/cli/exit_codes.h"

namespace strata::cli {
namespace {

TEST(Help, NamesEveryOption) {
  std::string help = HelpText();
  for (const char* option :
       {"--output", "--remote-name", "--include", "--head", "--write-out",
        "--fail", "--silent", "--show-error", "--progress-bar", "--verbose",
        "--request", "--header", "--data", "--data-binary", "--data-raw",
        "--user", "--location", "--max-redirs", "--connect-timeout",
        "--max-time", "--resolve", "--url", "--config", "--plugin-dir",
        "--pipeline", "--help", "--version", "--location-trusted",
        "--unsafe-redirect", "--post301", "--post302", "--post303",
        "--proxy", "--proxy-user", "--noproxy", "--proxytunnel", "--proxy-http2",
        "--proxy-cacert", "--proxy-capath", "--proxy-insecure", "--cacert",
        "--capath", "--insecure", "--cert", "--key", "--tlsv1.2",
        "--tlsv1.3", "--tls-max", "--tls-earlydata", "--ciphers", "--curves", "-x,", "-U,",
        "-p,", "-k,", "-E,", "%{redirect_url}", "%{http_connect}",
        "%{strata_chain}", "--http1.1", "--http2", "--http2-prior-knowledge", "--http3-only",
        "-Z,", "--parallel", "--parallel-max", "--data-urlencode", "--json",
        "-G,", "--get", "-A,", "--user-agent", "-e,", "--referer",
        "--output-dir", "--create-dirs", "--fail-with-body",
        "--no-progress-meter", "-D,", "--dump-header", "-r,", "--range", "-C,",
        "--continue-at", "-F,", "--form", "--form-string", "-J,",
        "--remote-header-name", "--connect-to", "--interface", "--local-port", "--unix-socket",
        "--abstract-unix-socket"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
}

TEST(Help, ListsEveryExitCode) {
  std::string help = HelpText();
  size_t count = 0;
  const ExitCodeDoc* docs = ExitCodeDocs(&count);
  for (size_t i = 0; i < count; ++i) {
    EXPECT_NE(help.find(docs[i].meaning), std::string::npos) << docs[i].code;
  }
}

}  // namespace
}  // namespace strata::cli
