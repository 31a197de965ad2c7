// Proxy lists that fail over (issue 16): proxy.url as ["http://refuses",
// "http://stalls", "http://squid"] reaches nginx through squid within the
// stagger, says in the trace why each other entry lost, reuses the winner
// for the next transfer to the same origin without racing, and races again
// once the memory expired. Also: "direct" winning, every entry failing (an
// error naming each cause), and hostile lists refused at start-up.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/free_port.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/proxy_fixture.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

constexpr int64_t kStaggerMs = 300;
// Loopback connects and refusals take well under a millisecond; the slack
// covers a loaded machine and AddressSanitizer.
constexpr int64_t kSlackMs = 700;

bool Contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The race's trace lines (layer "race") of the transfers fetched since the
// last Clear.
struct RaceTrace {
  std::string race;
  std::string all;
  static void Record(void* user, const strata_event* e) {
    auto* self = static_cast<RaceTrace*>(user);
    const std::string line = std::string(e->layer) + ": " + e->message + "\n";
    self->all += line;
    if (std::string(e->layer) == "race") self->race += line;
  }
  void Clear() { race.clear(), all.clear(); }
};

std::string Local(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

// A port nothing listens on: connecting is refused at once.
uint16_t RefusingPort() { return FreePort(); }

class ProxyListTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    pki_ = new TestPki();
    ASSERT_TRUE(pki_->MakeCa("ca", &e) && pki_->MakeLocalhostLeaf("ca", &e)) << e;
    origin_ = new NginxFixture();
    ASSERT_TRUE(origin_->Start(&e)) << e;
    origin_->WriteDocFile("hello.txt", "hello through the list\n");
    squid_ = new SquidFixture();
    squid_->EnableTls(pki_->Cert("localhost"), pki_->Key("localhost"));
    ASSERT_TRUE(squid_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete squid_;
    delete origin_;
    delete pki_;
    squid_ = nullptr;
    origin_ = nullptr;
    pki_ = nullptr;
  }

  // A runtime whose proxy is |list| (JSON array text), tunnelling plain
  // http (CONNECT), so a candidate is connected only once its proxy said
  // 200: a proxy that accepts and then stalls must not win on its TCP
  // handshake alone.
  // |more| adds top-level keys ("\"policies\": [...], "), |proxy_more|
  // keys of "proxy" ("\"tls\": {...}, ").
  RuntimePtr Runtime(const std::string& list, int64_t remember_ms = 60000, int64_t connect_ms = 5000,
                     const std::string& more = "", const std::string& proxy_more = "") {
    const std::string config =
        "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "]," + more +
        " \"plugins\": [\"tcp\", \"h1\", \"tls\", \"connect-tunnel\"],"
        " \"pipelines\": {\"http\": [\"tcp\", \"h1\"]},"
        " \"proxy\": {" + proxy_more + "\"url\": " + list + ", \"tunnel\": true, \"from_env\": false,"
        "   \"stagger_ms\": " + std::to_string(kStaggerMs) + ", \"remember_ms\": " + std::to_string(remember_ms) + "},"
        " \"timeouts\": {\"connect_ms\": " + std::to_string(connect_ms) + ", \"first_byte_ms\": 10000,"
        " \"idle_ms\": 10000, \"total_ms\": 30000}}";
    RuntimeResult rt = MakeRuntime(config);
    EXPECT_EQ(rt.status, STRATA_OK) << rt.error.message;
    if (rt.runtime) strata_runtime_set_event_callback(rt.runtime.get(), &RaceTrace::Record, &trace_, ~0u);
    return std::move(rt.runtime);
  }

  // Fetch with its wall-clock duration.
  FetchResult Timed(strata_runtime* rt, const std::string& url, int64_t* elapsed_ms) {
    const auto start = std::chrono::steady_clock::now();
    FetchResult r = Get(rt, url);
    *elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    return r;
  }

  RaceTrace trace_;
  static TestPki* pki_;
  static NginxFixture* origin_;
  static SquidFixture* squid_;
};
TestPki* ProxyListTest::pki_ = nullptr;
NginxFixture* ProxyListTest::origin_ = nullptr;
SquidFixture* ProxyListTest::squid_ = nullptr;

