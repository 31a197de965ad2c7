// CONNECT over HTTP/2 (RFC 9113 §8.5) against real peers: the strata CLI
// with --proxy-http2 through nghttpx in HTTP/2 proxy mode (-s), which
// forwards each CONNECT to squid, to nginx TLS origins. Many tunnels share
// one TLS connection to the proxy: strata's trace says which proxy
// connection each tunnel used, and nghttpx's access log shows every CONNECT
// as HTTP/2 from one client port.
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/process.h"
#include "tests/support/proxy_fixture.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using std::chrono::seconds;

std::string CliPath() { return RunfilePath("tools/strata"); }

RunResult RunCli(const std::vector<std::string>& args) {
  ProcessOptions opts;
  opts.argv = {CliPath(), "--max-time", "60"};
  opts.argv.insert(opts.argv.end(), args.begin(), args.end());
  opts.env = {{"HOME", TestTmpDir()}};
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy",
                           "NO_PROXY"}) {
    opts.env.emplace_back(name, "");
  }
  RunResult r = RunProcess(opts, seconds(90));
  EXPECT_EQ(r.start_error, "");
  EXPECT_FALSE(r.exit.timed_out) << "strata did not finish in time";
  return r;
}

std::string Describe(const RunResult& r) {
  return r.exit.Describe() + "\nstdout: " + r.stdout_text.substr(0, 3000) + "\nstderr: " +
         r.stderr_text.substr(0, 6000);
}

bool Exited(const RunResult& r, int code) { return r.exit.exited && r.exit.exit_code == code; }

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Body is a deterministic, incompressible-looking body of |size| bytes.
std::string Body(size_t size, uint32_t seed) {
  std::string out(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out[i] = static_cast<char>(x);
  }
  return out;
}

// ConnectLine is one CONNECT in nghttpx's access log.
struct ConnectLine {
  std::string client_port;
  std::string alpn;
  std::string request;  // "CONNECT 127.0.0.1:443 HTTP/2"
  std::string status;
};

std::vector<ConnectLine> Connects(const std::string& log) {
  std::vector<ConnectLine> out;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    const size_t q1 = line.find('"'), q2 = line.rfind('"');
    if (q1 == std::string::npos || q2 <= q1) continue;
    std::istringstream head(line.substr(0, q1));
    ConnectLine c;
    head >> c.client_port >> c.alpn;
    c.request = line.substr(q1 + 1, q2 - q1 - 1);
    c.status = line.substr(q2 + 2);
    if (c.request.rfind("CONNECT ", 0) == 0) out.push_back(c);
  }
  return out;
}

class H2ConnectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    pki_ = new TestPki();
    ASSERT_TRUE(pki_->MakeCa("ca", &e) && pki_->MakeLocalhostLeaf("ca", &e)) << e;
    docs_ = MakeTempDir("h2connect-docs-");
    for (int i = 0; i < 20; ++i) WriteFileOrDie(docs_ + "/f" + std::to_string(i) + ".bin", Body(300000 + i, i));
    origins_ = new TlsNginx();
    const std::string certs = "    ssl_certificate \"" + pki_->Cert("localhost") + "\";\n    ssl_certificate_key \"" +
                              pki_->Key("localhost") + "\";\n    root \"" + docs_ + "\";\n";
    c_port_ = origins_->AddServer(certs + "    location = /c { return 200 \"third origin\\n\"; }\n");
    a_port_ = origins_->AddServer(certs + "    location = /to-c { return 302 https://127.0.0.1:" +
                                  std::to_string(c_port_) + "/c; }\n");
    b_port_ = origins_->AddServer(certs);
    ASSERT_TRUE(origins_->Start(&e)) << e;
    squid_ = new SquidFixture();
    squid_->EnableTls(pki_->Cert("localhost"), pki_->Key("localhost"));
    ASSERT_TRUE(squid_->Start(&e)) << e;
    nghttpx_ = new NghttpxFixture(squid_->port(), pki_->Cert("localhost"), pki_->Key("localhost"));
    ASSERT_TRUE(nghttpx_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete nghttpx_;
    delete squid_;
    delete origins_;
    delete pki_;
    nghttpx_ = nullptr;
    squid_ = nullptr;
    origins_ = nullptr;
    pki_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(FileExists(CliPath())) << CliPath();
    log_before_ = Connects(nghttpx_->AccessLog()).size();
  }
  // NewConnects waits (bounded) until nghttpx logged |n| CONNECTs after
  // SetUp (it logs a tunnel when it closes) and returns them.
  std::vector<ConnectLine> NewConnects(size_t n) const {
    auto deadline = std::chrono::steady_clock::now() + seconds(15);
    std::vector<ConnectLine> all = Connects(nghttpx_->AccessLog());
    while (all.size() < log_before_ + n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      all = Connects(nghttpx_->AccessLog());
    }
    return std::vector<ConnectLine>(all.begin() + std::min(all.size(), log_before_), all.end());
  }
  static std::vector<std::string> ProxyArgs() {
    return {"--proxy-http2", "-x", "https://localhost:" + std::to_string(nghttpx_->port()), "--proxy-cacert",
            pki_->Cert("ca"), "--cacert", pki_->Cert("ca")};
  }
  static std::string Origin(uint16_t port, const std::string& path) {
    return "https://127.0.0.1:" + std::to_string(port) + path;
  }

  static TestPki* pki_;
  static std::string docs_;
  static TlsNginx* origins_;
  static SquidFixture* squid_;
  static NghttpxFixture* nghttpx_;
  static uint16_t a_port_, b_port_, c_port_;
  size_t log_before_ = 0;
};

