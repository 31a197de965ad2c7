// The strata CLI's TLS, proxy and redirect options end to end: the binary
// from the runfiles of //tools:dist against nginx (plain and TLS, with a CA
// made at test time), squid (forwarding, CONNECT, an https_port) and
// tinyproxy with Basic auth, all on 127.0.0.1. What the proxies logged is
// checked as well as what the CLI printed.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/proxy_fixture.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using std::chrono::seconds;
using Env = std::vector<std::pair<std::string, std::string>>;

std::string CliPath() { return RunfilePath("tools/strata"); }

// RunCli runs the CLI with a HOME of its own and with every proxy variable
// of the test's environment blanked (empty counts as unset), then |env|.
RunResult RunCli(const std::vector<std::string>& args, const Env& env = {}) {
  ProcessOptions opts;
  opts.argv = {CliPath(), "--max-time", "30"};
  opts.argv.insert(opts.argv.end(), args.begin(), args.end());
  opts.env = {{"HOME", TestTmpDir()}};
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                           "no_proxy", "NO_PROXY"}) {
    opts.env.emplace_back(name, "");
  }
  opts.env.insert(opts.env.end(), env.begin(), env.end());
  RunResult r = RunProcess(opts, seconds(60));
  EXPECT_EQ(r.start_error, "");
  EXPECT_FALSE(r.exit.timed_out) << "strata did not finish in time";
  return r;
}

std::string Describe(const RunResult& r) {
  return r.exit.Describe() + "\nstdout: " + r.stdout_text.substr(0, 3000) +
         "\nstderr: " + r.stderr_text.substr(0, 3000);
}

bool Exited(const RunResult& r, int code) { return r.exit.exited && r.exit.exit_code == code; }

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// SquidCounter counts the access log lines with |needle| (squid logs a
// request when it ends, a CONNECT when the tunnel closes, and strips query
// strings), so a test sees its own lines and not an earlier test's.
class SquidCounter {
 public:
  SquidCounter(const SquidFixture* squid, std::string needle)
      : squid_(squid), needle_(std::move(needle)), before_(Count(squid->AccessLog(), needle_)) {}
  // New waits (bounded) for lines beyond those present at construction.
  size_t New() const {
    auto deadline = std::chrono::steady_clock::now() + seconds(10);
    size_t now = Count(squid_->AccessLog(), needle_);
    while (now <= before_ && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      now = Count(squid_->AccessLog(), needle_);
    }
    return now - before_;
  }
  // NewSoFar does not wait: for lines that must not appear once New() saw
  // the ones that must.
  size_t NewSoFar() const { return Count(squid_->AccessLog(), needle_) - before_; }

 private:
  const SquidFixture* squid_;
  std::string needle_;
  size_t before_;
};

class CliTlsProxyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    pki_ = new TestPki();
    bool ok = pki_->MakeCa("ca", &e) &&
              pki_->MakeLocalhostLeaf("ca", &e) &&
              pki_->MakeLeaf("client", "ca", "strata cli client", "", "clientAuth", &e);
    ASSERT_TRUE(ok) << e;

    plain_ = new NginxFixture();
    ASSERT_TRUE(plain_->Start(&e)) << e;
    for (const char* name : {"hello.txt", "absolute.txt", "tunnel.txt", "x-wins.txt"}) {
      plain_->WriteDocFile(name, "hello over http\n");
    }

    tls_ = new TlsNginx();
    const std::string certs = "    ssl_certificate \"" + pki_->Cert("localhost") + "\";\n    ssl_certificate_key \"" +
                              pki_->Key("localhost") + "\";\n";
    const std::string to_http = "http://127.0.0.1:" + std::to_string(plain_->port()) + "/hello.txt";
    main_port_ = tls_->AddServer(
        certs + "    location / { return 200 \"tls ok proto=$ssl_protocol cipher=$ssl_cipher curve=$ssl_curve\\n\"; }\n" +
        "    location = /to-http { return 302 " + to_http + "; }\n" +
        "    location = /to-https { return 302 /; }\n");
    tls13_only_port_ = tls_->AddServer(certs + "    ssl_protocols TLSv1.3;\n    location / { return 200 \"1.3\\n\"; }\n");
    tls12_only_port_ = tls_->AddServer(certs + "    ssl_protocols TLSv1.2;\n    location / { return 200 \"1.2\\n\"; }\n");
    client_auth_port_ = tls_->AddServer(certs + "    ssl_client_certificate \"" + pki_->Cert("ca") +
                                        "\";\n    ssl_verify_client on;\n"
                                        "    location / { return 200 \"client=$ssl_client_s_dn\\n\"; }\n");
    ASSERT_TRUE(tls_->Start(&e)) << e;

    // The proxy fixtures keep their files where the daemons' unprivileged
    // users can reach them (see proxy_fixture.h).
    squid_ = new SquidFixture();
    tinyproxy_ = new TinyproxyFixture("alice", "wonderland");

    squid_->EnableTls(pki_->Cert("localhost"), pki_->Key("localhost"));
    ASSERT_TRUE(squid_->Start(&e)) << e;
    ASSERT_TRUE(tinyproxy_->Start(&e)) << e;
  }

  static void TearDownTestSuite() {
    delete tinyproxy_;
    delete squid_;
    delete tls_;
    delete plain_;
    delete pki_;
    tinyproxy_ = nullptr;
    squid_ = nullptr;
    tls_ = nullptr;
    plain_ = nullptr;
    pki_ = nullptr;
  }

  void SetUp() override { ASSERT_TRUE(FileExists(CliPath())) << CliPath(); }

  static std::string Https(uint16_t port, const std::string& path = "/") {
    return "https://127.0.0.1:" + std::to_string(port) + path;
  }
  static std::string Ca() { return pki_->Cert("ca"); }
  static std::string SquidUrl() { return "127.0.0.1:" + std::to_string(squid_->port()); }
  static std::string TinyproxyUrl() { return "http://127.0.0.1:" + std::to_string(tinyproxy_->port()); }
  static std::string SquidLog() { return "squid access log:\n" + squid_->AccessLog(); }

  static TestPki* pki_;
  static NginxFixture* plain_;
  static TlsNginx* tls_;
  static SquidFixture* squid_;
  static TinyproxyFixture* tinyproxy_;
  static uint16_t main_port_, tls13_only_port_, tls12_only_port_, client_auth_port_;
};

TestPki* CliTlsProxyTest::pki_ = nullptr;
NginxFixture* CliTlsProxyTest::plain_ = nullptr;
TlsNginx* CliTlsProxyTest::tls_ = nullptr;
SquidFixture* CliTlsProxyTest::squid_ = nullptr;
TinyproxyFixture* CliTlsProxyTest::tinyproxy_ = nullptr;
uint16_t CliTlsProxyTest::main_port_ = 0;
uint16_t CliTlsProxyTest::tls13_only_port_ = 0;
uint16_t CliTlsProxyTest::tls12_only_port_ = 0;
uint16_t CliTlsProxyTest::client_auth_port_ = 0;

// ---- TLS -------------------------------------------------------------------

TEST_F(CliTlsProxyTest, CacertTrustsTheTestCa) {
  RunResult r = RunCli({"-sS", "--cacert", Ca(), Https(main_port_)});
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_EQ(r.stdout_text.rfind("tls ok proto=TLSv1.3", 0), 0u) << r.stdout_text;
}

TEST_F(CliTlsProxyTest, WithoutCacertVerificationFailsWith60) {
  RunResult r = RunCli({"-sS", Https(main_port_)});
  ASSERT_TRUE(Exited(r, 60)) << Describe(r);
  EXPECT_EQ(r.stdout_text, "");
  EXPECT_TRUE(Contains(r.stderr_text, "strata: (60) ")) << r.stderr_text;
  EXPECT_TRUE(Contains(r.stderr_text, "verify")) << r.stderr_text;
}