TEST_F(ProxyListTest, RefusedThenStalledFallsOverToTheThirdWithinTheStaggerAndTheWinnerIsReused) {
  const uint16_t refusing = RefusingPort();
  ScriptedPeer stalled({{NeverAnswer()}});
  const std::string first = Local(refusing), second = Local(stalled.port()), third = Local(squid_->port());
  RuntimePtr rt = Runtime("[\"" + first + "\", \"" + second + "\", \"" + third + "\"]", /*remember_ms=*/1500);
  ASSERT_TRUE(rt);
  const std::string url = origin_->Url("/hello.txt");
  const std::string connect = "CONNECT 127.0.0.1:" + std::to_string(origin_->port());
  const size_t connects_before = Count(squid_->AccessLog(), connect);

  int64_t elapsed = 0;
  FetchResult r = Timed(rt.get(), url, &elapsed);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << trace_.all;
  EXPECT_EQ(r.body(), "hello through the list\n");
  EXPECT_LT(elapsed, kStaggerMs * 3 + kSlackMs) << trace_.race;
  // The refusal let candidate 2 start at once; candidate 3 started one
  // stagger later (not two).
  EXPECT_GE(elapsed, kStaggerMs - 20) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 1 of 3 (" + first + ") started")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 1 of 3 (" + first + ") lost: refused")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "connection refused")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 2 of 3 (" + second + ") started")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 2 of 3 (" + second + ") lost: cancelled, still connecting")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 3 of 3 (" + third + ") started")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 3 of 3 (" + third + ") won")) << trace_.race;
  EXPECT_EQ(Count(trace_.race, " started after "), 3u) << trace_.race;
  EXPECT_TRUE(Contains(r.header("Server"), "nginx")) << "through squid to nginx";
  ASSERT_TRUE(stalled.WaitForConnections(1, std::chrono::seconds(5)));

  // The same origin again: straight to the remembered winner, no race (no
  // candidate starts, the stalled proxy is not contacted again), on the
  // pooled tunnel through squid.
  trace_.Clear();
  FetchResult again = Timed(rt.get(), url, &elapsed);
  ASSERT_EQ(again.status, STRATA_OK) << again.Describe() << "\n" << trace_.all;
  EXPECT_EQ(again.body(), "hello through the list\n");
  EXPECT_TRUE(Contains(trace_.race, "remembered winner: candidate 3 of 3 (" + third + ")")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "no race")) << trace_.race;
  EXPECT_FALSE(Contains(trace_.race, "started")) << trace_.race;
  EXPECT_FALSE(Contains(trace_.race, "racing")) << trace_.race;
  EXPECT_EQ(again.info(STRATA_INFO_NUM_CONNECTS), 0) << "the winner's connection is reused";
  EXPECT_LT(elapsed, kStaggerMs) << "no stagger waited";
  EXPECT_EQ(stalled.ConnectionCount(), 1);

  // Once the memory expired (remember_ms 1500), the hop races again.
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  trace_.Clear();
  FetchResult later = Timed(rt.get(), url, &elapsed);
  ASSERT_EQ(later.status, STRATA_OK) << later.Describe() << "\n" << trace_.all;
  EXPECT_TRUE(Contains(trace_.race, "racing 3 ways")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 3 of 3 (" + third + ") won")) << trace_.race;
  EXPECT_FALSE(Contains(trace_.race, "remembered winner")) << trace_.race;
  EXPECT_TRUE(stalled.WaitForConnections(2, std::chrono::seconds(5))) << "the stalled proxy was tried again";

  // squid logs a tunnel when it closes: two tunnels, one per race (the
  // second transfer rode the first one's).
  rt.reset();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (Count(squid_->AccessLog(), connect) < connects_before + 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Count(squid_->AccessLog(), connect), connects_before + 2) << squid_->AccessLog();
}

