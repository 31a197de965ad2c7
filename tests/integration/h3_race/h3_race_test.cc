// HTTP/3 raced against TCP, end to end with the strata CLI:
//   - gtlsserver (QUIC, UDP) and nginx (TLS with h2, TCP) serve the same
//     files on the same port number; nginx advertises Alt-Svc: h3=":PORT".
//     With --alt-svc FILE the first request goes over h2 and records the
//     alternative, the second races h3 against TCP and h3 carries it
//     (-w %{http_version}, the race in -v).
//   - --http3 to a port with no QUIC server falls back to TCP: at once when
//     the UDP port refuses (ICMP), within the stagger when it is silent.
//   - An alternative whose QUIC fails is marked broken: the next request of
//     the same run goes straight to TCP.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/free_port.h"
#include "tests/support/gtlsserver_fixture.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"
#include "tests/support/side_by_side.h"

namespace strata::test {
namespace {

using std::chrono::seconds;

constexpr char kBody[] = "same file, two transports\n";

RunResult RunStrata(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"--max-time", "30"};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = RunCli(true, argv, "", seconds(60));
  EXPECT_EQ(r.start_error, "");
  EXPECT_FALSE(r.exit.timed_out) << "strata did not finish in time";
  return r;
}

std::string Describe(const RunResult& r) {
  return r.exit.Describe() + "\nstdout: " + r.stdout_text.substr(0, 2000) + "\nstderr: " + r.stderr_text.substr(0, 8000);
}

bool Ok(const RunResult& r) { return r.exit.exited && r.exit.exit_code == 0; }

// StartedAfterMs: the "started after N ms" of the race's trace line for
// |label|, -1 if absent.
int StartedAfterMs(const std::string& trace, const std::string& label) {
  std::smatch m;
  const std::regex re("\\(" + label + "\\) started after ([0-9]+) ms");
  return std::regex_search(trace, m, re) ? std::stoi(m[1]) : -1;
}

// A UDP socket bound on loopback that never reads: datagrams to it vanish
// without an ICMP error, like a firewalled QUIC port.
class SilentUdp {
 public:
  SilentUdp() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
      socklen_t len = sizeof(a);
      getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
      port_ = ntohs(a.sin_port);
    }
  }
  ~SilentUdp() {
    if (fd_ >= 0) close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

class H3RaceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    pki_ = new TestPki();
    ASSERT_TRUE(pki_->MakeCa("ca", &e) && pki_->MakeLocalhostLeaf("ca", &e)) << e;
    htdocs_ = new std::string(MakeTempDir("h3race-docs-"));
    WriteFileOrDie(*htdocs_ + "/file.txt", kBody);
    quic_ = new GtlsServer();
    ASSERT_TRUE(quic_->Start(*htdocs_, pki_->Cert("localhost"), pki_->Key("localhost"), &e)) << e;
    nginx_ = new TlsNginx();
    const std::string certs = "ssl_certificate \"" + pki_->Cert("localhost") + "\"; ssl_certificate_key \"" +
                              pki_->Key("localhost") + "\"; root \"" + *htdocs_ + "\";\n";
    // nginx 1.22 turns HTTP/2 on per listen socket and TlsNginx writes a
    // plain "ssl" listen line: each block listens on a spare port too.
    both_port_ = quic_->port();
    nginx_->AddServer("listen 127.0.0.1:" + std::to_string(both_port_) + " ssl http2; " + certs +
                      "add_header Alt-Svc 'h3=\":" + std::to_string(both_port_) + "\"; ma=3600' always;\n");
    tcp_only_port_ = FreePort();
    nginx_->AddServer("listen 127.0.0.1:" + std::to_string(tcp_only_port_) + " ssl http2; " + certs);
    ASSERT_TRUE(nginx_->Start(&e)) << e;
    for (int i = 0; i < 200 && !(PortAcceptsConnections(both_port_) && PortAcceptsConnections(tcp_only_port_)); ++i) {
      usleep(10000);
    }
  }
  static void TearDownTestSuite() {
    delete nginx_;
    delete quic_;
    delete pki_;
    delete htdocs_;
  }
  static std::string Url(uint16_t port) { return "https://localhost:" + std::to_string(port) + "/file.txt"; }
  static std::vector<std::string> Common() { return {"--cacert", pki_->Cert("ca"), "-w", "%{http_version}\\n"}; }

  static TestPki* pki_;
  static std::string* htdocs_;
  static GtlsServer* quic_;
  static TlsNginx* nginx_;
  static uint16_t both_port_, tcp_only_port_;
};

TestPki* H3RaceTest::pki_ = nullptr;
std::string* H3RaceTest::htdocs_ = nullptr;
GtlsServer* H3RaceTest::quic_ = nullptr;
TlsNginx* H3RaceTest::nginx_ = nullptr;
uint16_t H3RaceTest::both_port_ = 0;
uint16_t H3RaceTest::tcp_only_port_ = 0;

