// SOCKS proxies from the command line (-x socks5h://…, --socks5,
// --socks5-hostname, ALL_PROXY), side by side with the installed curl
// (7.88) through a real microsocks in front of nginx (plain and TLS): exit
// codes, output and what the proxy was asked to connect to must agree.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/microsocks_fixture.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

RunResult RunWith(bool strata, const std::vector<std::string>& args,
                  const std::vector<std::pair<std::string, std::string>>& env = {}) {
  ProcessOptions o;
  o.argv = {strata ? RunfilePath("tools/strata") : "/usr/bin/curl"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = {{"HOME", TestTmpDir()}, {"http_proxy", ""}, {"https_proxy", ""}, {"ALL_PROXY", ""}, {"all_proxy", ""}};
  for (const auto& e : env) o.env.push_back(e);
  return RunProcess(o, std::chrono::seconds(30));
}

class CliSocksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    nginx_ = new NginxFixture();
    ASSERT_TRUE(nginx_->Start(&e)) << e;
    nginx_->WriteDocFile("hello.txt", "hello through socks\n");
    pki_ = new TestPki();
    ASSERT_TRUE(pki_->MakeCa("ca", &e) && pki_->MakeLocalhostLeaf("ca", &e)) << e;
    tls_ = new TlsNginx();
    tls_port_ = tls_->AddServer("    ssl_certificate \"" + pki_->Cert("localhost") + "\";\n    ssl_certificate_key \"" +
                                pki_->Key("localhost") + "\";\n    location / { return 200 \"tls via socks\\n\"; }\n");
    ASSERT_TRUE(tls_->Start(&e)) << e;
    socks_ = new MicrosocksFixture();
    if (!socks_->Start(&e)) {
      skip_ = e;
      return;
    }
    auth_socks_ = new MicrosocksFixture("alice", "s3cret");
    ASSERT_TRUE(auth_socks_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete socks_;
    delete auth_socks_;
    delete tls_;
    delete pki_;
    delete nginx_;
    socks_ = auth_socks_ = nullptr;
    tls_ = nullptr;
    pki_ = nullptr;
    nginx_ = nullptr;
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
  }
  static std::string Proxy() { return "127.0.0.1:" + std::to_string(socks_->port()); }
  static std::string Origin() { return "http://localhost:" + std::to_string(nginx_->port()) + "/hello.txt"; }

  // Both ran the same line: same exit code and output.
  static void ExpectSame(const RunResult& curl, const RunResult& strata) {
    EXPECT_EQ(strata.exit.exit_code, curl.exit.exit_code) << "curl: " << curl.stderr_text << "\nstrata: " << strata.stderr_text;
    EXPECT_EQ(strata.stdout_text, curl.stdout_text);
  }

  static NginxFixture* nginx_;
  static TestPki* pki_;
  static TlsNginx* tls_;
  static uint16_t tls_port_;
  static MicrosocksFixture* socks_;
  static MicrosocksFixture* auth_socks_;
  static std::string skip_;
};
NginxFixture* CliSocksTest::nginx_ = nullptr;
TestPki* CliSocksTest::pki_ = nullptr;
TlsNginx* CliSocksTest::tls_ = nullptr;
uint16_t CliSocksTest::tls_port_ = 0;
MicrosocksFixture* CliSocksTest::socks_ = nullptr;
MicrosocksFixture* CliSocksTest::auth_socks_ = nullptr;
std::string CliSocksTest::skip_;

TEST_F(CliSocksTest, EverySpellingReachesTheOriginLikeCurl) {
  const std::vector<std::vector<std::string>> lines = {
      {"-sS", "-x", "socks5h://" + Proxy(), Origin()},
      {"-sS", "-x", "socks5://" + Proxy(), Origin()},
      {"-sS", "--socks5", Proxy(), Origin()},
      {"-sS", "--socks5-hostname", Proxy(), Origin()},
      {"-sS", "-x", "socks5h://" + Proxy(), "-w", "%{http_connect} %{remote_port} %{num_connects}\\n", Origin()},
  };
  for (const auto& line : lines) {
    RunResult curl = RunWith(false, line), strata = RunWith(true, line);
    SCOPED_TRACE(line[2]);
    ExpectSame(curl, strata);
    EXPECT_EQ(strata.exit.exit_code, 0) << strata.stderr_text;
    EXPECT_EQ(strata.stdout_text.substr(0, 20), "hello through socks\n");
  }
}

