// A hostile HTTP/2 CONNECT proxy (hostile_h2_proxy.py, on python3-h2) in
// front of nginx TLS origins, against the strata CLI with --proxy-http2:
// refused tunnels (407, 503), one tunnel reset while another goes on, a
// GOAWAY leaving tunnels unprocessed (resent on a new proxy connection),
// DATA beyond the window, the proxy closing mid-tunnel. Each ends in a
// clear error naming the layer and hop, or the right recovery; never a hang.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using std::chrono::seconds;

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

bool Contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

class HostileProxy {
 public:
  HostileProxy(const std::string& scenario, const TestPki& pki) {
    dir_ = MakeTempDir("h2proxy-");
    ProcessOptions opts;
    opts.argv = {"/usr/bin/python3", RunfilePath("tests/hostile/h2_proxy/hostile_h2_proxy.py"), scenario,
                 "--cert", pki.Cert("localhost"), "--key", pki.Key("localhost"), "--port-file", dir_ + "/port",
                 "--log", dir_ + "/log"};
    std::string e;
    started_ = process_.Start(opts, &e);
    EXPECT_TRUE(started_) << e;
    auto deadline = std::chrono::steady_clock::now() + seconds(20);
    while (started_ && std::chrono::steady_clock::now() < deadline) {
      std::string text = ReadFileIfExists(dir_ + "/port");
      if (!text.empty()) {
        port_ = static_cast<uint16_t>(std::stoi(text));
        break;
      }
      if (!process_.Running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_NE(port_, 0) << "the hostile proxy did not start: " << process_.Stderr();
  }
  ~HostileProxy() { process_.Stop(std::chrono::seconds(2)); }
  uint16_t port() const { return port_; }
  std::string Log() const { return ReadFileIfExists(dir_ + "/log"); }
  std::string Stderr() const { return process_.Stderr(); }

 private:
  std::string dir_;
  Process process_;
  bool started_ = false;
  uint16_t port_ = 0;
};

class H2ProxyHostileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    pki_ = new TestPki();
    ASSERT_TRUE(pki_->MakeCa("ca", &e) && pki_->MakeLocalhostLeaf("ca", &e)) << e;
    origins_ = new TlsNginx();
    const std::string certs = "    ssl_certificate \"" + pki_->Cert("localhost") + "\";\n    ssl_certificate_key \"" +
                              pki_->Key("localhost") + "\";\n";
    a_port_ = origins_->AddServer(certs + "    location / { return 200 \"origin a\\n\"; }\n");
    b_port_ = origins_->AddServer(certs + "    location / { return 200 \"origin b\\n\"; }\n");
    ASSERT_TRUE(origins_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete origins_;
    delete pki_;
    origins_ = nullptr;
    pki_ = nullptr;
  }

  RunResult Run(const HostileProxy& proxy, const std::vector<std::string>& urls, bool parallel = false,
               const std::string& config = "") {
    ProcessOptions opts;
    opts.argv = {RunfilePath("tools/strata"), "--max-time", "20", "--proxy-http2", "-x",
                 "https://localhost:" + std::to_string(proxy.port()), "--proxy-cacert", pki_->Cert("ca"),
                 "--cacert", pki_->Cert("ca"), "-sS", "-v"};
    if (parallel) opts.argv.push_back("-Z");
    if (!config.empty()) {
      const std::string path = MakeTempDir("h2proxy-config-") + "/config.json";
      WriteFileOrDie(path, config);
      opts.argv.push_back("--config");
      opts.argv.push_back(path);
    }
    opts.argv.insert(opts.argv.end(), urls.begin(), urls.end());
    opts.env = {{"HOME", TestTmpDir()}, {"https_proxy", ""}, {"HTTPS_PROXY", ""}, {"all_proxy", ""},
                {"ALL_PROXY", ""}, {"no_proxy", ""}, {"NO_PROXY", ""}};
    RunResult r = RunProcess(opts, seconds(40));
    EXPECT_FALSE(r.exit.timed_out) << "strata hung";
    return r;
  }
  static std::string Url(uint16_t port) { return "https://127.0.0.1:" + std::to_string(port) + "/"; }
  static std::string Describe(const RunResult& r, const HostileProxy& p) {
    return r.exit.Describe() + "\nstdout: " + r.stdout_text + "\nstderr: " + r.stderr_text.substr(0, 6000) +
           "\nproxy log:\n" + p.Log() + "\nproxy stderr:\n" + p.Stderr();
  }

  static TestPki* pki_;
  static TlsNginx* origins_;
  static uint16_t a_port_, b_port_;
};

TestPki* H2ProxyHostileTest::pki_ = nullptr;
TlsNginx* H2ProxyHostileTest::origins_ = nullptr;
uint16_t H2ProxyHostileTest::a_port_ = 0;
uint16_t H2ProxyHostileTest::b_port_ = 0;

TEST_F(H2ProxyHostileTest, PoliteProxyRelaysAndTheHeadIsOnlyMethodAndAuthority) {
  HostileProxy proxy("relay", *pki_);
  RunResult r = Run(proxy, {Url(a_port_), Url(b_port_)});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r, proxy);
  EXPECT_EQ(r.stdout_text, "origin a\norigin b\n");
  EXPECT_FALSE(Contains(proxy.Log(), "violation")) << proxy.Log();
  EXPECT_EQ(Count(proxy.Log(), "conn "), 1u) << proxy.Log();
  EXPECT_TRUE(Contains(proxy.Log(), "alpn=h2")) << proxy.Log();
}