TEST_F(CliTlsProxyTest, CapathTrustsAHashedDirectory) {
  RunResult hash = RunProcess({.argv = {"/usr/bin/openssl", "x509", "-hash", "-noout", "-in", Ca()}}, seconds(30));
  ASSERT_TRUE(Exited(hash, 0)) << Describe(hash);
  std::string name = hash.stdout_text.substr(0, hash.stdout_text.find('\n'));
  std::string dir = MakeTempDir("capath-");
  ASSERT_EQ(symlink(Ca().c_str(), (dir + "/" + name + ".0").c_str()), 0);
  RunResult r = RunCli({"-sS", "--capath", dir, Https(main_port_)});
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_TRUE(Contains(r.stdout_text, "tls ok")) << r.stdout_text;
  RunResult empty = RunCli({"-sS", "--capath", MakeTempDir("capath-empty-"), Https(main_port_)});
  EXPECT_TRUE(Exited(empty, 60)) << Describe(empty);
}

TEST_F(CliTlsProxyTest, InsecureSkipsVerificationAndVerboseSaysSo) {
  RunResult r = RunCli({"-sS", "-k", Https(main_port_)});
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_TRUE(Contains(r.stdout_text, "tls ok")) << r.stdout_text;

  RunResult v = RunCli({"-v", "--insecure", Https(main_port_)});
  ASSERT_TRUE(Exited(v, 0)) << Describe(v);
  EXPECT_TRUE(Contains(v.stderr_text, "* WARNING: -k/--insecure")) << v.stderr_text;
  EXPECT_TRUE(Contains(v.stderr_text, "* tls: certificate verification is disabled")) << v.stderr_text;
}

TEST_F(CliTlsProxyTest, VersionLimits) {
  RunResult max12 = RunCli({"-sS", "--cacert", Ca(), "--tls-max", "1.2", Https(main_port_)});
  ASSERT_TRUE(Exited(max12, 0)) << Describe(max12);
  EXPECT_TRUE(Contains(max12.stdout_text, "proto=TLSv1.2")) << max12.stdout_text;

  RunResult min13 = RunCli({"-sS", "--cacert", Ca(), "--tlsv1.3", Https(tls12_only_port_)});
  EXPECT_TRUE(Exited(min13, 35)) << Describe(min13);
  RunResult max12_vs_13 = RunCli({"-sS", "--cacert", Ca(), "--tls-max", "1.2", Https(tls13_only_port_)});
  EXPECT_TRUE(Exited(max12_vs_13, 35)) << Describe(max12_vs_13);
  RunResult min12 = RunCli({"-sS", "--cacert", Ca(), "--tlsv1.2", Https(tls12_only_port_)});
  EXPECT_TRUE(Exited(min12, 0)) << Describe(min12);

  RunResult bad = RunCli({"-sS", "--tls-max", "1.4", Https(main_port_)});
  ASSERT_TRUE(Exited(bad, 2)) << Describe(bad);
  EXPECT_TRUE(Contains(bad.stderr_text, "--tls-max")) << bad.stderr_text;
}

