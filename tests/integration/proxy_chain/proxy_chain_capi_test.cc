// Proxy stacking through the C API (STRATA_OPT_PREPROXY, one URL per line,
// before STRATA_OPT_PROXY): the pool reuses a connection only for the same
// chain with the same credentials, each proxy gets its own credentials and
// no other's, and a middle proxy that misbehaves (a scripted peer behind a
// real squid, in front of a real tinyproxy) fails the transfer quickly with
// an error naming it.
#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/proxy_chain/chain_peers.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/proxy_fixture.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

bool Contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string InfoString(const FetchResult& r, int32_t id) {
  const char* value = nullptr;
  if (!r.response || strata_response_info_string(r.response.get(), id, &value) != STRATA_OK || !value) return "";
  return value;
}

class ProxyChainCapiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    peers_ = new ChainPeers();
    ASSERT_TRUE(peers_->Start("origin", &e)) << e;
  }
  static void TearDownTestSuite() {
    delete peers_;
    peers_ = nullptr;
  }
  void SetUp() override {
    RuntimeResult rt = MakeRuntime(DefaultTestConfig(", \"tls\", \"connect-tunnel\""));
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
  }

  static std::string Origin() { return "https://localhost:" + std::to_string(peers_->origin_port) + "/"; }
  static std::string Squid(const std::string& userinfo = "") {
    return "http://" + userinfo + "127.0.0.1:" + std::to_string(peers_->squid.port());
  }
  static std::string Tiny() { return "http://127.0.0.1:" + std::to_string(peers_->tinyproxy.port()); }
  static std::string TinyAuthority() { return "127.0.0.1:" + std::to_string(peers_->tinyproxy.port()); }

  // Through |preproxies| (one per line) and tinyproxy as alice.
  FetchResult Through(const std::string& preproxies, const std::string& password = "wonderland",
                      int64_t connect_timeout_ms = 5000, const std::string& more_layer_options = "") {
    FetchSpec spec;
    spec.url = Origin();
    spec.string_options = {
        {STRATA_OPT_PREPROXY, preproxies},
        {STRATA_OPT_PROXY, Tiny()},
        {STRATA_OPT_PROXY_CREDENTIALS, "alice:" + password},
        {STRATA_OPT_LAYER_OPTIONS,
         "{\"tls\": {\"ca_file\": " + JsonString(peers_->pki.Cert("ca")) + "}" + more_layer_options + "}"}};
    spec.int_options = {{STRATA_OPT_CONNECT_TIMEOUT_MS, connect_timeout_ms}};
    return Fetch(runtime_.get(), spec);
  }

  RuntimePtr runtime_;
  static ChainPeers* peers_;
};
ChainPeers* ProxyChainCapiTest::peers_ = nullptr;

TEST_F(ProxyChainCapiTest, SameChainReusesOneConnectionAnotherDoesNot) {
  const std::string needle = "CONNECT localhost:" + std::to_string(peers_->origin_port);
  const size_t before = Count(peers_->tinyproxy.Log(), needle);
  FetchResult first = Through(Squid());
  ASSERT_EQ(first.status, STRATA_OK) << first.Describe();
  EXPECT_EQ(first.body(), "origin\n");
  EXPECT_EQ(first.info(STRATA_INFO_NUM_CONNECTS), 1);
  EXPECT_EQ(first.info(STRATA_INFO_HTTP_CONNECT), 200);
  EXPECT_EQ(InfoString(first, STRATA_INFO_STR_HTTP_CONNECTS), "200 200");
  FetchResult second = Through(Squid());
  ASSERT_EQ(second.status, STRATA_OK) << second.Describe();
  EXPECT_EQ(second.info(STRATA_INFO_NUM_CONNECTS), 0) << "the same chain reuses its connection";
  EXPECT_EQ(Count(peers_->tinyproxy.Log(), needle), before + 1) << peers_->tinyproxy.Log();

  // Other credentials for the first proxy: another chain, a new connection
  // (squid has no auth and ignores them).
  FetchResult other = Through(Squid("someone:else@"));
  ASSERT_EQ(other.status, STRATA_OK) << other.Describe();
  EXPECT_EQ(other.info(STRATA_INFO_NUM_CONNECTS), 1) << "other credentials, other connection";
  EXPECT_EQ(Count(peers_->tinyproxy.Log(), needle), before + 2) << peers_->tinyproxy.Log();
  // A chain of one proxy (tinyproxy alone) is another chain too.
  FetchResult alone = Through("");
  ASSERT_EQ(alone.status, STRATA_OK) << alone.Describe();
  EXPECT_EQ(alone.info(STRATA_INFO_NUM_CONNECTS), 1);
  EXPECT_EQ(InfoString(alone, STRATA_INFO_STR_HTTP_CONNECTS), "200");
}

