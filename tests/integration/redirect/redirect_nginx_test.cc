// The redirect engine end to end against a real nginx on 127.0.0.1, through
// the public C API (//runtime/capi) with the dist plugins: long chains,
// connection reuse across same-origin hops (proved by nginx's $connection),
// loops, the hop limit, relative and protocol-relative Locations, fragment
// inheritance, and the Location reported when redirects are not followed.
// Each test starts its own nginx, so access logs never mix.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/redirect/redirect_env.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/strata_client.h"

namespace strata::test {
namespace {

constexpr int kChainLength = 12;  // redirects before /chain/13, a file

NginxOptions RedirectingNginx() {
  NginxOptions o;
  // /chain/1 → /chain/2 → ... → /chain/13 (a static file): 12 redirects,
  // absolute Locations on the same origin.
  for (int i = 1; i <= kChainLength; ++i) {
    o.extra_locations.push_back("location = /chain/" + std::to_string(i) +
                                " { return 302 http://127.0.0.1:$server_port/chain/" + std::to_string(i + 1) +
                                "; }");
  }
  // Endless distinct URLs: /inf/a → /inf/aa → /inf/aaa → ... (no loop).
  o.extra_locations.push_back("location ~ ^/inf/(a*)$ { return 302 http://127.0.0.1:$server_port/inf/$1a; }");
  // A two-step loop and a self loop.
  o.extra_locations.push_back("location = /loop/a { return 302 http://127.0.0.1:$server_port/loop/b; }");
  o.extra_locations.push_back("location = /loop/b { return 301 http://127.0.0.1:$server_port/loop/a; }");
  o.extra_locations.push_back("location = /loop/self { return 307 http://127.0.0.1:$server_port/loop/self; }");
  // Relative Locations, sent as written (absolute_redirect off).
  o.extra_locations.push_back("location = /rel/one/two/start { absolute_redirect off; return 302 \"../b/c\"; }");
  o.extra_locations.push_back("location = /rel/q/start { absolute_redirect off; return 302 \"next?x=1&y=2\"; }");
  o.extra_locations.push_back("location = /rel/q/next { return 200 \"args=$args\\n\"; }");
  o.extra_locations.push_back(
      "location = /proto/start { absolute_redirect off; return 302 \"//127.0.0.1:$server_port/proto/target\"; }");
  // Fragments: none in the Location (inherits the request's), or its own.
  o.extra_locations.push_back("location = /frag/start { absolute_redirect off; return 302 \"/frag/end\"; }");
  o.extra_locations.push_back("location = /frag/own { absolute_redirect off; return 302 \"/frag/end#theirs\"; }");
  o.extra_locations.push_back("location = /frag/end { return 200 \"uri=$request_uri\\n\"; }");
  // Credentials: a hop to the same origin, and one to another host name
  // (localhost instead of 127.0.0.1) on the same port.
  o.extra_locations.push_back("location = /cred/same { return 302 http://127.0.0.1:$server_port/cred/echo; }");
  o.extra_locations.push_back("location = /cred/otherhost { return 302 http://localhost:$server_port/cred/echo; }");
  o.extra_locations.push_back(
      "location = /cred/echo { return 200 \"host=$host auth=[$http_authorization] cookie=[$http_cookie]\\n\"; }");
  return o;
}

class RedirectNginxTest : public ::testing::Test {
 protected:
  RedirectNginxTest() : nginx_(RedirectingNginx()) {}