TEST_F(CliTlsProxyTest, CiphersAndCurves) {
  // The test certificates have P-256 keys, so only ECDSA suites can work.
  RunResult r = RunCli({"-sS", "--cacert", Ca(), "--tls-max", "1.2", "--ciphers",
                        "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256", Https(main_port_)});
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_TRUE(Contains(r.stdout_text, "proto=TLSv1.2 cipher=ECDHE-ECDSA-CHACHA20-POLY1305 ")) << r.stdout_text;
  // TLS 1.3 (1.2 would also need P-256 listed, for the certificate's key).
  RunResult curve = RunCli({"-sS", "--cacert", Ca(), "--curves", "P-384", Https(main_port_)});
  ASSERT_TRUE(Exited(curve, 0)) << Describe(curve);
  EXPECT_TRUE(Contains(curve.stdout_text, "proto=TLSv1.3 ")) << curve.stdout_text;
  EXPECT_TRUE(Contains(curve.stdout_text, "curve=secp384r1")) << curve.stdout_text;

  RunResult no_common = RunCli({"-sS", "--cacert", Ca(), "--tls-max", "1.2", "--ciphers",
                                "ECDHE-RSA-AES128-GCM-SHA256", Https(main_port_)});
  EXPECT_TRUE(Exited(no_common, 35)) << Describe(no_common);
  // A name BoringSSL does not know is a configuration error of the layer.
  RunResult bad = RunCli({"-sS", "--cacert", Ca(), "--curves", "no-such-curve", Https(main_port_)});
  EXPECT_TRUE(Exited(bad, 2)) << Describe(bad);
  EXPECT_TRUE(Contains(bad.stderr_text, "no-such-curve")) << bad.stderr_text;
}

TEST_F(CliTlsProxyTest, ClientCertificate) {
  RunResult r = RunCli({"-sS", "--cacert", Ca(), "-E", pki_->Cert("client") + ":ignored-password", "--key",
                        pki_->Key("client"), Https(client_auth_port_)});
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_TRUE(Contains(r.stdout_text, "client=CN=strata cli client")) << r.stdout_text;
  EXPECT_TRUE(Contains(r.stderr_text, "password after ':' is ignored")) << r.stderr_text;

  RunResult none = RunCli({"-sS", "--cacert", Ca(), "-w", "%{http_code}", Https(client_auth_port_)});
  EXPECT_TRUE(Exited(none, 0)) << Describe(none);
  EXPECT_TRUE(Contains(none.stdout_text, "400")) << "nginx answers 400 without a client certificate";
}

// ---- redirects -------------------------------------------------------------

TEST_F(CliTlsProxyTest, HttpsToHttpRedirectNeedsUnsafeRedirect) {
  std::string target = plain_->Url("/hello.txt");
  RunResult shown = RunCli({"-sS", "--cacert", Ca(), "-o", "/dev/null", "-w",
                            "%{http_code} %{num_redirects} %{redirect_url}", Https(main_port_, "/to-http")});
  ASSERT_TRUE(Exited(shown, 0)) << Describe(shown);
  EXPECT_EQ(shown.stdout_text, "302 0 " + target);

  RunResult refused = RunCli({"-sS", "-L", "--cacert", Ca(), Https(main_port_, "/to-http")});
  ASSERT_TRUE(Exited(refused, 47)) << Describe(refused);
  EXPECT_EQ(refused.stdout_text, "");

  RunResult allowed = RunCli({"-sS", "-L", "--unsafe-redirect", "--cacert", Ca(), "-w",
                              "%{num_redirects} %{url_effective} [%{redirect_url}]", Https(main_port_, "/to-http")});
  ASSERT_TRUE(Exited(allowed, 0)) << Describe(allowed);
  EXPECT_EQ(allowed.stdout_text, "hello over http\n1 " + target + " []");
}

TEST_F(CliTlsProxyTest, VerboseHopLinesCarryChainConnectionAndTimings) {
  RunResult r = RunCli({"-v", "-L", "--cacert", Ca(), Https(main_port_, "/to-https")});
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_TRUE(Contains(r.stderr_text, "* hop 1: GET " + Https(main_port_, "/to-https") + " → 302 (tcp(")) << r.stderr_text;
  EXPECT_TRUE(Contains(r.stderr_text, "new connection; ready: tcp ")) << r.stderr_text;
  EXPECT_TRUE(Contains(r.stderr_text, "* hop 2: GET " + Https(main_port_) + " → 200 (")) << r.stderr_text;
  EXPECT_TRUE(Contains(r.stderr_text, "reused connection)")) << r.stderr_text;
}

// ---- proxies ---------------------------------------------------------------

