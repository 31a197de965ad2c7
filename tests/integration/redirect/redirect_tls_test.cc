// Redirects that change the scheme, end to end: http → https rebuilds the
// connection chain with a TLS layer; https → http is refused unless
// STRATA_OPT_UNSAFE_REDIRECT allows it (HOSTILE 76). A plain nginx and a
// TLS nginx (certificates from a CA made at test time) on 127.0.0.1; the
// test CA is trusted per request through STRATA_OPT_LAYER_OPTIONS.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/redirect/redirect_env.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/strata_client.h"

namespace strata::test {
namespace {

class RedirectTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TestPki();
    std::string e;
    ASSERT_TRUE(pki_->MakeCa("ca", &e) &&
                pki_->MakeLocalhostLeaf("ca", &e))
        << e;
    const std::string certs = "    ssl_certificate \"" + pki_->Cert("localhost") + "\";\n    ssl_certificate_key \"" +
                              pki_->Key("localhost") + "\";\n";
    tls_ = new TlsNginx();
    // The https target of the upgrade.
    tls_target_port_ = tls_->AddServer(
        certs + "    location / { return 200 \"secure uri=$request_uri auth=[$http_authorization]\\n\"; }\n");

    NginxOptions o;
    o.extra_locations.push_back("location = /upgrade { return 301 https://localhost:" +
                                std::to_string(tls_target_port_) + "/secure/x; }");
    o.extra_locations.push_back(
        "location = /whoami { return 200 \"plain auth=[$http_authorization] cookie=[$http_cookie]\\n\"; }");
    plain_ = new NginxFixture(o);
    ASSERT_TRUE(plain_->Start(&e)) << e;

    // The https source of the downgrade, which needs the plain port.
    tls_source_port_ = tls_->AddServer(certs + "    location = /downgrade { return 302 http://127.0.0.1:" +
                                       std::to_string(plain_->port()) + "/whoami; }\n");
    ASSERT_TRUE(tls_->Start(&e)) << e;
    ready_ = true;
  }
  static void TearDownTestSuite() {
    delete tls_;
    tls_ = nullptr;
    delete plain_;
    plain_ = nullptr;
    delete pki_;
    pki_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(ready_) << "the suite's servers did not start";
    RuntimeResult rt = MakeRuntime(RedirectTestConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
    hops_.Attach(runtime_.get());
  }

  static FetchSpec Follow(const std::string& url) {
    FetchSpec spec;
    spec.url = url;
    spec.int_options = {{STRATA_OPT_FOLLOW_REDIRECTS, 1}};
    spec.string_options = {
        {STRATA_OPT_LAYER_OPTIONS, "{\"tls\": {\"ca_file\": " + JsonString(pki_->Cert("ca")) + "}}"},
        {STRATA_OPT_RESOLVE, "localhost:" + std::to_string(tls_target_port_) + ":127.0.0.1"},
        {STRATA_OPT_RESOLVE, "localhost:" + std::to_string(tls_source_port_) + ":127.0.0.1"}};
    return spec;
  }
  // WhoamiRequests counts the plain server's logged GET /whoami requests
  // (the suite shares the server, and nginx logs after it answered).
  static size_t WhoamiRequests() {
    size_t n = 0;
    for (const AccessLogEntry& e : plain_->AccessLog()) n += e.request == "GET /whoami HTTP/1.1";
    return n;
  }
  static size_t WaitForWhoamiRequests(size_t want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    size_t n = WhoamiRequests();
    while (n < want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      n = WhoamiRequests();
    }
    return n;
  }
  static std::string Https(uint16_t port, const std::string& path) {
    return "https://localhost:" + std::to_string(port) + path;
  }

  static TestPki* pki_;
  static TlsNginx* tls_;
  static NginxFixture* plain_;
  static uint16_t tls_target_port_, tls_source_port_;
  static bool ready_;
  RuntimePtr runtime_;
  HopRecorder hops_;
};

TestPki* RedirectTlsTest::pki_ = nullptr;
TlsNginx* RedirectTlsTest::tls_ = nullptr;
NginxFixture* RedirectTlsTest::plain_ = nullptr;
uint16_t RedirectTlsTest::tls_target_port_ = 0, RedirectTlsTest::tls_source_port_ = 0;
bool RedirectTlsTest::ready_ = false;

// http → https: the second hop gets a new connection whose chain has a TLS
// layer: "tcp → h1" becomes "tcp → tls → h1".
TEST_F(RedirectTlsTest, HttpToHttpsRebuildsTheChainWithTls) {
  FetchResult r = Fetch(runtime_.get(), Follow(plain_->Url("/upgrade")));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << hops_.Dump();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "secure uri=/secure/x auth=[]\n");
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), 1);
  EXPECT_EQ(r.info(STRATA_INFO_NUM_CONNECTS), 2);
  EXPECT_EQ(std::string(strata_response_effective_url(r.response.get())), Https(tls_target_port_, "/secure/x"));

  ASSERT_EQ(hops_.hops.size(), 2u) << hops_.Dump();
  EXPECT_EQ(hops_.hops[0].url, plain_->Url("/upgrade"));
  EXPECT_EQ(hops_.hops[0].status, 301);
  EXPECT_EQ(LayerNames(hops_.hops[0].chain), "tcp → h1") << hops_.hops[0].chain;
  EXPECT_EQ(hops_.hops[1].url, Https(tls_target_port_, "/secure/x"));
  EXPECT_EQ(hops_.hops[1].status, 200);
  EXPECT_EQ(hops_.hops[1].reused, 0);
  EXPECT_EQ(LayerNames(hops_.hops[1].chain), "tcp → tls → h1") << hops_.hops[1].chain;
  EXPECT_NE(hops_.hops[1].chain.find("sni=localhost"), std::string::npos) << hops_.hops[1].chain;
  EXPECT_NE(hops_.hops[1].chain.find(":" + std::to_string(tls_target_port_)), std::string::npos)
      << hops_.hops[1].chain;
  EXPECT_EQ(InfoString(r, STRATA_INFO_STR_CHAIN), hops_.hops[1].chain);
}

