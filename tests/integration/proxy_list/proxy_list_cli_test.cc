// strata with a proxy list in --config, against scripted peers, next to
// curl 7.88 with the one proxy it can take: every entry refused exits 7 as
// curl's refused proxy does; "direct" after a refused proxy succeeds, the
// -v trace naming each candidate; -x replaces the list, as curl's -x is the
// proxy.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/free_port.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/side_by_side.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

bool Contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

std::string Local(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

// A --config file whose proxy is |list| (JSON array text).
std::string ListConfig(const std::string& list) {
  const std::string path = MakeTempDir("list") + "/config.json";
  WriteFileOrDie(path, "{\"proxy\": {\"url\": " + list + ", \"from_env\": false}}");
  return path;
}

const PeerScript kOk = {ReadRequest(), Send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"), Close()};

TEST(ProxyListCli, EveryEntryRefusedExitsSevenAsCurlsRefusedProxy) {
  ScriptedPeer origin({kOk});
  const std::string a = Local(FreePort()), b = Local(FreePort());
  RunResult curl = RunCli(false, {"-s", "-S", "-x", a, origin.Url("/")});
  RunResult strata = RunCli(true, {"--plugin-dir", RunfilePath("tools"), "--config",
                                   ListConfig("[\"" + a + "\", \"" + b + "\"]"), "-s", "-S", origin.Url("/")});
  ASSERT_TRUE(curl.exit.exited && strata.exit.exited) << curl.exit.Describe() << " / " << strata.exit.Describe();
  EXPECT_EQ(curl.exit.exit_code, 7) << curl.stderr_text;
  EXPECT_EQ(strata.exit.exit_code, curl.exit.exit_code) << strata.stderr_text;
  EXPECT_TRUE(Contains(strata.stderr_text, "strata: (7) race: no way in the proxy list could connect to")) << strata.stderr_text;
  EXPECT_TRUE(Contains(strata.stderr_text, "1 " + a + ": refused (")) << strata.stderr_text;
  EXPECT_TRUE(Contains(strata.stderr_text, "2 " + b + ": refused (")) << strata.stderr_text;
  EXPECT_EQ(origin.ConnectionCount(), 0);
}

TEST(ProxyListCli, DirectAfterARefusedProxyAndTheTraceNamesEachCandidate) {
  ScriptedPeer origin({kOk});
  const std::string refused = Local(FreePort());
  RunResult r = RunCli(true, {"--plugin-dir", RunfilePath("tools"), "--config",
                              ListConfig("[\"" + refused + "\", \"direct\"]"), "-v", origin.Url("/")});
  ASSERT_TRUE(r.exit.exited) << r.exit.Describe();
  EXPECT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "ok\n");
  EXPECT_TRUE(Contains(r.stderr_text, "* race: candidate 1 of 2 (" + refused + ") lost: refused")) << r.stderr_text;
  EXPECT_TRUE(Contains(r.stderr_text, "* race: candidate 2 of 2 (direct) won")) << r.stderr_text;
  // Direct: the origin got an origin-form request, not a proxy's.
  ASSERT_EQ(origin.AllRequests().size(), 1u);
  EXPECT_EQ(origin.AllRequests()[0].rfind("GET / HTTP/1.1\r\n", 0), 0u) << origin.AllRequests()[0];
}

TEST(ProxyListCli, DashXReplacesTheList) {
  ScriptedPeer origin({kOk});
  const std::string refused = Local(FreePort());
  RunResult r = RunCli(true, {"--plugin-dir", RunfilePath("tools"), "--config", ListConfig("[\"direct\"]"), "-v",
                              "-x", refused, origin.Url("/")});
  ASSERT_TRUE(r.exit.exited) << r.exit.Describe();
  EXPECT_EQ(r.exit.exit_code, 7) << r.stderr_text;
  EXPECT_FALSE(Contains(r.stderr_text, "race:")) << r.stderr_text;
  EXPECT_EQ(origin.ConnectionCount(), 0);
}

}  // namespace
}  // namespace strata::test
