#include "tools/cli/cli_hints.h"

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

constexpr char kTlsFailure[] =
    "tls: certificate verify failed: self signed certificate (host a.test:8443; check ca_file/ca_path, or set "
    "verify: false to skip verification) (hop 1, https://a.test:8443/)";

TEST(CliHints, TlsAdviceNamesTheFlags) {
  EXPECT_EQ(InCliTerms(kTlsFailure, {}),
            "tls: certificate verify failed: self signed certificate (host a.test:8443; use --cacert/--capath, or "
            "-k/--insecure to skip verification) (hop 1, https://a.test:8443/)");
}

TEST(CliHints, AProxysTlsFailureNamesTheProxyFlags) {
  EXPECT_EQ(InCliTerms(kTlsFailure, {"a.test:8443"}),
            "tls: certificate verify failed: self signed certificate (host a.test:8443; use "
            "--proxy-cacert/--proxy-capath, or --proxy-insecure to skip verification) (hop 1, https://a.test:8443/)");
  // Another proxy: the failure is the origin's.
  EXPECT_NE(InCliTerms(kTlsFailure, {"p.test:3128"}).find("-k/--insecure"), std::string::npos);
}

TEST(CliHints, RedirectDowngrade) {
  EXPECT_EQ(InCliTerms("redirect: 302 to http://a/ refused: it downgrades HTTPS to HTTP (allow with "
                       "unsafe_redirect) (hop 1, https://a/)",
                       {}),
            "redirect: 302 to http://a/ refused: it downgrades HTTPS to HTTP (allow with --unsafe-redirect) (hop 1, "
            "https://a/)");
}

TEST(CliHints, OtherTextIsLeftAlone) {
  const std::string message = "tcp: connection refused by 127.0.0.1:1 (hop 1, http://127.0.0.1:1/)";
  EXPECT_EQ(InCliTerms(message, {}), message);
  EXPECT_EQ(InCliTerms("", {}), "");
}

}  // namespace
}  // namespace strata::cli