  void SetUp() override {
    std::string error;
    ASSERT_TRUE(nginx_.Start(&error)) << error;
    nginx_.WriteDocFile("chain/" + std::to_string(kChainLength + 1), "end of chain\n");
    nginx_.WriteDocFile("rel/one/b/c", "relative target\n");
    nginx_.WriteDocFile("proto/target", "protocol-relative target\n");
    RuntimeResult rt = MakeRuntime(RedirectTestConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
    hops_.Attach(runtime_.get());
  }

  FetchResult Follow(const std::string& url, std::vector<std::pair<int32_t, int64_t>> options = {}) {
    FetchSpec spec;
    spec.url = url;
    spec.int_options = {{STRATA_OPT_FOLLOW_REDIRECTS, 1}};
    spec.int_options.insert(spec.int_options.end(), options.begin(), options.end());
    return Fetch(runtime_.get(), spec);
  }

  // RequestLines: the request lines nginx logged, in order, once |n| are in.
  std::vector<std::string> RequestLines(size_t n) {
    std::vector<std::string> out;
    for (const AccessLogEntry& e : nginx_.WaitForAccessLog(n)) out.push_back(e.request);
    return out;
  }

  NginxFixture nginx_;
  RuntimePtr runtime_;
  HopRecorder hops_;
};

// Twelve redirects in a row are followed (the default limit is 20), every
// hop is reported with its URL and status, and all hops share the first
// connection: NUM_CONNECTS is 1 and nginx saw one connection serving 13
// requests.
TEST_F(RedirectNginxTest, TwelveHopSameOriginChainReusesOneConnection) {
  FetchResult r = Follow(nginx_.Url("/chain/1"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << hops_.Dump();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "end of chain\n");
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), kChainLength);
  EXPECT_EQ(r.info(STRATA_INFO_NUM_CONNECTS), 1);
  EXPECT_EQ(std::string(strata_response_effective_url(r.response.get())),
            nginx_.Url("/chain/" + std::to_string(kChainLength + 1)));
  EXPECT_EQ(InfoString(r, STRATA_INFO_STR_REDIRECT_URL), "");

  ASSERT_EQ(hops_.hops.size(), static_cast<size_t>(kChainLength + 1)) << hops_.Dump();
  for (int i = 0; i <= kChainLength; ++i) {
    const HopEvent& h = hops_.hops[i];
    EXPECT_EQ(h.hop, i + 1);
    EXPECT_EQ(h.url, nginx_.Url("/chain/" + std::to_string(i + 1)));
    EXPECT_EQ(h.status, i < kChainLength ? 302 : 200);
    EXPECT_EQ(h.reused, i == 0 ? 0 : 1) << h.message;
    EXPECT_EQ(LayerNames(h.chain), "tcp → h1") << h.chain;
  }
  EXPECT_EQ(hops_.connects.size(), 1u);

  std::vector<AccessLogEntry> log = nginx_.WaitForAccessLog(kChainLength + 1);
  ASSERT_EQ(log.size(), static_cast<size_t>(kChainLength + 1));
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].request, "GET /chain/" + std::to_string(i + 1) + " HTTP/1.1");
    EXPECT_EQ(log[i].connection, log[0].connection) << "request " << i + 1 << " came on another connection";
    EXPECT_EQ(log[i].connection_requests, i + 1);
  }
}