// Each proxy's credentials go to it alone: a scripted first proxy records
// the CONNECT it got (and refuses it, so nothing goes further).
TEST_F(ProxyChainCapiTest, CredentialsGoOnlyToTheirOwnProxy) {
  ScriptedPeer first({{ReadRequest(), Send("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"), Close()}});
  FetchResult r = Through("http://carol:s3cret@127.0.0.1:" + std::to_string(first.port()));
  ASSERT_EQ(r.status, STRATA_E_PROXY) << r.Describe();
  ASSERT_TRUE(first.WaitForScripts(std::chrono::seconds(5)));
  const std::vector<std::string> requests = first.AllRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(Contains(requests[0], "CONNECT " + TinyAuthority() + " HTTP/1.1\r\n")) << requests[0];
  // carol:s3cret, and never alice:wonderland (tinyproxy's).
  EXPECT_TRUE(Contains(requests[0], "Proxy-Authorization: Basic Y2Fyb2w6czNjcmV0\r\n")) << requests[0];
  EXPECT_FALSE(Contains(requests[0], "YWxpY2U6d29uZGVybGFuZA")) << requests[0];
  EXPECT_TRUE(Contains(r.error.message, "proxy 1 of 2 (http://127.0.0.1:" + std::to_string(first.port()) + ")"))
      << r.error.message;
  EXPECT_FALSE(Contains(r.error.message, "s3cret")) << r.error.message;
  EXPECT_EQ(r.error.http_connect, 502);
}

// "proxyN:tls" names the TLS layer to proxy N alone: squid's https_port
// (proxy 1 here) is trusted through it, and not through another N.
TEST_F(ProxyChainCapiTest, EachHttpsProxysTlsLayerHasItsOwnKey) {
  const std::string squid_tls = "https://localhost:" + std::to_string(peers_->squid.tls_port());
  const std::string ca = JsonString(peers_->pki.Cert("ca"));
  FetchResult ok = Through(squid_tls, "wonderland", 5000, ", \"proxy1:tls\": {\"ca_file\": " + ca + "}");
  ASSERT_EQ(ok.status, STRATA_OK) << ok.Describe();
  EXPECT_EQ(ok.body(), "origin\n");
  EXPECT_TRUE(Contains(InfoString(ok, STRATA_INFO_STR_LAYER_TIMES), "proxy1:tls=")) << InfoString(ok, STRATA_INFO_STR_LAYER_TIMES);
  FetchResult other = Through(squid_tls, "wonderland", 5000, ", \"proxy2:tls\": {\"ca_file\": " + ca + "}");
  EXPECT_EQ(other.status, STRATA_E_TLS_VERIFY) << other.Describe();
  EXPECT_EQ(std::string(other.error.layer), "proxy1:tls");
  EXPECT_TRUE(Contains(other.error.message, "proxy 1 of 2 (" + squid_tls + ")")) << other.error.message;
}

