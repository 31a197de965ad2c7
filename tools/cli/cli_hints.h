// cli_hints.h — error messages in the CLI's own terms.
//
// The runtime and the plugins speak to every kind of user, so their hints
// name configuration keys ("set verify: false", "allow with
// unsafe_redirect"). A command-line user has flags instead: InCliTerms
// rewrites those hints into the flags that do the same
// ("use -k/--insecure", "--unsafe-redirect"), so the advice can be typed
// as it stands.
#ifndef STRATA_TOOLS_CLI_CLI_HINTS_H_
#define STRATA_TOOLS_CLI_CLI_HINTS_H_

#include <string>

namespace strata::cli {

// HintContext says what the flags depend on.
struct HintContext {
  // "host:port" of the proxy of the transfer ("" for none): a TLS failure
  // naming it is the proxy's, fixed with --proxy-cacert/--proxy-insecure.
  std::string proxy_authority;
};

// InCliTerms returns |message| with every known configuration hint
// replaced by its command-line flags; other text is left as it is.
std::string InCliTerms(const std::string& message, const HintContext& context);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_CLI_HINTS_H_
