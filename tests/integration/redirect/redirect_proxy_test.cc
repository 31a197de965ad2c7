// Redirects through a real squid on 127.0.0.1: a hop to a second origin
// needs a new proxied connection to the new target. Through a CONNECT
// tunnel (connect-tunnel plugin) squid logs a second CONNECT, for the new
// host:port; as a forwarding proxy it logs the absolute-form URL of each
// hop. The origins are two nginx fixtures, whose access logs show what
// arrived through the proxy.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/redirect/redirect_env.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/proxy_fixture.h"
#include "tests/support/strata_client.h"

namespace strata::test {
namespace {

using namespace std::chrono_literals;

class RedirectProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string e;
    ASSERT_TRUE(second_.Start(&e)) << e;
    second_.WriteDocFile("target.txt", "second origin\n");
    NginxOptions o;
    o.extra_locations.push_back("location = /away { return 302 http://127.0.0.1:" +
                                std::to_string(second_.port()) + "/target.txt; }");
    o.extra_locations.push_back("location = /stay { return 302 http://127.0.0.1:$server_port/here.txt; }");
    first_ = std::make_unique<NginxFixture>(o);
    ASSERT_TRUE(first_->Start(&e)) << e;
    first_->WriteDocFile("here.txt", "first origin\n");
    ASSERT_TRUE(squid_.Start(&e)) << e;
    RuntimeResult rt = MakeRuntime(RedirectTestConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
    hops_.Attach(runtime_.get());
  }

  FetchSpec ViaProxy(const std::string& url, bool tunnel) const {
    FetchSpec spec;
    spec.url = url;
    spec.int_options = {{STRATA_OPT_FOLLOW_REDIRECTS, 1}, {STRATA_OPT_PROXY_TUNNEL, tunnel ? 1 : 0}};
    spec.string_options = {{STRATA_OPT_PROXY, "http://127.0.0.1:" + std::to_string(squid_.port())},
                           {STRATA_OPT_NO_PROXY, ""}};
    return spec;
  }

  // SquidLogLines waits (bounded) until squid's access log has |n| lines
  // containing |needle| and returns those lines. squid logs a CONNECT when
  // the tunnel closes, so callers free the runtime first.
  std::vector<std::string> SquidLogLines(const std::string& needle, size_t n) const {
    std::vector<std::string> lines;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    do {
      lines.clear();
      std::string log = squid_.AccessLog();
      size_t pos = 0;
      while (pos < log.size()) {
        size_t end = log.find('\n', pos);
        std::string line = log.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        if (line.find(needle) != std::string::npos) lines.push_back(line);
        if (end == std::string::npos) break;
        pos = end + 1;
      }
      if (lines.size() >= n) break;
      std::this_thread::sleep_for(50ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return lines;
  }

  NginxFixture second_;
  std::unique_ptr<NginxFixture> first_;
  SquidFixture squid_;
  RuntimePtr runtime_;
  HopRecorder hops_;
};

// Through a CONNECT tunnel: the hop to the second origin opens a new tunnel
// with a CONNECT for the new host:port (squid logs both), each hop's chain
// runs through the connect-tunnel layer, and both origins saw their request
// in origin form.
TEST_F(RedirectProxyTest, HopToASecondOriginOpensANewConnectTunnel) {
  FetchResult r = Fetch(runtime_.get(), ViaProxy(first_->Url("/away"), /*tunnel=*/true));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << hops_.Dump() << squid_.CacheLog();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "second origin\n");
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), 1);
  EXPECT_EQ(r.info(STRATA_INFO_NUM_CONNECTS), 2);
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_CONNECT), 200);
  ASSERT_EQ(hops_.hops.size(), 2u) << hops_.Dump();
  for (const HopEvent& h : hops_.hops) {
    EXPECT_EQ(LayerNames(h.chain), "tcp → connect-tunnel → h1") << h.chain;
    EXPECT_EQ(h.reused, 0) << h.message;
  }
  EXPECT_NE(hops_.hops[0].chain.find(std::to_string(first_->port())), std::string::npos) << hops_.hops[0].chain;
  EXPECT_NE(hops_.hops[1].chain.find(std::to_string(second_.port())), std::string::npos) << hops_.hops[1].chain;

  EXPECT_EQ(first_->WaitForAccessLog(1)[0].request, "GET /away HTTP/1.1");
  EXPECT_EQ(second_.WaitForAccessLog(1)[0].request, "GET /target.txt HTTP/1.1");

  runtime_.reset();  // closes the tunnels, so squid logs them
  std::string first_target = "CONNECT 127.0.0.1:" + std::to_string(first_->port());
  std::string second_target = "CONNECT 127.0.0.1:" + std::to_string(second_.port());
  EXPECT_EQ(SquidLogLines(first_target, 1).size(), 1u) << squid_.AccessLog();
  EXPECT_EQ(SquidLogLines(second_target, 1).size(), 1u) << squid_.AccessLog();
  EXPECT_EQ(SquidLogLines("CONNECT", 2).size(), 2u) << squid_.AccessLog();
}

