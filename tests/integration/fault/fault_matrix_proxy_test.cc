// The fault matrix through an HTTP CONNECT proxy (squid) to nginx over TLS:
// the fault layer just above tcp (it sees the CONNECT exchange, then the
// TLS records), and between the tunnel and tls (an explicit
// "https+h1+proxy" template), where it breaks only the proxy's leg to the
// origin as the client's TLS sees it.
#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/fault/fault_matrix.h"
#include "tests/integration/fault/matrix_peers.h"
#include "tests/support/proxy_fixture.h"

namespace strata::test {
namespace {

class FaultMatrixProxy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    peers_ = new MatrixPeers();
    squid_ = new SquidFixture();
    std::string e;
    started_ = peers_->Start("tls", &e) && squid_->Start(&e);
    start_error_ = e;
  }
  static void TearDownTestSuite() {
    delete squid_;
    squid_ = nullptr;
    delete peers_;
    peers_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(started_) << start_error_; }

  static std::string Proxy() { return "http://127.0.0.1:" + std::to_string(squid_->port()); }
  static std::string Url() { return "https://localhost:" + std::to_string(peers_->tls_h1_port()) + "/body.bin"; }

  static MatrixPeers* peers_;
  static SquidFixture* squid_;
  static bool started_;
  static std::string start_error_;
};

MatrixPeers* FaultMatrixProxy::peers_ = nullptr;
SquidFixture* FaultMatrixProxy::squid_ = nullptr;
bool FaultMatrixProxy::started_ = false;
std::string FaultMatrixProxy::start_error_;

TEST_F(FaultMatrixProxy, ConnectTlsHttp1AboveTcp) {
  Route r;
  r.name = "connect-tls-h1/above-tcp";
  r.config = peers_->Config();
  r.url = Url();
  r.http_version = STRATA_HTTP_VERSION_1_1;
  r.proxy = Proxy();
  r.insert_above_bottom = true;
  r.chain = {"tcp", "fault", "connect-tunnel", "tls", "h1"};
  r.fault_label = "proxy:fault";  // on the proxy's leg
  r.above = {"connect-tunnel", "tls", "h1"};
  r.corrupt_detectable = "5:1";  // the proxy's "HTTP/1.1 200" reply
  RunMatrix(r, peers_->body());
}

TEST_F(FaultMatrixProxy, ConnectTlsHttp1BetweenTunnelAndTls) {
  Route r;
  r.name = "connect-tls-h1/tunnel-tls";
  // The runtime's own template for https (1.1) through a CONNECT proxy,
  // written out with the fault layer in it.
  r.config = peers_->Config("\"https+h1+proxy\": [\"tcp\", \"connect-tunnel\", \"fault\", " +
                            peers_->Tls(R"(["http/1.1"])") + ", \"h1\"]");
  r.url = Url();
  r.http_version = STRATA_HTTP_VERSION_1_1;
  r.proxy = Proxy();
  r.chain = {"tcp", "connect-tunnel", "fault", "tls", "h1"};
  r.above = {"tls", "h1"};
  r.corrupt_detectable = "20000:1";  // a TLS record of the body
  RunMatrix(r, peers_->body());
}

}  // namespace
}  // namespace strata::test