TestPki* H2ConnectTest::pki_ = nullptr;
std::string H2ConnectTest::docs_;
TlsNginx* H2ConnectTest::origins_ = nullptr;
SquidFixture* H2ConnectTest::squid_ = nullptr;
NghttpxFixture* H2ConnectTest::nghttpx_ = nullptr;
uint16_t H2ConnectTest::a_port_ = 0;
uint16_t H2ConnectTest::b_port_ = 0;
uint16_t H2ConnectTest::c_port_ = 0;

TEST_F(H2ConnectTest, TwentyParallelTransfersToTwoOriginsShareOneProxyConnection) {
  const std::string out = MakeTempDir("h2connect-out-");
  std::vector<std::string> args = ProxyArgs();
  for (std::string a : {"-v", "-sS", "-Z", "--parallel-max", "20"}) args.push_back(a);
  for (int i = 0; i < 20; ++i) {
    args.push_back("-o");
    args.push_back(out + "/f" + std::to_string(i));
    args.push_back(Origin(i % 2 ? b_port_ : a_port_, "/f" + std::to_string(i) + ".bin"));
  }
  RunResult r = RunCli(args);
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(ReadFileIfExists(out + "/f" + std::to_string(i)) == Body(300000 + i, i)) << "body " << i << " differs";
  }
  // strata: one proxy connection opened, every other tunnel reused it.
  EXPECT_EQ(Count(r.stderr_text, "opening HTTP/2 proxy connection"), 1u) << Describe(r);
  const size_t reused = Count(r.stderr_text, "reusing HTTP/2 proxy connection");
  EXPECT_GE(reused, 1u) << Describe(r);
  // nghttpx: every CONNECT over HTTP/2 from one client port (one TLS
  // connection), one per tunnel.
  std::vector<ConnectLine> connects = NewConnects(reused + 1);
  ASSERT_EQ(connects.size(), reused + 1) << nghttpx_->AccessLog();
  std::set<std::string> ports;
  std::set<std::string> targets;
  for (const ConnectLine& c : connects) {
    ports.insert(c.client_port);
    targets.insert(c.request);
    EXPECT_EQ(c.alpn, "h2") << c.request;
    EXPECT_NE(c.request.find("HTTP/2"), std::string::npos) << c.request;
    EXPECT_EQ(c.status, "200") << c.request;
  }
  EXPECT_EQ(ports.size(), 1u) << nghttpx_->AccessLog();
  // The origins speak HTTP/1.1 (no h2 in their ALPN), so each carries
  // several tunnels; both are reached.
  EXPECT_EQ(targets.count("CONNECT 127.0.0.1:" + std::to_string(a_port_) + " HTTP/2"), 1u) << nghttpx_->AccessLog();
  EXPECT_EQ(targets.count("CONNECT 127.0.0.1:" + std::to_string(b_port_) + " HTTP/2"), 1u) << nghttpx_->AccessLog();
  EXPECT_EQ(targets.size(), 2u) << nghttpx_->AccessLog();
}