// https through the list: the winner's chain is tcp → CONNECT → TLS to the
// origin, all of it ready before it wins; a stalled proxy (it accepts, never
// answers the CONNECT) loses to the one after it.
TEST_F(ProxyListTest, HttpsOriginThroughTheListTheWholeChainIsRaced) {
  TlsNginx origin;
  const uint16_t port = origin.AddServer("    ssl_certificate \"" + pki_->Cert("localhost") + "\";\n" +
                                         "    ssl_certificate_key \"" + pki_->Key("localhost") + "\";\n" +
                                         "    location / { return 200 \"tls origin\\n\"; }\n");
  std::string e;
  ASSERT_TRUE(origin.Start(&e)) << e;
  ScriptedPeer stalled({{NeverAnswer()}});
  const std::string second = Local(stalled.port()), third = Local(squid_->port());
  RuntimePtr rt = Runtime("[\"" + Local(RefusingPort()) + "\", \"" + second + "\", \"" + third + "\"]");
  ASSERT_TRUE(rt);
  FetchSpec spec;
  spec.url = "https://localhost:" + std::to_string(port) + "/";
  spec.string_options = {{STRATA_OPT_LAYER_OPTIONS, "{\"tls\": {\"ca_file\": " + JsonString(pki_->Cert("ca")) + "}}"}};
  const auto start = std::chrono::steady_clock::now();
  FetchResult r = Fetch(rt.get(), spec);
  const int64_t elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << trace_.all;
  EXPECT_EQ(r.body(), "tls origin\n");
  EXPECT_LT(elapsed, kStaggerMs * 3 + kSlackMs) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 2 of 3 (" + second + ") lost: cancelled")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 3 of 3 (" + third + ") won")) << trace_.race;
  EXPECT_TRUE(Contains(Chain(r), "connect-tunnel")) << Chain(r);
  EXPECT_TRUE(Contains(Chain(r), "tls")) << Chain(r);
}

