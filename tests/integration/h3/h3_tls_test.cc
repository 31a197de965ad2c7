// The h3 layer's TLS against a real QUIC server (gtlsserver, the ngtcp2
// example server on GnuTLS): it reports its handshake as the tls layer does
// (app-connect time, handshake policies such as --pinnedpubkey).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/gtlsserver_fixture.h"
#include "tests/support/process.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using std::chrono::seconds;

constexpr char kSmall[] = "hello over QUIC\n";

RunResult RunStrata(const std::vector<std::string>& args, seconds timeout = seconds(60)) {
  ProcessOptions o;
  o.argv = {RunfilePath("tools/strata")};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = {{"HOME", TestTmpDir()}};
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    o.env.emplace_back(name, "");
  }
  RunResult r = RunProcess(o, timeout);
  EXPECT_EQ(r.start_error, "");
  EXPECT_FALSE(r.exit.timed_out) << "strata did not finish in time";
  return r;
}

class H3TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TestPki();
    std::string error;
    ASSERT_TRUE(pki_->MakeCa("ca", &error)) << error;
    ASSERT_TRUE(pki_->MakeCa("other-ca", &error)) << error;
    ASSERT_TRUE(pki_->MakeLocalhostLeaf("ca", &error)) << error;
    htdocs_ = new std::string(MakeTempDir("htdocs"));
    WriteFileOrDie(*htdocs_ + "/small.txt", kSmall);
    // The server's public key, for --pinnedpubkey (curl takes a PEM file).
    key_file_ = new std::string(MakeTempDir("pin") + "/pub.pem");
    ProcessOptions sh;
    sh.argv = {"/bin/sh", "-c", "openssl x509 -in '" + pki_->Cert("localhost") + "' -pubkey -noout > '" + *key_file_ + "'"};
    sh.env = {{"PATH", "/usr/bin:/bin"}};
    RunResult r = RunProcess(sh, seconds(30));
    ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << r.stderr_text;
    server_ = new GtlsServer();
    ASSERT_TRUE(server_->Start(*htdocs_, pki_->Cert("localhost"), pki_->Key("localhost"), &error)) << error;
  }
  static void TearDownTestSuite() {
    delete server_;
    delete pki_;
    delete htdocs_;
    delete key_file_;
  }

  static std::string Url(const std::string& path) {
    return "https://localhost:" + std::to_string(server_->port()) + path;
  }
  static std::string Ca() { return pki_->Cert("ca"); }

  static TestPki* pki_;
  static std::string* htdocs_;
  static std::string* key_file_;
  static GtlsServer* server_;
};

TestPki* H3TlsTest::pki_ = nullptr;
std::string* H3TlsTest::htdocs_ = nullptr;
std::string* H3TlsTest::key_file_ = nullptr;
GtlsServer* H3TlsTest::server_ = nullptr;

// --- the layer reports its TLS --------------------------------------------------

TEST_F(H3TlsTest, AppConnectTimeIsSetAndAPinPolicyPasses) {
  // --pinnedpubkey is a handshake policy: it refuses an https hop whose
  // chain has no layer flagged secure, so passing it shows h3 is one.
  RunResult r = RunStrata({"--http3-only", "--cacert", Ca(), "--pinnedpubkey", *key_file_, "-s", "-S", "-o",
                           "/dev/null", "-w", "%{time_connect} %{time_appconnect} %{http_version}", Url("/small.txt")});
  ASSERT_EQ(r.exit.exit_code, 0) << r.stderr_text << server_->Log();
  double connect = -1, appconnect = -1;
  char version[8] = {0};
  ASSERT_EQ(std::sscanf(r.stdout_text.c_str(), "%lf %lf %7s", &connect, &appconnect, version), 3) << r.stdout_text;
  EXPECT_GT(appconnect, 0.0) << r.stdout_text;
  EXPECT_GE(appconnect, connect) << r.stdout_text;
  EXPECT_EQ(std::string(version), "3");
}

TEST_F(H3TlsTest, AWrongPinRefusesTheH3HopWithExit90) {
  RunResult r = RunStrata({"--http3-only", "--cacert", Ca(), "--pinnedpubkey",
                           "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "-s", "-S", "-o", "/dev/null",
                           Url("/small.txt")});
  EXPECT_EQ(r.exit.exit_code, 90) << r.stderr_text;
  EXPECT_EQ(r.stderr_text.find("no layer to the origin flagged"), std::string::npos) << r.stderr_text;
}

TEST_F(H3TlsTest, TheCApiSeesTheHandshakeFacts) {
  RuntimeResult rt = MakeRuntime("{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "]}");
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchSpec spec;
  spec.url = Url("/small.txt");
  spec.int_options = {{STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_3_ONLY}};
  spec.string_options = {{STRATA_OPT_LAYER_OPTIONS, "{\"h3\": {\"ca_file\": " + JsonString(Ca()) + "}}"}};
  FetchResult r = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), kSmall);
  EXPECT_GT(r.info(STRATA_INFO_TIME_APPCONNECT_US), 0);
  EXPECT_GE(r.info(STRATA_INFO_TIME_APPCONNECT_US), r.info(STRATA_INFO_TIME_TCP_CONNECT_US)) << "curl's time_connect: the udp layer";
}

}  // namespace
}  // namespace strata::test