TEST_F(H2ConnectTest, RedirectToAThirdOriginOpensANewTunnelOnTheSameProxyConnection) {
  std::vector<std::string> args = ProxyArgs();
  for (std::string a : {"-v", "-sS", "-L"}) args.push_back(a);
  args.push_back(Origin(a_port_, "/to-c"));
  RunResult r = RunCli(args);
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_EQ(r.stdout_text, "third origin\n");
  EXPECT_EQ(Count(r.stderr_text, "opening HTTP/2 proxy connection"), 1u) << Describe(r);
  EXPECT_EQ(Count(r.stderr_text, "reusing HTTP/2 proxy connection"), 1u) << Describe(r);
  EXPECT_NE(r.stderr_text.find("for a tunnel to 127.0.0.1:" + std::to_string(c_port_)), std::string::npos)
      << Describe(r);
  std::vector<ConnectLine> connects = NewConnects(2);
  ASSERT_EQ(connects.size(), 2u) << nghttpx_->AccessLog();
  EXPECT_EQ(connects[0].client_port, connects[1].client_port) << nghttpx_->AccessLog();
}

TEST_F(H2ConnectTest, WriteOutShowsTheConnectStatusAndTheTunnelChain) {
  std::vector<std::string> args = ProxyArgs();
  for (std::string a : {"-sS", "-o", "/dev/null", "-w", "%{http_code} %{http_connect} %{strata_chain}\n"}) {
    args.push_back(a);
  }
  args.push_back(Origin(b_port_, "/f2.bin"));
  RunResult r = RunCli(args);
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_EQ(r.stdout_text.rfind("200 200 h2-connect(127.0.0.1:" + std::to_string(b_port_) + " via localhost:" +
                                    std::to_string(nghttpx_->port()),
                                0),
            0u)
      << r.stdout_text;
}

TEST_F(H2ConnectTest, AProxyThatChoosesHttp1GetsTheHttp1Tunnel) {
  // squid's https_port offers no ALPN: HTTP/1.1, so CONNECT over HTTP/1.1
  // (curl does the same with --proxy-http2).
  RunResult r = RunCli({"--proxy-http2", "-x", "https://localhost:" + std::to_string(squid_->tls_port()),
                        "--proxy-cacert", pki_->Cert("ca"), "--cacert", pki_->Cert("ca"), "-v", "-sS",
                        Origin(b_port_, "/f1.bin"), "-o", MakeTempDir("h2connect-h1-") + "/f1"});
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_NE(r.stderr_text.find("chose HTTP/1.1 (ALPN); using an HTTP/1.1 CONNECT tunnel instead"), std::string::npos)
      << Describe(r);
}

TEST_F(H2ConnectTest, OriginRefusedByTheBackendIsAClearProxyError) {
  // squid answers CONNECT to a closed port with 503; nghttpx passes it on.
  std::vector<std::string> args = ProxyArgs();
  for (std::string a : {"-sS", "https://127.0.0.1:1/"}) args.push_back(a);
  RunResult r = RunCli(args);
  EXPECT_FALSE(Exited(r, 0)) << Describe(r);
  EXPECT_NE(r.stderr_text.find("refused the tunnel to 127.0.0.1:1 (HTTP/2 CONNECT)"), std::string::npos)
      << Describe(r);
  EXPECT_NE(r.stderr_text.find("hop 1"), std::string::npos) << Describe(r);
}

// HOSTILE 73: the proxy's TLS and the origin's are verified each against
// its own name and trust: without the proxy's CA the proxy is refused,
// without the origin's the origin is (curl's exit 60 both ways).
TEST_F(H2ConnectTest, Hostile73_ProxyAndOriginAreEachVerified) {
  const std::string proxy = "https://localhost:" + std::to_string(nghttpx_->port());
  RunResult no_proxy_ca = RunCli({"--proxy-http2", "-x", proxy, "--cacert", pki_->Cert("ca"), "-sS", "-o",
                                  "/dev/null", Origin(a_port_, "/f1.bin")});
  EXPECT_TRUE(Exited(no_proxy_ca, 60)) << Describe(no_proxy_ca);
  EXPECT_NE(no_proxy_ca.stderr_text.find("proxy"), std::string::npos) << Describe(no_proxy_ca);
  RunResult no_origin_ca = RunCli({"--proxy-http2", "-x", proxy, "--proxy-cacert", pki_->Cert("ca"), "-sS", "-o",
                                   "/dev/null", Origin(a_port_, "/f1.bin")});
  EXPECT_TRUE(Exited(no_origin_ca, 60)) << Describe(no_origin_ca);
  EXPECT_NE(no_origin_ca.stderr_text.find("127.0.0.1"), std::string::npos) << Describe(no_origin_ca);
}