TEST_F(ProxyListTest, DirectWinsWhenTheProxyRefuses) {
  const std::string refused = Local(RefusingPort());
  RuntimePtr rt = Runtime("[\"" + refused + "\", \"direct\"]");
  ASSERT_TRUE(rt);
  const size_t before = origin_->AccessLog().size();
  FetchResult r = Get(rt.get(), origin_->Url("/hello.txt"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << trace_.all;
  EXPECT_EQ(r.body(), "hello through the list\n");
  EXPECT_TRUE(Contains(trace_.race, "candidate 1 of 2 (" + refused + ") lost: refused")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 2 of 2 (direct) won")) << trace_.race;
  EXPECT_EQ(Chain(r).find("connect-tunnel"), std::string::npos) << Chain(r);
  // nginx logs after it has sent the response: wait for the line.
  const std::vector<AccessLogEntry> log = origin_->WaitForAccessLog(before + 1);
  ASSERT_EQ(log.size(), before + 1);
  EXPECT_EQ(log.back().request, "GET /hello.txt HTTP/1.1");
}

TEST_F(ProxyListTest, TheFirstThatConnectsWinsAndLaterOnesNeverStart) {
  const std::string squid = Local(squid_->port());
  RuntimePtr rt = Runtime("[\"" + squid + "\", \"direct\"]");
  ASSERT_TRUE(rt);
  FetchResult r = Get(rt.get(), origin_->Url("/hello.txt"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << trace_.all;
  EXPECT_TRUE(Contains(trace_.race, "candidate 1 of 2 (" + squid + ") won")) << trace_.race;
  EXPECT_FALSE(Contains(trace_.race, "candidate 2 of 2 (direct) started")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "2 direct: cancelled (not started: candidate 1 won first)")) << trace_.race;
}

TEST_F(ProxyListTest, EveryEntryRefusedIsOneErrorNamingEachCause) {
  const std::string a = Local(RefusingPort()), b = Local(RefusingPort());
  RuntimePtr rt = Runtime("[\"" + a + "\", \"" + b + "\"]");
  ASSERT_TRUE(rt);
  int64_t elapsed = 0;
  FetchResult r = Timed(rt.get(), origin_->Url("/hello.txt"), &elapsed);
  ASSERT_EQ(r.status, STRATA_E_CONNECT) << r.Describe();
  EXPECT_EQ(std::string(r.error.layer), "race");
  const std::string m = r.error.message;
  EXPECT_TRUE(Contains(m, "no way in the proxy list could connect to http://127.0.0.1:" + std::to_string(origin_->port())))
      << m;
  EXPECT_TRUE(Contains(m, "1 " + a + ": refused (")) << m;
  EXPECT_TRUE(Contains(m, "2 " + b + ": refused (")) << m;
  EXPECT_TRUE(Contains(m, "connection refused")) << m;
  EXPECT_LT(elapsed, kStaggerMs) << "a refusal lets the next start at once";
}

// A refused entry, a stalled one and a stalled "direct" to a peer that
// never answers: the hop's connect timeout ends the race, naming each.
TEST_F(ProxyListTest, EveryEntryFailingOrStallingEndsAtTheConnectTimeout) {
  const std::string refused = Local(RefusingPort());
  ScriptedPeer stalled({{NeverAnswer()}});
  const std::string stalls = Local(stalled.port());
  RuntimePtr rt = Runtime("[\"" + refused + "\", \"" + stalls + "\"]", 60000, /*connect_ms=*/1000);
  ASSERT_TRUE(rt);
  int64_t elapsed = 0;
  FetchResult r = Timed(rt.get(), origin_->Url("/hello.txt"), &elapsed);
  ASSERT_EQ(r.status, STRATA_E_TIMEOUT) << r.Describe();
  const std::string m = r.error.message;
  EXPECT_TRUE(Contains(m, "1 " + refused + ": refused (")) << m;
  EXPECT_TRUE(Contains(m, "2 " + stalls + ": timed out (still connecting at the connect timeout")) << m;
  EXPECT_LT(elapsed, 1000 + kSlackMs);
}

// A remembered winner that fails to connect is forgotten, and the hop
// races again: a second squid wins first, then stops.
TEST_F(ProxyListTest, ARememberedWinnerThatFailsIsForgottenAndTheHopRacesAgain) {
  SquidFixture flaky;
  std::string e;
  ASSERT_TRUE(flaky.Start(&e)) << e;
  const std::string first = Local(flaky.port()), second = Local(squid_->port());
  RuntimePtr rt = Runtime("[\"" + first + "\", \"" + second + "\"]");
  ASSERT_TRUE(rt);
  const std::string url = origin_->Url("/hello.txt");
  FetchResult r = Get(rt.get(), url);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << trace_.all;
  EXPECT_TRUE(Contains(trace_.race, "candidate 1 of 2 (" + first + ") won")) << trace_.race;
  flaky.Stop();
  trace_.Clear();
  FetchResult again = Get(rt.get(), url);
  ASSERT_EQ(again.status, STRATA_OK) << again.Describe() << "\n" << trace_.all;
  EXPECT_EQ(again.body(), "hello through the list\n");
  EXPECT_TRUE(Contains(trace_.race, "remembered winner: candidate 1 of 2 (" + first + ")")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "remembered winner " + first + " failed (")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "forgetting it and racing again")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 1 of 2 (" + first + ") lost: refused")) << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 2 of 2 (" + second + ") won")) << trace_.race;
  // ... and the new winner is the one remembered now.
  trace_.Clear();
  FetchResult third = Get(rt.get(), url);
  ASSERT_EQ(third.status, STRATA_OK) << third.Describe();
  EXPECT_TRUE(Contains(trace_.race, "remembered winner: candidate 2 of 2 (" + second + ")")) << trace_.race;
}

// Hop policies see every candidate's plan, not only the winner's: an
// allowlist that refuses the origin refuses each of them, and none starts.
TEST_F(ProxyListTest, HopPoliciesCheckEveryCandidate) {
  const std::string squid = Local(squid_->port());
  RuntimePtr rt = Runtime("[\"" + squid + "\", \"direct\"]", 60000, 5000,
                          "\"policies\": [{\"plugin\": \"policy-allowlist\", \"options\": {\"origins\": "
                          "[\"http://allowed.invalid:1\"]}}],");
  ASSERT_TRUE(rt);
  FetchResult r = Get(rt.get(), origin_->Url("/hello.txt"));
  ASSERT_EQ(r.status, STRATA_E_POLICY_DENIED) << r.Describe();
  const std::string m = r.error.message;
  EXPECT_TRUE(Contains(m, "1 " + squid + ": policy refused (policy:policy-allowlist: ")) << m;
  EXPECT_TRUE(Contains(m, "2 direct: policy refused (policy:policy-allowlist: ")) << m;
  EXPECT_EQ(Count(trace_.race, "lost: policy refused"), 2u) << trace_.race;
  EXPECT_FALSE(Contains(trace_.race, "started")) << trace_.race;
}

// Handshake policies see every candidate's chain before it may win: a pin
// that squid's TLS port (an https proxy) does not match takes it out, and
// the next entry wins.
TEST_F(ProxyListTest, AHandshakePolicyRefusingACandidateLetsTheNextWin) {
  const std::string https_proxy = "https://localhost:" + std::to_string(squid_->tls_port());
  RuntimePtr rt = Runtime(
      "[\"" + https_proxy + "\", \"direct\"]", 60000, 5000,
      "\"policies\": [{\"plugin\": \"policy-pin\", \"options\": {\"proxy\": true, \"pins\": {\"localhost\": "
      "\"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}}}],",
      "\"tls\": {\"ca_file\": " + JsonString(pki_->Cert("ca")) + "}, ");
  ASSERT_TRUE(rt);
  FetchResult r = Get(rt.get(), origin_->Url("/hello.txt"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << trace_.all;
  EXPECT_EQ(r.body(), "hello through the list\n");
  EXPECT_TRUE(Contains(trace_.race, "candidate 1 of 2 (" + https_proxy + ") lost: policy refused its handshake (policy:policy-pin: "))
      << trace_.race;
  EXPECT_TRUE(Contains(trace_.race, "candidate 2 of 2 (direct) won")) << trace_.race;
}

TEST_F(ProxyListTest, HostileListsAreRefusedAtStartUp) {
  struct Case {
    std::string list;
    std::string says;
  };
  for (const Case& k : std::vector<Case>{
           {"[]", "configuration /proxy/url: expected at least one entry"},
           {"[\"http://127.0.0.1:1\", 3128]", "configuration /proxy/url/1: expected a string"},
           {"[{\"url\": \"http://a\"}]", "configuration /proxy/url/0: expected a string"},
           {"[\"direct\", \"socks4://a\"]", "configuration /proxy/url/1: "},
           {"[\"direct\", \"ftp://a\"]", "configuration /proxy/url/1: "},
       }) {
    const std::string config = "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) +
                               "], \"plugins\": [\"tcp\", \"h1\"], \"proxy\": {\"url\": " + k.list + "}}";
    RuntimeResult rt = MakeRuntime(config);
    EXPECT_EQ(rt.status, STRATA_E_CONFIG) << k.list;
    EXPECT_TRUE(Contains(rt.error.message, k.says)) << k.list << " → " << rt.error.message;
  }
}

}  // namespace
}  // namespace strata::test