// Upgrading to https is a scheme change, hence another origin: the
// credentials stay on the http origin.
TEST_F(RedirectTlsTest, Hostile75_HttpToHttpsDropsAuthorization) {
  FetchSpec spec = Follow(plain_->Url("/upgrade"));
  spec.headers = {{"Authorization", "Bearer secret-token"}};
  FetchResult r = Fetch(runtime_.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "secure uri=/secure/x auth=[]\n");
}

// The https hop is verified like any other: without the test CA it fails
// in the tls layer, on hop 2.
TEST_F(RedirectTlsTest, HttpsHopAfterARedirectIsVerified) {
  FetchSpec spec = Follow(plain_->Url("/upgrade"));
  spec.string_options.erase(spec.string_options.begin());  // no ca_file
  FetchResult r = Fetch(runtime_.get(), spec);
  EXPECT_EQ(r.status, STRATA_E_TLS_VERIFY) << r.Describe();
  EXPECT_STREQ(r.error.layer, "tls");
  EXPECT_EQ(r.error.hop, 2);
}

// HOSTILE 76: https → http is refused; the message names both URLs and the
// plain server is never asked.
TEST_F(RedirectTlsTest, Hostile76_HttpsToHttpIsRefused) {
  size_t before = WhoamiRequests();
  FetchResult r = Fetch(runtime_.get(), Follow(Https(tls_source_port_, "/downgrade")));
  ASSERT_EQ(r.status, STRATA_E_REDIRECT) << r.Describe();
  EXPECT_EQ(r.response, nullptr);
  EXPECT_STREQ(r.error.layer, "redirect");
  std::string msg = r.error.message;
  EXPECT_NE(msg.find(Https(tls_source_port_, "/downgrade")), std::string::npos) << msg;
  EXPECT_NE(msg.find(plain_->Url("/whoami")), std::string::npos) << msg;
  EXPECT_NE(msg.find("unsafe"), std::string::npos) << msg;
  EXPECT_EQ(r.error.hop, 1);
  ASSERT_EQ(hops_.hops.size(), 1u);
  EXPECT_EQ(LayerNames(hops_.hops[0].chain), "tcp → tls → h1");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(WhoamiRequests(), before) << "the http target was contacted";
}

// With STRATA_OPT_UNSAFE_REDIRECT the downgrade is followed, the chain
// loses its TLS layer, and (HOSTILE 76: a scheme change is another origin)
// the credentials are not sent in clear text.
TEST_F(RedirectTlsTest, Hostile76_HttpsToHttpAllowedWithUnsafeRedirect) {
  size_t before = WhoamiRequests();
  FetchSpec spec = Follow(Https(tls_source_port_, "/downgrade"));
  spec.int_options.push_back({STRATA_OPT_UNSAFE_REDIRECT, 1});
  spec.headers = {{"Authorization", "Bearer secret-token"}, {"Cookie", "session=s3cr3t"}};
  FetchResult r = Fetch(runtime_.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "plain auth=[] cookie=[]\n");
  ASSERT_EQ(hops_.hops.size(), 2u);
  EXPECT_EQ(LayerNames(hops_.hops[0].chain), "tcp → tls → h1");
  EXPECT_EQ(LayerNames(hops_.hops[1].chain), "tcp → h1");
  EXPECT_EQ(hops_.hops[1].url, plain_->Url("/whoami"));
  EXPECT_EQ(WaitForWhoamiRequests(before + 1), before + 1);
}

// Not following, a downgrade is merely reported.
TEST_F(RedirectTlsTest, DowngradeIsReportedWhenNotFollowing) {
  FetchSpec spec = Follow(Https(tls_source_port_, "/downgrade"));
  spec.int_options = {{STRATA_OPT_FOLLOW_REDIRECTS, 0}};
  FetchResult r = Fetch(runtime_.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 302);
  EXPECT_EQ(InfoString(r, STRATA_INFO_STR_REDIRECT_URL), plain_->Url("/whoami"));
}

}  // namespace
}  // namespace strata::test
