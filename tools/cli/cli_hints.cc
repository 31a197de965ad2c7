#include "tools/cli/cli_hints.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace strata::cli {

std::string InCliTerms(const std::string& message, const HintContext& context) {
  // The tls layer's advice names the host it failed on: "(host H:P; check
  // ca_file/ca_path, or set verify: false to skip verification)".
  bool proxy_tls = false;
  if (!context.proxy_authority.empty()) {
    const std::string host = absl::StrCat("(host ", context.proxy_authority);
    size_t at = message.find(host);
    // "(host H:P;" or "(host H:P, certificate 2 of the chain;"
    proxy_tls = at != std::string::npos && at + host.size() < message.size() &&
                (message[at + host.size()] == ';' || message[at + host.size()] == ',');
  }
  const std::string tls_hint =
      proxy_tls ? "use --proxy-cacert/--proxy-capath, or --proxy-insecure to skip verification"
                : "use --cacert/--capath, or -k/--insecure to skip verification";
  return absl::StrReplaceAll(
      message, {
                   {"check ca_file/ca_path, or set verify: false to skip verification", tls_hint},
                   {"(verify: false)", proxy_tls ? "(--proxy-insecure)" : "(-k/--insecure)"},
                   {"(allow with unsafe_redirect)", "(allow with --unsafe-redirect)"},
                   {"raise limits.max_body_bytes", "write it to a file with -o"},
               });
}

}  // namespace strata::cli
