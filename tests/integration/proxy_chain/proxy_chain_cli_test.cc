// Proxy stacking from the command line (--preproxy, repeatable, before -x)
// against real peers on 127.0.0.1: squid (plain and with an https_port),
// tinyproxy with Basic auth, microsocks, and nginx with TLS as the origin.
// Every proxy's own log is checked for what it was asked to reach, and a
// single SOCKS --preproxy is run side by side with curl 7.88.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/proxy_chain/chain_peers.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/microsocks_fixture.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/proxy_fixture.h"
#include "tests/support/side_by_side.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using std::chrono::seconds;

bool Contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// WaitFor polls |read| until its text contains |needle| (squid logs a
// CONNECT when the tunnel closes, tinyproxy as it reads it).
template <typename Read>
bool WaitFor(Read read, const std::string& needle) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (!Contains(read(), needle)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::string Describe(const RunResult& r) {
  return r.exit.Describe() + "\nstdout: " + r.stdout_text.substr(0, 2000) + "\nstderr: " + r.stderr_text.substr(0, 4000);
}

class ProxyChainCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    peers_ = new ChainPeers();
    ASSERT_TRUE(peers_->Start("through the chain", &e)) << e;
    socks_ = new MicrosocksFixture();
    if (!socks_->Start(&e)) socks_skip_ = e;
    plain_ = new NginxFixture();
    ASSERT_TRUE(plain_->Start(&e)) << e;
    plain_->WriteDocFile("plain.txt", "plain through the chain\n");
  }
  static void TearDownTestSuite() {
    delete plain_;
    plain_ = nullptr;
    delete socks_;
    delete peers_;
    peers_ = nullptr;
    socks_ = nullptr;
  }

  static RunResult Strata(std::vector<std::string> args) {
    args.insert(args.begin(), {"--max-time", "20"});
    RunResult r = RunCli(true, args);
    EXPECT_FALSE(r.exit.timed_out) << Describe(r);
    return r;
  }
  static std::string Origin() { return "https://localhost:" + std::to_string(peers_->origin_port) + "/"; }
  static std::string OriginAuthority() { return "localhost:" + std::to_string(peers_->origin_port); }
  static std::string Squid() { return "http://127.0.0.1:" + std::to_string(peers_->squid.port()); }
  static std::string SquidTls() { return "https://localhost:" + std::to_string(peers_->squid.tls_port()); }
  static std::string Tiny() { return "http://127.0.0.1:" + std::to_string(peers_->tinyproxy.port()); }
  static std::string TinyAuthority() { return "127.0.0.1:" + std::to_string(peers_->tinyproxy.port()); }
  static std::string Socks() { return "socks5h://127.0.0.1:" + std::to_string(socks_->port()); }
  static std::string Ca() { return peers_->pki.Cert("ca"); }

  static ChainPeers* peers_;
  static MicrosocksFixture* socks_;
  static std::string socks_skip_;
  static NginxFixture* plain_;
};
NginxFixture* ProxyChainCliTest::plain_ = nullptr;
ChainPeers* ProxyChainCliTest::peers_ = nullptr;
MicrosocksFixture* ProxyChainCliTest::socks_ = nullptr;
std::string ProxyChainCliTest::socks_skip_;

TEST_F(ProxyChainCliTest, SquidThenTinyproxyWithAuthReachesTheOrigin) {
  RunResult r = Strata({"-sS", "-v", "--preproxy", Squid(), "-x", Tiny(), "-U", "alice:wonderland", "--cacert", Ca(),
                        "-w", "\n%{http_code} %{http_connect} [%{http_connects}]", Origin()});
  ASSERT_EQ(r.exit.exit_code, 0) << Describe(r) << "\ntinyproxy: " << peers_->tinyproxy.Log();
  EXPECT_EQ(r.stdout_text, "through the chain\n\n200 200 [200 200]");
  // Squid was asked for tinyproxy, tinyproxy (which requires auth) for
  // the origin.
  EXPECT_TRUE(WaitFor([] { return peers_->squid.AccessLog(); }, "CONNECT " + TinyAuthority())) << peers_->squid.AccessLog();
  EXPECT_TRUE(WaitFor([] { return peers_->tinyproxy.Log(); }, "CONNECT " + OriginAuthority())) << peers_->tinyproxy.Log();
  // -v names each proxy's CONNECT and its answer, never the credentials.
  EXPECT_TRUE(Contains(r.stderr_text, "proxy 1 (" + Squid() + ") CONNECT " + TinyAuthority() + " → 200"))
      << r.stderr_text;
  EXPECT_TRUE(Contains(r.stderr_text, "proxy 2 (" + Tiny() + ") CONNECT " + OriginAuthority() + " → 200"))
      << r.stderr_text;
  EXPECT_FALSE(Contains(r.stderr_text, "wonderland")) << r.stderr_text;
}