TEST_F(CliTlsProxyTest, HttpThroughSquidUsesTheAbsoluteForm) {
  // No scheme: an http:// proxy, as in curl.
  SquidCounter absolute(squid_, "GET " + plain_->Url("/absolute.txt"));
  RunResult r = RunCli({"-sS", "-x", SquidUrl(), "-w", "[%{http_connect}]", plain_->Url("/absolute.txt")});
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_EQ(r.stdout_text, "hello over http\n[000]");
  EXPECT_EQ(absolute.New(), 1u) << SquidLog();
}

TEST_F(CliTlsProxyTest, ProxytunnelSendsConnectEvenForHttp) {
  SquidCounter connect(squid_, "CONNECT 127.0.0.1:" + std::to_string(plain_->port()));
  SquidCounter get(squid_, "GET " + plain_->Url("/tunnel.txt"));
  RunResult r = RunCli({"-sS", "-p", "-x", SquidUrl(), "-w", "[%{http_connect}] %{strata_chain}",
                        plain_->Url("/tunnel.txt")});
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_EQ(r.stdout_text.rfind("hello over http\n[200] ", 0), 0u) << r.stdout_text;
  EXPECT_TRUE(Contains(r.stdout_text, "connect-tunnel(")) << r.stdout_text;
  EXPECT_EQ(connect.New(), 1u) << SquidLog();
  EXPECT_EQ(get.NewSoFar(), 0u) << "tunnelled, so squid never saw the GET\n" << SquidLog();
}

TEST_F(CliTlsProxyTest, HttpsThroughSquidTunnelsTls) {
  std::string authority = "127.0.0.1:" + std::to_string(main_port_);
  SquidCounter connect(squid_, "CONNECT " + authority);
  RunResult r = RunCli({"-sS", "-x", "http://" + SquidUrl(), "--cacert", Ca(), "-w", "[%{http_connect}]",
                        Https(main_port_)});
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_EQ(r.stdout_text.rfind("tls ok", 0), 0u) << r.stdout_text;
  EXPECT_TRUE(Contains(r.stdout_text, "[200]")) << r.stdout_text;
  EXPECT_EQ(connect.New(), 1u) << SquidLog();

  // The origin's certificate is still checked through the tunnel.
  RunResult untrusted = RunCli({"-sS", "-x", SquidUrl(), Https(main_port_)});
  EXPECT_TRUE(Exited(untrusted, 60)) << Describe(untrusted);

  RunResult v = RunCli({"-v", "-x", SquidUrl(), "--cacert", Ca(), Https(main_port_)});
  ASSERT_TRUE(Exited(v, 0)) << Describe(v);
  EXPECT_TRUE(Contains(v.stderr_text, "* hop 1: GET " + Https(main_port_) + " → 200 (tcp(")) << v.stderr_text;
  EXPECT_TRUE(Contains(v.stderr_text, "connect-tunnel(" + authority)) << v.stderr_text;
  EXPECT_TRUE(Contains(v.stderr_text, "ready: tcp ")) << v.stderr_text;
}

TEST_F(CliTlsProxyTest, HttpsProxyNeedsItsOwnTrust) {
  ASSERT_NE(squid_->tls_port(), 0);
  std::string proxy = "https://127.0.0.1:" + std::to_string(squid_->tls_port());
  RunResult r = RunCli({"-sS", "-x", proxy, "--proxy-cacert", Ca(), "--cacert", Ca(), "-w", "[%{http_connect}]",
                        Https(main_port_)});
  ASSERT_TRUE(Exited(r, 0)) << Describe(r) << "\nsquid: " << squid_->CacheLog();
  EXPECT_TRUE(Contains(r.stdout_text, "tls ok")) << r.stdout_text;
  EXPECT_TRUE(Contains(r.stdout_text, "[200]")) << r.stdout_text;

  // --cacert alone trusts the server, not the proxy.
  RunResult untrusted = RunCli({"-sS", "-x", proxy, "--cacert", Ca(), Https(main_port_)});
  EXPECT_TRUE(Exited(untrusted, 60)) << Describe(untrusted);
  RunResult insecure = RunCli({"-sS", "-x", proxy, "--proxy-insecure", "--cacert", Ca(), Https(main_port_)});
  EXPECT_TRUE(Exited(insecure, 0)) << Describe(insecure);
  // ... and -k the server, not the proxy.
  RunResult k = RunCli({"-sS", "-x", proxy, "-k", Https(main_port_)});
  EXPECT_TRUE(Exited(k, 60)) << Describe(k);
}