// HOSTILE 78: A → B → A is reported as a loop, naming the hops, without
// asking nginx for /loop/a a second time.
TEST_F(RedirectNginxTest, Hostile78_LoopIsRefusedWithTheHopsInTheMessage) {
  FetchResult r = Follow(nginx_.Url("/loop/a"));
  ASSERT_EQ(r.status, STRATA_E_REDIRECT) << r.Describe() << "\n" << hops_.Dump();
  EXPECT_EQ(r.response, nullptr);
  std::string msg = r.error.message;
  EXPECT_STREQ(r.error.layer, "redirect");
  EXPECT_NE(msg.find("loop"), std::string::npos) << msg;
  EXPECT_NE(msg.find("GET " + nginx_.Url("/loop/a")), std::string::npos) << msg;
  EXPECT_NE(msg.find("GET " + nginx_.Url("/loop/b")), std::string::npos) << msg;
  // a → b → a: the second /loop/a is named as where the loop closes.
  EXPECT_LT(msg.find(nginx_.Url("/loop/a")), msg.find(nginx_.Url("/loop/b"))) << msg;
  EXPECT_NE(msg.rfind(nginx_.Url("/loop/a")), msg.find(nginx_.Url("/loop/a"))) << msg;
  EXPECT_EQ(r.error.hop, 2);
  EXPECT_EQ(hops_.hops.size(), 2u) << hops_.Dump();
  EXPECT_EQ(RequestLines(2), (std::vector<std::string>{"GET /loop/a HTTP/1.1", "GET /loop/b HTTP/1.1"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(nginx_.AccessLog().size(), 2u);
}

// HOSTILE 78: a resource redirecting to itself is a loop after one hop.
TEST_F(RedirectNginxTest, Hostile78_SelfRedirectIsALoop) {
  FetchResult r = Follow(nginx_.Url("/loop/self"));
  ASSERT_EQ(r.status, STRATA_E_REDIRECT) << r.Describe();
  std::string msg = r.error.message;
  EXPECT_NE(msg.find("loop"), std::string::npos) << msg;
  EXPECT_NE(msg.find(nginx_.Url("/loop/self")), std::string::npos) << msg;
  EXPECT_EQ(RequestLines(1), std::vector<std::string>{"GET /loop/self HTTP/1.1"});
}

// HOSTILE 78 / RFC 9110 §15.4: STRATA_OPT_MAX_REDIRECTS bounds the hops. With
// 5, the sixth response's redirect is refused; nginx saw exactly six
// requests.
TEST_F(RedirectNginxTest, Hostile78_MaxRedirectsStopsTheChain) {
  FetchResult r = Follow(nginx_.Url("/chain/1"), {{STRATA_OPT_MAX_REDIRECTS, 5}});
  ASSERT_EQ(r.status, STRATA_E_REDIRECT) << r.Describe() << "\n" << hops_.Dump();
  std::string msg = r.error.message;
  EXPECT_NE(msg.find("maximum (5) redirects"), std::string::npos) << msg;
  EXPECT_NE(msg.find(nginx_.Url("/chain/7")), std::string::npos) << msg;
  EXPECT_EQ(r.error.hop, 6);
  EXPECT_EQ(hops_.hops.size(), 6u) << hops_.Dump();
  std::vector<std::string> lines = RequestLines(6);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines.back(), "GET /chain/6 HTTP/1.1");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(nginx_.AccessLog().size(), 6u);
}

// Without STRATA_OPT_MAX_REDIRECTS the configured default (20) stops an
// endless chain of distinct URLs, which loop detection cannot catch.
TEST_F(RedirectNginxTest, Hostile78_EndlessChainStopsAtTheDefaultLimitOf20) {
  FetchResult r = Follow(nginx_.Url("/inf/a"));
  ASSERT_EQ(r.status, STRATA_E_REDIRECT) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("maximum (20) redirects"), std::string::npos) << r.error.message;
  EXPECT_EQ(hops_.hops.size(), 21u);
  RequestLines(21);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(nginx_.AccessLog().size(), 21u);
}

// The limit is inclusive: exactly MAX_REDIRECTS hops are allowed.
TEST_F(RedirectNginxTest, Hostile78_MaxRedirectsEqualToTheChainLengthSucceeds) {
  FetchResult r = Follow(nginx_.Url("/chain/1"), {{STRATA_OPT_MAX_REDIRECTS, kChainLength}});
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), kChainLength);
  EXPECT_EQ(r.body(), "end of chain\n");
}

// MAX_REDIRECTS 0 with following on: the first redirect is already one
// too many.
TEST_F(RedirectNginxTest, Hostile78_MaxRedirectsZeroRefusesTheFirstRedirect) {
  FetchResult r = Follow(nginx_.Url("/chain/1"), {{STRATA_OPT_MAX_REDIRECTS, 0}});
  ASSERT_EQ(r.status, STRATA_E_REDIRECT) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("maximum (0) redirects"), std::string::npos) << r.error.message;
  EXPECT_EQ(RequestLines(1), std::vector<std::string>{"GET /chain/1 HTTP/1.1"});
}

