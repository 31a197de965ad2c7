// The fault matrix against real peers started here: nginx (plain HTTP/1.1;
// TLS with HTTP/1.1 and with h2 by ALPN) and nghttpd (cleartext h2, prior
// knowledge), with the fault layer just above tcp (STRATA_OPT_LAYER_ABOVE_
// BOTTOM, as `strata --fault` puts it) and above tls, below the session (a
// template naming "fault"). The cells are in fault_matrix.h; the CONNECT
// routes are in fault_matrix_proxy_test.cc (squid needs no-sandbox).
#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/fault/fault_matrix.h"
#include "tests/integration/fault/matrix_peers.h"

namespace strata::test {
namespace {

class FaultMatrix : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    peers_ = new MatrixPeers();
    std::string e;
    started_ = peers_->Start("h1 tls h2c", &e);
    start_error_ = e;
  }
  static void TearDownTestSuite() {
    delete peers_;
    peers_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(started_) << start_error_; }

  static std::string Url(const std::string& scheme, const std::string& host, uint16_t port) {
    return scheme + "://" + host + ":" + std::to_string(port) + "/body.bin";
  }
  // A config with the templates that put the fault layer above tls.
  static std::string AboveTlsConfig() {
    return peers_->Config("\"tls-fault-h1\": [\"tcp\", " + peers_->Tls(R"(["http/1.1"])") +
                          ", \"fault\", \"h1\"], \"tls-fault-h2\": [\"tcp\", " + peers_->Tls(R"(["h2"])") +
                          ", \"fault\", \"h2-alpn\"]");
  }

  static MatrixPeers* peers_;
  static bool started_;
  static std::string start_error_;
};

MatrixPeers* FaultMatrix::peers_ = nullptr;
bool FaultMatrix::started_ = false;
std::string FaultMatrix::start_error_;

TEST_F(FaultMatrix, PlainHttp1AboveTcp) {
  Route r;
  r.name = "plain-h1/above-tcp";
  r.config = peers_->Config();
  r.url = Url("http", "127.0.0.1", peers_->h1_port());
  r.insert_above_bottom = true;
  r.chain = {"tcp", "fault", "h1"};
  r.above = {"h1"};
  r.plaintext_http = true;
  r.corrupt_detectable = "5:1";  // "HTTP/1.1" → "HTTP/\xce.1"
  RunMatrix(r, peers_->body());
}

TEST_F(FaultMatrix, CleartextHttp2AboveTcp) {
  Route r;
  r.name = "h2c/above-tcp";
  r.config = peers_->Config();
  r.url = Url("http", "127.0.0.1", peers_->h2c_port());
  r.http_version = STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
  r.insert_above_bottom = true;
  r.chain = {"tcp", "fault", "h2"};
  r.above = {"h2-alpn"};
  r.plaintext_http = true;
  r.corrupt_detectable = "0:1";  // the length of the server's first frame
  RunMatrix(r, peers_->body());
}

TEST_F(FaultMatrix, TlsHttp1AboveTcp) {
  Route r;
  r.name = "tls-h1/above-tcp";
  r.config = peers_->Config();
  r.url = Url("https", "localhost", peers_->tls_h1_port());
  r.http_version = STRATA_HTTP_VERSION_1_1;
  r.insert_above_bottom = true;
  r.chain = {"tcp", "fault", "tls", "h1"};
  r.above = {"tls", "h1"};
  r.corrupt_detectable = "20000:1";  // a TLS record of the body
  RunMatrix(r, peers_->body());
}

TEST_F(FaultMatrix, TlsHttp1AboveTls) {
  Route r;
  r.name = "tls-h1/above-tls";
  r.config = AboveTlsConfig();
  r.url = Url("https", "localhost", peers_->tls_h1_port());
  r.pipeline = "tls-fault-h1";
  r.chain = {"tcp", "tls", "fault", "h1"};
  r.above = {"h1"};
  r.plaintext_http = true;
  r.corrupt_detectable = "5:1";
  RunMatrix(r, peers_->body());
}

TEST_F(FaultMatrix, TlsHttp2AboveTcp) {
  Route r;
  r.name = "tls-h2/above-tcp";
  r.config = peers_->Config();
  r.url = Url("https", "localhost", peers_->tls_h2_port());
  r.insert_above_bottom = true;
  r.chain = {"tcp", "fault", "tls", "h2"};
  r.above = {"tls", "h2-alpn"};
  r.corrupt_detectable = "20000:1";
  RunMatrix(r, peers_->body());
}

TEST_F(FaultMatrix, TlsHttp2AboveTls) {
  Route r;
  r.name = "tls-h2/above-tls";
  r.config = AboveTlsConfig();
  r.url = Url("https", "localhost", peers_->tls_h2_port());
  r.pipeline = "tls-fault-h2";
  r.chain = {"tcp", "tls", "fault", "h2"};
  r.above = {"h2-alpn"};
  r.plaintext_http = true;
  r.corrupt_detectable = "0:1";  // an h2 frame header: its length
  RunMatrix(r, peers_->body());
}

}  // namespace
}  // namespace strata::test