TEST_F(CliTlsProxyTest, MalformedProxyUrlIsTheRuntimesError) {
  RunResult r = RunCli({"-sS", "-x", "http://[::1", plain_->Url("/hello.txt")});
  ASSERT_TRUE(Exited(r, 2)) << Describe(r);
  EXPECT_TRUE(Contains(r.stderr_text, "bad proxy URL 'http://[::1'")) << r.stderr_text;
  // A proxy scheme strata has no layer for.
  RunResult other = RunCli({"-sS", "-x", "ftp://127.0.0.1:1080", plain_->Url("/hello.txt")});
  ASSERT_TRUE(Exited(other, 2)) << Describe(other);
  EXPECT_TRUE(Contains(other.stderr_text, "has scheme 'ftp' (http, https, socks4a, socks5 and socks5h proxies are "
                                          "supported)")) << other.stderr_text;
}

TEST_F(CliTlsProxyTest, TinyproxyBasicAuth) {
  // CONNECT without credentials: the tunnel fails on the 407.
  RunResult denied = RunCli({"-sS", "-x", TinyproxyUrl(), "--cacert", Ca(), "-w", "[%{http_connect}]",
                             Https(main_port_)});
  ASSERT_TRUE(Exited(denied, 56)) << Describe(denied);
  EXPECT_TRUE(Contains(denied.stderr_text, "407")) << denied.stderr_text;
  // Like curl, -w reports the proxy's answer even though the transfer failed.
  EXPECT_TRUE(Contains(denied.stdout_text, "[407]")) << denied.stdout_text;

  RunResult allowed = RunCli({"-sS", "-x", TinyproxyUrl(), "-U", "alice:wonderland", "--cacert", Ca(), "-w",
                              "[%{http_code} %{http_connect}]", Https(main_port_)});
  ASSERT_TRUE(Exited(allowed, 0)) << Describe(allowed) << "\ntinyproxy: " << tinyproxy_->Log();
  EXPECT_TRUE(Contains(allowed.stdout_text, "tls ok")) << allowed.stdout_text;
  EXPECT_TRUE(Contains(allowed.stdout_text, "[200 200]")) << allowed.stdout_text;

  // tinyproxy answers wrong credentials with 401, not 407.
  RunResult wrong = RunCli({"-sS", "-x", TinyproxyUrl(), "-U", "alice:rabbit", "--cacert", Ca(), Https(main_port_)});
  ASSERT_TRUE(Exited(wrong, 56)) << Describe(wrong);
  EXPECT_TRUE(Contains(wrong.stderr_text, "strata: (56) connect-tunnel: ")) << wrong.stderr_text;
  EXPECT_FALSE(Contains(wrong.stderr_text, "rabbit")) << wrong.stderr_text;
}