TEST_F(H2ProxyHostileTest, AProxyConnectionAtItsStreamLimitSendsTheNextTunnelToAnother) {
  // Both tunnels are bound to the first proxy connection while it is set
  // up; its SETTINGS then allow one stream, and the idle connection to the
  // first origin keeps its tunnel: the second goes to a new connection.
  HostileProxy proxy("one-stream", *pki_);
  RunResult r = Run(proxy, {Url(a_port_), Url(b_port_)}, /*parallel=*/true);
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stdout_text, "origin a\n")) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stdout_text, "origin b\n")) << Describe(r, proxy);
  EXPECT_EQ(Count(proxy.Log(), "conn "), 2u) << proxy.Log();
  EXPECT_TRUE(Contains(r.stderr_text, "SETTINGS_MAX_CONCURRENT_STREAMS")) << Describe(r, proxy);
}

TEST_F(H2ProxyHostileTest, Connect407IsAProxyErrorNamingTheStatusAndHop) {
  HostileProxy proxy("refuse-407", *pki_);
  RunResult r = Run(proxy, {Url(a_port_)});
  EXPECT_TRUE(r.exit.exited && r.exit.exit_code != 0) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stderr_text, "refused the tunnel to 127.0.0.1:" + std::to_string(a_port_) +
                                          " (HTTP/2 CONNECT): 407 Proxy Authentication Required"))
      << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stderr_text, "h2-connect")) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stderr_text, "hop 1")) << Describe(r, proxy);
}

TEST_F(H2ProxyHostileTest, Connect503IsAProxyError) {
  HostileProxy proxy("refuse-503", *pki_);
  RunResult r = Run(proxy, {Url(a_port_)});
  EXPECT_TRUE(r.exit.exited && r.exit.exit_code != 0) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stderr_text, "503 Service Unavailable")) << Describe(r, proxy);
}

TEST_F(H2ProxyHostileTest, ResetOfOneTunnelLeavesTheOtherGoing) {
  HostileProxy proxy("reset-port=" + std::to_string(b_port_), *pki_);
  RunResult r = Run(proxy, {Url(a_port_), Url(b_port_)}, /*parallel=*/true);
  EXPECT_TRUE(r.exit.exited && r.exit.exit_code != 0) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stdout_text, "origin a\n")) << Describe(r, proxy);
  EXPECT_FALSE(Contains(r.stdout_text, "origin b")) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stderr_text, "the proxy reset the tunnel to 127.0.0.1:" + std::to_string(b_port_)))
      << Describe(r, proxy);
  EXPECT_EQ(Count(proxy.Log(), "conn "), 1u) << proxy.Log();
}

TEST_F(H2ProxyHostileTest, GoawayUnprocessedTunnelsAreRetriedOnANewProxyConnection) {
  HostileProxy proxy("goaway", *pki_);
  RunResult r = Run(proxy, {Url(a_port_), Url(b_port_)}, /*parallel=*/true);
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stdout_text, "origin a\n")) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stdout_text, "origin b\n")) << Describe(r, proxy);
  EXPECT_TRUE(Contains(proxy.Log(), "goaway 0")) << proxy.Log();
  EXPECT_EQ(Count(proxy.Log(), "conn "), 2u) << proxy.Log();
  EXPECT_TRUE(Contains(r.stderr_text, "opening the tunnel again on another proxy connection")) << Describe(r, proxy);
}