// Handshake policies see the TLS to the proxy, although through an HTTP/2
// proxy it lives in the shared proxy connection, not in the origin chain:
// a pin on the proxy's host (policy-pin's "proxy") refuses the transfer,
// and the same pin without "proxy" leaves it alone (the origins, named
// 127.0.0.1, have no pins).
TEST_F(H2ConnectTest, ProxyPinsAreCheckedOnTheSharedProxyConnection) {
  const std::string dir = MakeTempDir("h2connect-pin-");
  auto config = [&](bool proxy) {
    const std::string path = dir + (proxy ? "/proxy.json" : "/origin.json");
    WriteFileOrDie(path, std::string("{\"policies\": [{\"plugin\": \"policy-pin\", \"options\": {\"proxy\": ") +
                             (proxy ? "true" : "false") +
                             ", \"pins\": {\"localhost\": "
                             "\"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}}}]}");
    return path;
  };
  for (bool proxy : {true, false}) {
    std::vector<std::string> args = ProxyArgs();
    for (std::string a : {"-sS", "-o", "/dev/null", "--config"}) args.push_back(a);
    args.push_back(config(proxy));
    args.push_back(Origin(a_port_, "/f1.bin"));
    RunResult r = RunCli(args);
    if (proxy) {
      EXPECT_TRUE(Exited(r, 90)) << Describe(r);
      EXPECT_NE(r.stderr_text.find("public key does not match pinned public key: localhost presented"),
                std::string::npos)
          << Describe(r);
    } else {
      EXPECT_TRUE(Exited(r, 0)) << Describe(r);
    }
  }
}

// A session plugin built before tunnels (ABI 1.1) does not know
// STRATA_REQUEST_TUNNEL and would send CONNECT as a request with a body: the
// runtime does not ask it for a tunnel and the error names the layer, its
// plugin and both ABI versions. The same plugin still carries ordinary
// exchanges (a direct fetch from the TLS origin through it).
TEST_F(H2ConnectTest, ASessionPluginBuiltBeforeTunnelsIsNotAskedForOne) {
  const std::string plugin = RunfilePath("tests/integration/h2_proxy/strata-h2-alpn-abi-1-1.so");
  ASSERT_TRUE(FileExists(plugin)) << plugin;
  const std::string path = MakeTempDir("h2connect-abi-") + "/config.json";
  WriteFileOrDie(path, "{\"plugins\": [\"tcp\", \"tls\", \"connect-tunnel\", \"h1\", {\"path\": \"" + plugin +
                           "\"}]}");
  std::vector<std::string> args = ProxyArgs();
  for (std::string a : {"-sS", "-o", "/dev/null", "--config", path.c_str()}) args.push_back(a);
  args.push_back(Origin(a_port_, "/f1.bin"));
  RunResult r = RunCli(args);
  EXPECT_FALSE(Exited(r, 0)) << Describe(r);
  EXPECT_NE(r.stderr_text.find("cannot carry CONNECT tunnels: they need ABI 1.2"), std::string::npos) << Describe(r);
  EXPECT_NE(r.stderr_text.find("plugin ABI 1.1"), std::string::npos) << Describe(r);
  EXPECT_EQ(NewConnects(0).size(), 0u) << nghttpx_->AccessLog();

  RunResult direct = RunCli({"-sS", "-o", "/dev/null", "-w", "%{size_download} %{strata_chain}", "--cacert",
                             pki_->Cert("ca"), "--config", path, Origin(b_port_, "/f2.bin")});
  EXPECT_TRUE(Exited(direct, 0)) << Describe(direct);
  EXPECT_EQ(direct.stdout_text.rfind("300002 ", 0), 0u) << Describe(direct);
  // h2-alpn names itself by the protocol it chose: "h1 (ALPN fallback)".
  EXPECT_NE(direct.stdout_text.find("(ALPN fallback)"), std::string::npos) << Describe(direct);
}

}  // namespace
}  // namespace strata::test