TEST_F(H3RaceTest, FirstRequestOverH2RecordsTheAlternativeSecondGoesOverH3) {
  const std::string file = MakeTempDir("h3race-") + "/alt-svc.txt";
  std::vector<std::string> args = Common();
  for (std::string a : {"-v", "--alt-svc", file.c_str()}) args.push_back(a);
  args.push_back(Url(both_port_));
  RunResult first = RunStrata(args);
  ASSERT_TRUE(Ok(first)) << Describe(first);
  EXPECT_EQ(first.stdout_text, std::string(kBody) + "2\n") << Describe(first);
  EXPECT_NE(first.stderr_text.find("Added alt-svc: localhost:" + std::to_string(both_port_) + " over h3"),
            std::string::npos)
      << Describe(first);
  EXPECT_EQ(first.stderr_text.find("race"), std::string::npos) << Describe(first);
  EXPECT_NE(ReadFileOrDie(file).find("h2 localhost " + std::to_string(both_port_) + " h3 localhost " +
                                     std::to_string(both_port_) + " "),
            std::string::npos)
      << ReadFileOrDie(file);

  RunResult second = RunStrata(args);
  ASSERT_TRUE(Ok(second)) << Describe(second);
  EXPECT_EQ(second.stdout_text, std::string(kBody) + "3\n") << Describe(second);
  const std::string& trace = second.stderr_text;
  EXPECT_NE(trace.find("racing 2 ways to https://localhost:" + std::to_string(both_port_)), std::string::npos)
      << Describe(second);
  EXPECT_NE(trace.find("(h3 localhost:" + std::to_string(both_port_) + " (alt-svc)) won"), std::string::npos)
      << Describe(second);
  EXPECT_EQ(StartedAfterMs(trace, "h3 localhost:" + std::to_string(both_port_) + " \\(alt-svc\\)"), 0)
      << Describe(second);
}

TEST_F(H3RaceTest, Http3FallsBackToTcpAtOnceWhenTheUdpPortRefuses) {
  std::vector<std::string> args = Common();
  for (std::string a : {"-v", "--http3"}) args.push_back(a);
  args.push_back(Url(tcp_only_port_));
  const auto start = std::chrono::steady_clock::now();
  RunResult r = RunStrata(args);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(Ok(r)) << Describe(r);
  EXPECT_EQ(r.stdout_text, std::string(kBody) + "2\n") << Describe(r);
  EXPECT_NE(r.stderr_text.find("(h3 localhost:" + std::to_string(tcp_only_port_) + ") lost"), std::string::npos)
      << Describe(r);
  EXPECT_NE(r.stderr_text.find("(tcp) won"), std::string::npos) << Describe(r);
  // The refusal lets TCP start before its stagger is up.
  const int tcp_start = StartedAfterMs(r.stderr_text, "tcp");
  EXPECT_GE(tcp_start, 0) << Describe(r);
  EXPECT_LT(tcp_start, 200) << Describe(r);
  EXPECT_LT(ms, 5000) << Describe(r);
}

TEST_F(H3RaceTest, Http3FallsBackToTcpWithinTheStaggerWhenQuicIsSilent) {
  SilentUdp silent;
  ASSERT_NE(silent.port(), 0);
  // The alternative points at the silent UDP port; the TCP origin is nginx.
  const std::string file = MakeTempDir("h3race-silent-") + "/alt-svc.txt";
  WriteFileOrDie(file, "h2 localhost " + std::to_string(tcp_only_port_) + " h3 localhost " +
                           std::to_string(silent.port()) + " \"20991231 00:00:00\" 0 0\n");
  std::vector<std::string> args = Common();
  for (std::string a : {"-v", "--alt-svc", file.c_str()}) args.push_back(a);
  args.push_back(Url(tcp_only_port_));
  RunResult r = RunStrata(args);
  ASSERT_TRUE(Ok(r)) << Describe(r);
  EXPECT_EQ(r.stdout_text, std::string(kBody) + "2\n") << Describe(r);
  const int tcp_start = StartedAfterMs(r.stderr_text, "tcp");
  EXPECT_GE(tcp_start, 195) << Describe(r);   // the stagger, not earlier
  EXPECT_LT(tcp_start, 1000) << Describe(r);  // and not much later
  EXPECT_NE(r.stderr_text.find("still connecting"), std::string::npos) << Describe(r);
  EXPECT_NE(r.stderr_text.find("(tcp) won"), std::string::npos) << Describe(r);
}

TEST_F(H3RaceTest, AFailedAlternativeIsMarkedBrokenForTheNextRequest) {
  // A UDP port nobody listens on: QUIC to it fails at once.
  const uint16_t dead = FreePort();
  const std::string file = MakeTempDir("h3race-broken-") + "/alt-svc.txt";
  WriteFileOrDie(file, "h2 localhost " + std::to_string(tcp_only_port_) + " h3 localhost " + std::to_string(dead) +
                           " \"20991231 00:00:00\" 0 0\n");
  std::vector<std::string> args = Common();
  for (std::string a : {"-v", "--alt-svc", file.c_str()}) args.push_back(a);
  args.push_back(Url(tcp_only_port_));
  args.push_back(Url(tcp_only_port_));
  RunResult r = RunStrata(args);
  ASSERT_TRUE(Ok(r)) << Describe(r);
  EXPECT_EQ(r.stdout_text, std::string(kBody) + "2\n" + kBody + "2\n") << Describe(r);
  EXPECT_NE(r.stderr_text.find("h3 localhost:" + std::to_string(dead) + " marked broken for 300 s"), std::string::npos)
      << Describe(r);
  EXPECT_NE(r.stderr_text.find("h3 localhost:" + std::to_string(dead) + " (alt-svc) is marked broken"), std::string::npos)
      << Describe(r);
}

}  // namespace
}  // namespace strata::test