TEST_F(ProxyChainCliTest, WrongPasswordAtTheSecondProxyNamesIt) {
  RunResult r = Strata({"-sS", "--preproxy", Squid(), "-x", Tiny(), "-U", "alice:rabbit", "--cacert", Ca(), "-w",
                        "%{http_connect} [%{http_connects}]", Origin()});
  // curl's exit for a refused CONNECT (56); tinyproxy answers bad
  // credentials with 401.
  ASSERT_EQ(r.exit.exit_code, 56) << Describe(r);
  EXPECT_TRUE(Contains(r.stderr_text, "proxy 2 of 2 (" + Tiny() + ")")) << r.stderr_text;
  EXPECT_TRUE(Contains(r.stderr_text, "401")) << r.stderr_text;
  EXPECT_FALSE(Contains(r.stderr_text, "rabbit")) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "401 [200 401]");
}

TEST_F(ProxyChainCliTest, ThreeDeepSocksThenHttpsSquidThenTinyproxy) {
  if (!socks_skip_.empty()) GTEST_SKIP() << socks_skip_;
  RunResult r = Strata({"-sS", "-v", "--preproxy", Socks(), "--preproxy", SquidTls(), "--proxy-cacert", Ca(), "-x",
                        Tiny(), "-U", "alice:wonderland", "--cacert", Ca(), "-w", "\n[%{http_connects}] %{strata_chain}",
                        Origin()});
  ASSERT_EQ(r.exit.exit_code, 0) << Describe(r) << "\nsquid: " << peers_->squid.CacheLog();
  EXPECT_TRUE(Contains(r.stdout_text, "through the chain\n\n[0 200 200] tcp(")) << r.stdout_text;
  // microsocks reached squid's https_port by name (socks5h), squid was
  // asked (inside TLS to it) for tinyproxy, tinyproxy for the origin.
  EXPECT_TRUE(socks_->WaitForLog("connected to localhost:" + std::to_string(peers_->squid.tls_port()))) << socks_->Log();
  EXPECT_TRUE(WaitFor([] { return peers_->squid.AccessLog(); }, "CONNECT " + TinyAuthority())) << peers_->squid.AccessLog();
  EXPECT_TRUE(WaitFor([] { return peers_->tinyproxy.Log(); }, "CONNECT " + OriginAuthority())) << peers_->tinyproxy.Log();
  EXPECT_TRUE(Contains(r.stderr_text, "proxy 1 (" + Socks() + ") tunnel to localhost:" +
                                          std::to_string(peers_->squid.tls_port()) + " open"))
      << r.stderr_text;
  EXPECT_TRUE(Contains(r.stderr_text, "proxy 2 (" + SquidTls() + ") CONNECT " + TinyAuthority() + " → 200"))
      << r.stderr_text;
  EXPECT_TRUE(Contains(r.stderr_text, "proxy 3 (" + Tiny() + ") CONNECT " + OriginAuthority() + " → 200"))
      << r.stderr_text;
}

// Plain http through a chain whose last proxy forwards: squid is asked
// for tinyproxy, and tinyproxy gets the request in absolute form with its
// credentials (squid never sees them: they travel inside its tunnel).
TEST_F(ProxyChainCliTest, PlainHttpIsForwardedByTheLastProxy) {
  RunResult r = Strata({"-sS", "--preproxy", Squid(), "-x", Tiny(), "-U", "alice:wonderland", "-w",
                        "[%{http_connects}] %{strata_chain}", plain_->Url("/plain.txt")});
  ASSERT_EQ(r.exit.exit_code, 0) << Describe(r) << "\ntinyproxy: " << peers_->tinyproxy.Log();
  EXPECT_TRUE(Contains(r.stdout_text, "plain through the chain\n[200] tcp(")) << r.stdout_text;
  EXPECT_TRUE(WaitFor([] { return peers_->squid.AccessLog(); }, "CONNECT " + TinyAuthority())) << peers_->squid.AccessLog();
  EXPECT_TRUE(WaitFor([] { return peers_->tinyproxy.Log(); }, "GET " + plain_->Url("/plain.txt"))) << peers_->tinyproxy.Log();
  // Without the credentials tinyproxy answers the forwarded request
  // itself: that is the response (exit 0), as with one proxy.
  RunResult denied = Strata({"-sS", "-o", "/dev/null", "-w", "%{http_code}", "--preproxy", Squid(), "-x", Tiny(),
                             plain_->Url("/plain.txt")});
  ASSERT_EQ(denied.exit.exit_code, 0) << Describe(denied);
  EXPECT_EQ(denied.stdout_text, "407");
}