// A same-origin hop through the tunnel reuses it: one CONNECT in all.
TEST_F(RedirectProxyTest, SameOriginHopReusesTheTunnel) {
  FetchResult r = Fetch(runtime_.get(), ViaProxy(first_->Url("/stay"), /*tunnel=*/true));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << hops_.Dump();
  EXPECT_EQ(r.body(), "first origin\n");
  EXPECT_EQ(r.info(STRATA_INFO_NUM_CONNECTS), 1);
  ASSERT_EQ(hops_.hops.size(), 2u);
  EXPECT_EQ(hops_.hops[1].reused, 1);
  std::vector<AccessLogEntry> log = first_->WaitForAccessLog(2);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].connection, log[1].connection);
  runtime_.reset();
  EXPECT_EQ(SquidLogLines("CONNECT", 1).size(), 1u) << squid_.AccessLog();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(SquidLogLines("CONNECT", 1).size(), 1u) << squid_.AccessLog();
}

// As a forwarding proxy (no tunnel), each hop goes to squid in absolute
// form with the hop's own URL.
TEST_F(RedirectProxyTest, HopToASecondOriginThroughAForwardingProxy) {
  FetchResult r = Fetch(runtime_.get(), ViaProxy(first_->Url("/away"), /*tunnel=*/false));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << hops_.Dump();
  EXPECT_EQ(r.body(), "second origin\n");
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_CONNECT), 0);
  EXPECT_EQ(second_.WaitForAccessLog(1)[0].request, "GET /target.txt HTTP/1.1");
  EXPECT_EQ(SquidLogLines("GET " + first_->Url("/away"), 1).size(), 1u) << squid_.AccessLog();
  EXPECT_EQ(SquidLogLines("GET " + second_.Url("/target.txt"), 1).size(), 1u) << squid_.AccessLog();
  EXPECT_EQ(squid_.AccessLog().find("CONNECT"), std::string::npos) << squid_.AccessLog();
}

// The proxy's own credentials (STRATA_OPT_PROXY_CREDENTIALS) belong to the
// proxy, not to an origin: a hop to another origin through tinyproxy with
// Basic auth still authenticates to the proxy (no 407), while the origin's
// Authorization stays behind (HOSTILE 75).
TEST(RedirectAuthProxyTest, Hostile75_ProxyCredentialsSurviveACrossOriginHop) {
  std::string e;
  NginxOptions so;
  so.extra_locations.push_back(
      "location = /echo { return 200 \"auth=[$http_authorization] proxy-auth=[$http_proxy_authorization]\\n\"; }");
  NginxFixture second(so);
  ASSERT_TRUE(second.Start(&e)) << e;
  NginxOptions fo;
  fo.extra_locations.push_back("location = /away { return 302 http://127.0.0.1:" + std::to_string(second.port()) +
                               "/echo; }");
  NginxFixture first(fo);
  ASSERT_TRUE(first.Start(&e)) << e;
  TinyproxyFixture proxy("puser", "ppass");
  ASSERT_TRUE(proxy.Start(&e)) << e;
  RuntimeResult rt = MakeRuntime(RedirectTestConfig());
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;

  FetchSpec spec;
  spec.url = first.Url("/away");
  spec.headers = {{"Authorization", "Bearer origin-secret"}};
  spec.int_options = {{STRATA_OPT_FOLLOW_REDIRECTS, 1}, {STRATA_OPT_PROXY_TUNNEL, 0}};
  spec.string_options = {{STRATA_OPT_PROXY, "http://127.0.0.1:" + std::to_string(proxy.port())},
                         {STRATA_OPT_PROXY_CREDENTIALS, "puser:ppass"},
                         {STRATA_OPT_NO_PROXY, ""}};
  FetchResult r = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << proxy.Log();
  EXPECT_EQ(r.http_status(), 200) << proxy.Log();
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), 1);
  // tinyproxy consumed Proxy-Authorization; the origin's credentials did
  // not follow the hop.
  EXPECT_EQ(r.body(), "auth=[] proxy-auth=[]\n");
  EXPECT_EQ(second.WaitForAccessLog(1)[0].request, "GET /echo HTTP/1.1");

  // Control: the proxy does demand the credentials.
  spec.string_options.erase(spec.string_options.begin() + 1);
  FetchResult denied = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(denied.status, STRATA_OK) << denied.Describe();
  EXPECT_EQ(denied.http_status(), 407);
}

}  // namespace
}  // namespace strata::test