TEST_F(H2ProxyHostileTest, DataBeyondTheWindowIsAFlowControlError) {
  HostileProxy proxy("overrun", *pki_);
  // A 1-byte stream window on the proxy connection: the proxy's second
  // byte is beyond it.
  RunResult r = Run(proxy, {Url(a_port_)}, false, R"({"proxy": {"h2": {"initial_window_size": 1}}})");
  EXPECT_TRUE(r.exit.exited && r.exit.exit_code != 0) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stderr_text, "flow-control window")) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stderr_text, "hop 1")) << Describe(r, proxy);
}

TEST_F(H2ProxyHostileTest, ProxyClosingMidTunnelIsAClearError) {
  HostileProxy proxy("close-mid", *pki_);
  RunResult r = Run(proxy, {Url(a_port_)});
  EXPECT_TRUE(r.exit.exited && r.exit.exit_code != 0) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stderr_text, "127.0.0.1:" + std::to_string(a_port_))) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stderr_text, "hop 1")) << Describe(r, proxy);
}

// docs/hostile-peers.md §G inside the HTTP/2 tunnel.

// HOSTILE 69: a 2xx CONNECT's content-length is ignored; what follows is
// the tunnel.
TEST_F(H2ProxyHostileTest, Hostile69_LengthOnA2xxConnectIsIgnored) {
  HostileProxy proxy("ok-length", *pki_);
  RunResult r = Run(proxy, {Url(a_port_)});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r, proxy);
  EXPECT_EQ(r.stdout_text, "origin a\n");
}

// HOSTILE 70: a refusal's body is the proxy's, never shown as the origin's.
TEST_F(H2ProxyHostileTest, Hostile70_RefusalBodyIsNeverTheResponse) {
  HostileProxy proxy("refuse-body", *pki_);
  RunResult r = Run(proxy, {Url(a_port_)});
  EXPECT_TRUE(r.exit.exited && r.exit.exit_code == 56) << Describe(r, proxy);
  EXPECT_FALSE(Contains(r.stdout_text, "PROXY-SECRET-PAGE")) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stderr_text, "403")) << Describe(r, proxy);
}

// HOSTILE 71: a 407 to a CONNECT that carried credentials is final: one
// CONNECT, no loop, and the credentials went to the proxy.
TEST_F(H2ProxyHostileTest, Hostile71_407WithCredentialsIsNotRetriedInALoop) {
  HostileProxy proxy("refuse-407", *pki_);
  RunResult r = Run(proxy, {"--proxy-user", "alice:secret", Url(a_port_)});
  EXPECT_TRUE(r.exit.exited && r.exit.exit_code == 56) << Describe(r, proxy);
  EXPECT_EQ(Count(proxy.Log(), "auth "), 1u) << proxy.Log();
  EXPECT_TRUE(Contains(proxy.Log(), " yes")) << proxy.Log();
}

// HOSTILE 72: a proxy that never answers, or answers with a NUL in a field,
// is an error, not a hang.
TEST_F(H2ProxyHostileTest, Hostile72_SilentProxyTimesOut) {
  HostileProxy proxy("silent", *pki_);
  const auto start = std::chrono::steady_clock::now();
  RunResult r = Run(proxy, {"--connect-timeout", "2", Url(a_port_)});
  EXPECT_TRUE(r.exit.exited && r.exit.exit_code == 28) << Describe(r, proxy);
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(15)) << Describe(r, proxy);
}

TEST_F(H2ProxyHostileTest, Hostile72_NulInAConnectResponseFieldIsAnError) {
  HostileProxy proxy("nul-header", *pki_);
  RunResult r = Run(proxy, {Url(a_port_)});
  EXPECT_TRUE(r.exit.exited && r.exit.exit_code != 0) << Describe(r, proxy);
  EXPECT_FALSE(Contains(r.stdout_text, "origin a")) << Describe(r, proxy);
  EXPECT_TRUE(Contains(r.stderr_text, "hop 1")) << Describe(r, proxy);
}

}  // namespace
}  // namespace strata::test