// The same chain from a configuration file: "proxy.chain", the last entry
// with its credentials as an object.
TEST_F(ProxyChainCliTest, ChainFromTheConfiguration) {
  const std::string config = MakeTempDir("chain-config") + "/strata.json";
  WriteFileOrDie(config, "{\"proxy\": {\"chain\": [\"" + Squid() + "\", {\"url\": \"" + Tiny() +
                             "\", \"credentials\": \"alice:wonderland\"}]}}");
  RunResult r = Strata({"-sS", "--config", config, "--cacert", Ca(), "-w", "[%{http_connects}]", Origin()});
  ASSERT_EQ(r.exit.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.stdout_text, "through the chain\n[200 200]");
  // --preproxy replaces the configuration's preproxies; -x its last entry.
  RunResult x = Strata({"-sS", "--config", config, "--preproxy", Squid(), "-x", Squid(), "--cacert", Ca(), "-w",
                        "[%{http_connects}]", Origin()});
  ASSERT_EQ(x.exit.exit_code, 0) << Describe(x);
  EXPECT_EQ(x.stdout_text, "through the chain\n[200 200]");
}

TEST_F(ProxyChainCliTest, HttpsProxyInTheChainIsVerified) {
  // Without --proxy-cacert squid's certificate (from the test CA) fails
  // verification: curl's exit 60, naming the proxy.
  RunResult r = Strata({"-sS", "--preproxy", SquidTls(), "-x", Tiny(), "-U", "alice:wonderland", "--cacert", Ca(),
                        Origin()});
  ASSERT_EQ(r.exit.exit_code, 60) << Describe(r);
  EXPECT_TRUE(Contains(r.stderr_text, "proxy 1 of 2 (" + SquidTls() + ")")) << r.stderr_text;
  // "proxy1:tls" addresses that proxy's TLS layer alone.
  RunResult k = Strata({"-sS", "--preproxy", SquidTls(), "-x", Tiny(), "-U", "alice:wonderland", "--cacert", Ca(),
                        "--proxy-insecure", Origin()});
  EXPECT_EQ(k.exit.exit_code, 0) << Describe(k);
}

// One SOCKS --preproxy is all curl 7.88 has: the same line must give the
// same exit code and output, and microsocks must see the same target.
TEST_F(ProxyChainCliTest, SingleSocksPreproxyLikeCurl) {
  if (!socks_skip_.empty()) GTEST_SKIP() << socks_skip_;
  const std::string squid_target = "connected to 127.0.0.1:" + std::to_string(peers_->squid.port());
  const std::vector<std::vector<std::string>> lines = {
      {"-sS", "--preproxy", Socks(), "-x", Squid(), "--cacert", Ca(), "-w", "|%{http_connect}", Origin()},
      {"-sS", "--preproxy", Socks(), "--cacert", Ca(), "-w", "|%{http_connect}", Origin()},
      {"-sS", "--preproxy", "socks5h://127.0.0.1:1", "-x", Squid(), "--cacert", Ca(), Origin()},
      {"-sS", "--preproxy", "socks5h://no-such-host.invalid:1080", "-x", Squid(), "--cacert", Ca(), Origin()},
  };
  for (const auto& line : lines) {
    SCOPED_TRACE(line[2]);
    std::vector<std::string> args = line;
    args.insert(args.begin(), {"--max-time", "20"});
    const std::string before = socks_->Log();
    RunResult curl = RunCli(false, args);
    const std::string curl_saw = socks_->Log().substr(before.size());
    RunResult strata = RunCli(true, args);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::string strata_saw = socks_->Log().substr(before.size() + curl_saw.size());
    EXPECT_EQ(strata.exit.exit_code, curl.exit.exit_code) << "curl: " << Describe(curl) << "\nstrata: " << Describe(strata);
    EXPECT_EQ(strata.stdout_text, curl.stdout_text);
    EXPECT_EQ(Contains(strata_saw, squid_target), Contains(curl_saw, squid_target)) << curl_saw << "\n" << strata_saw;
  }
}

TEST_F(ProxyChainCliTest, RefusingSocksPreproxyIsCurlsSocksError) {
  MicrosocksFixture auth("bob", "secret");
  std::string e;
  if (!auth.Start(&e)) GTEST_SKIP() << e;
  const std::vector<std::string> args = {"--max-time", "20", "-sS", "--preproxy",
                                         "socks5h://bob:wrong@127.0.0.1:" + std::to_string(auth.port()), "-x", Squid(),
                                         "--cacert", Ca(), Origin()};
  RunResult curl = RunCli(false, args), strata = RunCli(true, args);
  EXPECT_EQ(curl.exit.exit_code, 97) << Describe(curl);
  EXPECT_EQ(strata.exit.exit_code, curl.exit.exit_code) << Describe(strata);
  EXPECT_TRUE(Contains(strata.stderr_text, "proxy 1 of 2 (socks5h://127.0.0.1:")) << strata.stderr_text;
  EXPECT_FALSE(Contains(strata.stderr_text, "wrong")) << strata.stderr_text;
}

}  // namespace
}  // namespace strata::test