// "proxyN:connect-tunnel" names one proxy's tunnel layer: an option that
// layer refuses (max_reply_bytes under 256) fails at that proxy only.
TEST_F(ProxyChainCapiTest, EachTunnelLayerHasItsOwnKey) {
  const std::vector<std::string> urls = {Squid(), Tiny()};
  for (int n : {1, 2}) {
    SCOPED_TRACE(n);
    const std::string key = "proxy" + std::to_string(n) + ":connect-tunnel";
    FetchResult r = Through(Squid(), "wonderland", 5000, ", \"" + key + "\": {\"max_reply_bytes\": 10}");
    EXPECT_EQ(r.status, STRATA_E_CONFIG) << r.Describe();
    EXPECT_TRUE(Contains(r.error.message, "proxy " + std::to_string(n) + " of 2 (" + urls[n - 1] + "): connect-tunnel: "
                                          "option 'max_reply_bytes'"))
        << r.error.message;
  }
  // "connect-tunnel" still names every proxy's (the first one fails first).
  FetchResult all = Through(Squid(), "wonderland", 5000, ", \"connect-tunnel\": {\"max_reply_bytes\": 10}");
  EXPECT_EQ(all.status, STRATA_E_CONFIG) << all.Describe();
  EXPECT_TRUE(Contains(all.error.message, "proxy 1 of 2")) << all.error.message;
  // A valid per-proxy option leaves the chain working.
  FetchResult ok = Through(Squid(), "wonderland", 5000, ", \"proxy2:connect-tunnel\": {\"max_reply_bytes\": 4096}");
  EXPECT_EQ(ok.status, STRATA_OK) << ok.Describe();
}

struct HostileCase {
  const char* name;
  PeerScript script;
  strata_status status;
  const char* says;
  int http_connect;  // the last CONNECT status the error reports
};

// A middle proxy (2 of 3: squid → scripted → tinyproxy) that misbehaves:
// a clear error naming it, within the connect timeout, never a hang.
TEST_F(ProxyChainCapiTest, HostileMiddleProxy) {
  const std::string big(70000, 'x');
  const std::vector<HostileCase> cases = {
      {"407", {ReadRequest(), Send("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"), Close()},
       STRATA_E_PROXY, "proxy authentication required (407", 407},
      {"502", {ReadRequest(), Send("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"), Close()}, STRATA_E_PROXY,
       "refused CONNECT to " , 502},
      {"close", {ReadRequest(), Close()}, STRATA_E_PROXY, "closed the connection without answering CONNECT", 200},
      {"truncated", {ReadRequest(), Send("HTTP/1.1 200 Conn"), Close()}, STRATA_E_PROXY,
       "in the middle of its reply", 200},
      {"oversized", {ReadRequest(), Send("HTTP/1.1 200 OK\r\nX-Big: " + big + "\r\n\r\n"), Sleep(2000), Close()},
       STRATA_E_LIMIT, "too large", 200},
      {"silent", {ReadRequest(), NeverAnswer()}, STRATA_E_TIMEOUT, "waiting for proxy 2 of 3 (http://127.0.0.1:", 200},
  };
  for (const HostileCase& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedPeer middle({c.script});
    const std::string label = "http://127.0.0.1:" + std::to_string(middle.port());
    const auto start = std::chrono::steady_clock::now();
    FetchResult r = Through(Squid() + "\n" + label, "wonderland", /*connect_timeout_ms=*/1500);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.status, c.status) << r.Describe();
    EXPECT_LT(took, std::chrono::seconds(5)) << r.Describe();
    EXPECT_TRUE(Contains(r.error.message, c.says)) << r.error.message;
    EXPECT_TRUE(Contains(r.error.message, "proxy 2 of 3 (" + label + ")")) << r.error.message;
    if (c.status != STRATA_E_TIMEOUT) {
      EXPECT_EQ(std::string(r.error.layer), "proxy2:connect-tunnel");
    }
    EXPECT_EQ(r.error.http_connect, c.http_connect) << r.error.message;
  }
}

}  // namespace
}  // namespace strata::test