TEST_F(CliSocksTest, WhoResolvesTheName) {
  // socks5h: the proxy gets the name; socks5: an address (127.0.0.1, as
  // curl sends for localhost).
  RunResult h = RunWith(true, {"-sS", "-x", "socks5h://" + Proxy(), Origin()});
  ASSERT_EQ(h.exit.exit_code, 0) << h.stderr_text;
  EXPECT_TRUE(socks_->WaitForLog("connected to localhost:" + std::to_string(nginx_->port()))) << socks_->Log();
  RunResult local = RunWith(true, {"-sS", "--socks5", Proxy(), Origin()});
  ASSERT_EQ(local.exit.exit_code, 0) << local.stderr_text;
  EXPECT_TRUE(socks_->WaitForLog("connected to 127.0.0.1:" + std::to_string(nginx_->port()))) << socks_->Log();
}

TEST_F(CliSocksTest, AllProxyFromTheEnvironment) {
  const std::vector<std::pair<std::string, std::string>> env = {{"ALL_PROXY", "socks5h://" + Proxy()}};
  RunResult curl = RunWith(false, {"-sS", Origin()}, env), strata = RunWith(true, {"-sS", Origin()}, env);
  ExpectSame(curl, strata);
  EXPECT_EQ(strata.exit.exit_code, 0) << strata.stderr_text;
}

TEST_F(CliSocksTest, HttpsThroughSocks) {
  const std::string url = "https://localhost:" + std::to_string(tls_port_) + "/";
  for (const char* version : {"--http1.1", "--http2"}) {
    const std::vector<std::string> line = {"-sS", version, "--cacert", pki_->Cert("ca"), "-x", "socks5h://" + Proxy(),
                                           url};
    RunResult curl = RunWith(false, line), strata = RunWith(true, line);
    ExpectSame(curl, strata);
    EXPECT_EQ(strata.stdout_text, "tls via socks\n") << strata.stderr_text;
  }
}

TEST_F(CliSocksTest, CredentialsAndTheirRefusal) {
  const std::string good = "socks5h://alice:s3cret@127.0.0.1:" + std::to_string(auth_socks_->port());
  const std::string bad = "socks5h://alice:wrong@127.0.0.1:" + std::to_string(auth_socks_->port());
  const std::string none = "socks5h://127.0.0.1:" + std::to_string(auth_socks_->port());
  for (const std::string& proxy : {good, bad, none}) {
    RunResult curl = RunWith(false, {"-sS", "-x", proxy, Origin()}), strata = RunWith(true, {"-sS", "-x", proxy, Origin()});
    SCOPED_TRACE(proxy);
    ExpectSame(curl, strata);
    EXPECT_EQ(strata.stderr_text.find("wrong"), std::string::npos) << "the password must not be shown";
  }
}

TEST_F(CliSocksTest, FailuresHaveCurlsExitCodes) {
  // The proxy cannot reach the origin (97), the proxy is not there (7).
  for (const std::vector<std::string>& line :
       {std::vector<std::string>{"-sS", "-x", "socks5h://" + Proxy(), "http://127.0.0.1:1/"},
        std::vector<std::string>{"-sS", "-x", "socks5h://127.0.0.1:1", Origin()}}) {
    RunResult curl = RunWith(false, line), strata = RunWith(true, line);
    ExpectSame(curl, strata);
    EXPECT_NE(strata.exit.exit_code, 0);
    EXPECT_FALSE(strata.stderr_text.empty());
  }
  // SOCKS4 resolving here is the one spelling strata refuses, plainly.
  RunResult v4 = RunWith(true, {"-sS", "--socks4", Proxy(), Origin()});
  EXPECT_NE(v4.exit.exit_code, 0);
  EXPECT_NE(v4.stderr_text.find("socks4a://"), std::string::npos) << v4.stderr_text;
}

}  // namespace
}  // namespace strata::test