TEST_F(CliTlsProxyTest, TinyproxyBasicAuthForForwardedHttp) {
  // Plain http is forwarded: the 407 is the response (exit 0, like curl).
  RunResult denied = RunCli({"-sS", "-x", TinyproxyUrl(), "-o", "/dev/null", "-w", "%{http_code}",
                             plain_->Url("/hello.txt")});
  ASSERT_TRUE(Exited(denied, 0)) << Describe(denied);
  EXPECT_EQ(denied.stdout_text, "407");

  RunResult allowed = RunCli({"-sS", "-x", TinyproxyUrl(), "-U", "alice:wonderland", plain_->Url("/hello.txt")});
  ASSERT_TRUE(Exited(allowed, 0)) << Describe(allowed);
  EXPECT_EQ(allowed.stdout_text, "hello over http\n");

  // Credentials in the proxy URL count as -U, and -v never shows them.
  std::string with_userinfo = "http://alice:wonderland@127.0.0.1:" + std::to_string(tinyproxy_->port());
  RunResult v = RunCli({"-v", "-x", with_userinfo, plain_->Url("/hello.txt")});
  ASSERT_TRUE(Exited(v, 0)) << Describe(v);
  EXPECT_EQ(v.stdout_text, "hello over http\n");
  EXPECT_FALSE(Contains(v.stderr_text, "wonderland")) << v.stderr_text;
  EXPECT_FALSE(Contains(v.stderr_text, "YWxpY2U6d29uZGVybGFuZA==")) << v.stderr_text;
  EXPECT_TRUE(Contains(v.stderr_text, "> Proxy-Authorization: [redacted]")) << v.stderr_text;
}

// ---- the environment ---------------------------------------------------------

TEST_F(CliTlsProxyTest, HttpsProxyFromTheEnvironment) {
  SquidCounter connect(squid_, "CONNECT 127.0.0.1:" + std::to_string(main_port_));
  RunResult r = RunCli({"-sS", "--cacert", Ca(), "-w", "[%{http_connect}]", Https(main_port_)},
                       {{"https_proxy", "http://" + SquidUrl()}});
  ASSERT_TRUE(Exited(r, 0)) << Describe(r);
  EXPECT_TRUE(Contains(r.stdout_text, "[200]")) << r.stdout_text;
  EXPECT_EQ(connect.New(), 1u) << SquidLog();
}

TEST_F(CliTlsProxyTest, NoProxyAndEmptyProxyBypassTheEnvironment) {
  // A proxy that refuses every connection: using it would fail with 7.
  Env dead = {{"https_proxy", "http://127.0.0.1:1"}, {"http_proxy", "http://127.0.0.1:1"}};
  RunResult through = RunCli({"-sS", "--cacert", Ca(), Https(main_port_)}, dead);
  ASSERT_TRUE(Exited(through, 7)) << Describe(through);

  Env dead_but_exempt = dead;
  dead_but_exempt.emplace_back("no_proxy", "localhost,127.0.0.1");
  RunResult exempt = RunCli({"-sS", "--cacert", Ca(), "-w", "[%{http_connect}]", Https(main_port_)}, dead_but_exempt);
  ASSERT_TRUE(Exited(exempt, 0)) << Describe(exempt);
  EXPECT_TRUE(Contains(exempt.stdout_text, "tls ok")) << exempt.stdout_text;
  EXPECT_TRUE(Contains(exempt.stdout_text, "[000]")) << exempt.stdout_text;

  RunResult noproxy = RunCli({"-sS", "--noproxy", "127.0.0.1", "--cacert", Ca(), Https(main_port_)}, dead);
  EXPECT_TRUE(Exited(noproxy, 0)) << Describe(noproxy);

  RunResult off = RunCli({"-sS", "-x", "", plain_->Url("/hello.txt")}, dead);
  ASSERT_TRUE(Exited(off, 0)) << Describe(off);
  EXPECT_EQ(off.stdout_text, "hello over http\n");

  // -x wins over the environment, --noproxy over no_proxy.
  SquidCounter get(squid_, "GET " + plain_->Url("/x-wins.txt"));
  RunResult explicit_proxy =
      RunCli({"-sS", "-x", SquidUrl(), "--noproxy", "", plain_->Url("/x-wins.txt")}, dead_but_exempt);
  ASSERT_TRUE(Exited(explicit_proxy, 0)) << Describe(explicit_proxy);
  EXPECT_EQ(get.New(), 1u) << SquidLog();
}

}  // namespace
}  // namespace strata::test