// RFC 3986 §5.2: "../b/c" against /rel/one/two/start is /rel/one/b/c.
TEST_F(RedirectNginxTest, Rfc3986_5_2_RelativeLocationWithDotSegmentsIsResolved) {
  FetchResult r = Follow(nginx_.Url("/rel/one/two/start"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "relative target\n");
  EXPECT_EQ(std::string(strata_response_effective_url(r.response.get())), nginx_.Url("/rel/one/b/c"));
  ASSERT_EQ(hops_.hops.size(), 2u);
  EXPECT_EQ(hops_.hops[1].url, nginx_.Url("/rel/one/b/c"));
  EXPECT_EQ(RequestLines(2)[1], "GET /rel/one/b/c HTTP/1.1");
  EXPECT_EQ(r.info(STRATA_INFO_NUM_CONNECTS), 1);
  // nginx did send the Location as written.
  FetchResult raw = Get(runtime_.get(), nginx_.Url("/rel/one/two/start"));
  EXPECT_EQ(raw.header("Location"), "../b/c");
}

// A relative Location with a query keeps the query.
TEST_F(RedirectNginxTest, Rfc3986_5_2_RelativeLocationKeepsItsQuery) {
  FetchResult r = Follow(nginx_.Url("/rel/q/start"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "args=x=1&y=2\n");
  EXPECT_EQ(RequestLines(2)[1], "GET /rel/q/next?x=1&y=2 HTTP/1.1");
}

// A network-path reference ("//host:port/path") takes the scheme of the
// current URL.
TEST_F(RedirectNginxTest, Rfc3986_4_2_ProtocolRelativeLocationKeepsTheScheme) {
  FetchResult r = Follow(nginx_.Url("/proto/start"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "protocol-relative target\n");
  ASSERT_EQ(hops_.hops.size(), 2u);
  EXPECT_EQ(hops_.hops[1].url, nginx_.Url("/proto/target"));
  EXPECT_EQ(LayerNames(hops_.hops[1].chain), "tcp → h1");
  EXPECT_EQ(RequestLines(2)[1], "GET /proto/target HTTP/1.1");
  FetchResult raw = Get(runtime_.get(), nginx_.Url("/proto/start"));
  EXPECT_EQ(raw.header("Location"), "//127.0.0.1:" + std::to_string(nginx_.port()) + "/proto/target");
}

// RFC 9110 §10.2.2: a Location without a fragment inherits the request
// URL's. Observable where the client reports the target without fetching
// it: STRATA_INFO_STR_REDIRECT_URL when not following.
TEST_F(RedirectNginxTest, Rfc9110_10_2_2_LocationWithoutFragmentInheritsTheRequestFragment) {
  FetchResult r = Get(runtime_.get(), nginx_.Url("/frag/start#mine"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 302);
  EXPECT_EQ(r.header("Location"), "/frag/end");
  EXPECT_EQ(InfoString(r, STRATA_INFO_STR_REDIRECT_URL), nginx_.Url("/frag/end#mine"));
  // The fragment is never sent.
  EXPECT_EQ(RequestLines(1), std::vector<std::string>{"GET /frag/start HTTP/1.1"});
}

TEST_F(RedirectNginxTest, Rfc9110_10_2_2_LocationWithItsOwnFragmentKeepsIt) {
  FetchResult r = Get(runtime_.get(), nginx_.Url("/frag/own#mine"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(InfoString(r, STRATA_INFO_STR_REDIRECT_URL), nginx_.Url("/frag/end#theirs"));
}

// Followed, the fragment stays on the client side: the next request line
// carries none.
TEST_F(RedirectNginxTest, Rfc9110_10_2_2_FollowedFragmentIsNotSentOnTheWire) {
  FetchResult r = Follow(nginx_.Url("/frag/own#mine"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "uri=/frag/end\n");
  EXPECT_EQ(RequestLines(2), (std::vector<std::string>{"GET /frag/own HTTP/1.1", "GET /frag/end HTTP/1.1"}));
}

// Not following (the default): the 302 is the response, NUM_REDIRECTS is
// 0, and REDIRECT_URL says where it pointed.
TEST_F(RedirectNginxTest, NotFollowingReturnsThe3xxWithRedirectUrl) {
  FetchResult r = Get(runtime_.get(), nginx_.Url("/chain/1"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 302);
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), 0);
  EXPECT_EQ(InfoString(r, STRATA_INFO_STR_REDIRECT_URL), nginx_.Url("/chain/2"));
  EXPECT_EQ(std::string(strata_response_effective_url(r.response.get())), nginx_.Url("/chain/1"));
  ASSERT_EQ(hops_.hops.size(), 1u);
  EXPECT_EQ(hops_.hops[0].status, 302);
  EXPECT_EQ(RequestLines(1), std::vector<std::string>{"GET /chain/1 HTTP/1.1"});
}

// FOLLOW_REDIRECTS 0 set explicitly behaves the same.
TEST_F(RedirectNginxTest, FollowRedirectsZeroReturnsThe3xx) {
  FetchResult r = Follow(nginx_.Url("/loop/a"), {{STRATA_OPT_FOLLOW_REDIRECTS, 0}});
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 302);
  EXPECT_EQ(InfoString(r, STRATA_INFO_STR_REDIRECT_URL), nginx_.Url("/loop/b"));
}

// STRATA_INFO_STR_CHAIN describes the final hop's connection.
TEST_F(RedirectNginxTest, ChainInfoDescribesTheFinalHop) {
  FetchResult r = Follow(nginx_.Url("/rel/one/two/start"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  ASSERT_EQ(hops_.hops.size(), 2u);
  EXPECT_EQ(InfoString(r, STRATA_INFO_STR_CHAIN), hops_.hops[1].chain);
  EXPECT_EQ(LayerNames(InfoString(r, STRATA_INFO_STR_CHAIN)), "tcp → h1");
}

FetchSpec WithCredentials(const std::string& url, uint16_t port) {
  FetchSpec spec;
  spec.url = url;
  spec.headers = {{"Authorization", "Bearer secret-token"}, {"Cookie", "session=s3cr3t"}};
  spec.int_options = {{STRATA_OPT_FOLLOW_REDIRECTS, 1}};
  // "localhost" is 127.0.0.1 whatever the resolver prefers.
  spec.string_options = {{STRATA_OPT_RESOLVE, "localhost:" + std::to_string(port) + ":127.0.0.1"}};
  return spec;
}

TEST_F(RedirectNginxTest, Hostile75_CredentialsKeptOnASameOriginHop) {
  FetchResult r = Fetch(runtime_.get(), WithCredentials(nginx_.Url("/cred/same"), nginx_.port()));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "host=127.0.0.1 auth=[Bearer secret-token] cookie=[session=s3cr3t]\n");
}

// Same port, another host name: another origin (RFC 6454), so the
// credentials stay behind.
TEST_F(RedirectNginxTest, Hostile75_AuthorizationDroppedWhenTheHostChanges) {
  FetchResult r = Fetch(runtime_.get(), WithCredentials(nginx_.Url("/cred/otherhost"), nginx_.port()));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << hops_.Dump();
  EXPECT_EQ(r.body(), "host=localhost auth=[] cookie=[]\n");
  ASSERT_EQ(hops_.hops.size(), 2u);
  EXPECT_EQ(hops_.hops[1].url, "http://localhost:" + std::to_string(nginx_.port()) + "/cred/echo");
  // Another origin is another pool key: a new connection.
  EXPECT_EQ(hops_.hops[1].reused, 0);
}

}  // namespace
}  // namespace strata::test
