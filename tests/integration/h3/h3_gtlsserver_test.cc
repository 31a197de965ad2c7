// HTTP/3 against a real QUIC server: the ngtcp2 example server (Debian's
// ngtcp2-server, gtlsserver, on GnuTLS) serves files over QUIC v1 on
// 127.0.0.1 with a certificate from a throw-away CA, and the strata CLI
// fetches them with --http3-only (the udp → h3 pipeline). curl 7.88 here
// has no HTTP/3, so behaviour follows curl's documentation: --http3-only
// never falls back to TCP, and failures use curl's exit codes (7: nothing
// listens, 28: timeout, 60: certificate not verified).
//
// Hostile peers: a UDP port nobody listens on, one that swallows every
// datagram, and one that answers each datagram with garbage.
//
// The udp layer uses GSO and GRO where the kernel has them (the default);
// h3_gtlsserver_no_offloads_test builds this file with
// STRATA_TEST_UDP_OFFLOADS_OFF and runs the H3Test cases again with both
// turned off (udp options gso and gro false, through --config).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/free_port.h"
#include "tests/support/gtlsserver_fixture.h"
#include "tests/support/process.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"
#include "tests/support/side_by_side.h"

namespace strata::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kSmall[] = "hello over QUIC\n";

#ifdef STRATA_TEST_UDP_OFFLOADS_OFF
constexpr bool kOffloads = false;
#else
constexpr bool kOffloads = true;
#endif

// OffloadsOffConfig is a --config whose https+h3 chain has GSO and GRO off.
const std::string& OffloadsOffConfig() {
  static const std::string* path = [] {
    auto* p = new std::string(MakeTempDir("offloads") + "/h3.json");
    WriteFileOrDie(*p, R"({"pipelines": {"https+h3": [{"layer": "udp", "options": {"gso": false, "gro": false}}, "h3"]}})");
    return p;
  }();
  return *path;
}

RunResult RunStrata(const std::vector<std::string>& args, seconds timeout = seconds(120)) {
  std::vector<std::string> argv;
  if (!kOffloads && std::find(args.begin(), args.end(), "--config") == args.end()) {
    argv = {"--config", OffloadsOffConfig()};
  }
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = RunCli(true, argv, "", timeout);
  EXPECT_EQ(r.start_error, "");
  EXPECT_FALSE(r.exit.timed_out) << "strata did not finish in time";
  return r;
}

// One CA, a localhost leaf, an htdocs with a small and a 64 MiB file, and
// gtlsserver serving them: shared by every test (starting it is cheap, the
// 64 MiB file is not).
class H3Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TestPki();
    std::string error;
    ASSERT_TRUE(pki_->MakeCa("ca", &error)) << error;
    ASSERT_TRUE(pki_->MakeLocalhostLeaf("ca", &error)) << error;
    htdocs_ = new std::string(MakeTempDir("htdocs"));
    WriteFileOrDie(*htdocs_ + "/small.txt", kSmall);
    std::string big(64u << 20, '\0');
    std::mt19937_64 rng(19);
    for (size_t i = 0; i + 8 <= big.size(); i += 8) {
      uint64_t v = rng();
      std::memcpy(&big[i], &v, 8);
    }
    WriteFileOrDie(*htdocs_ + "/big.bin", big);
    WriteFileOrDie(*htdocs_ + "/body.bin", big.substr(0, 1u << 20));
    server_ = new GtlsServer();
    ASSERT_TRUE(server_->Start(*htdocs_, pki_->Cert("localhost"), pki_->Key("localhost"), &error)) << error;
  }
  static void TearDownTestSuite() {
    delete server_;
    delete pki_;
    delete htdocs_;
  }

  std::string Url(const std::string& path) const {
    return "https://localhost:" + std::to_string(server_->port()) + path;
  }
  std::string Ca() const { return pki_->Cert("ca"); }

  static TestPki* pki_;
  static std::string* htdocs_;
  static GtlsServer* server_;
};

TestPki* H3Test::pki_ = nullptr;
std::string* H3Test::htdocs_ = nullptr;
GtlsServer* H3Test::server_ = nullptr;

TEST_F(H3Test, Http3OnlyGetsASmallFileWithTheCaFile) {
  RunResult r = RunStrata({"--http3-only", "--cacert", Ca(), "-s", "-w", "%{http_version} %{http_code}",
                           Url("/small.txt")});
  EXPECT_EQ(r.exit.exit_code, 0) << r.stderr_text << server_->Log();
  EXPECT_EQ(r.stdout_text, std::string(kSmall) + "3 200");
}

TEST_F(H3Test, VerboseTraceShowsTheQuicChain) {
  RunResult r = RunStrata({"--http3-only", "--cacert", Ca(), "-v", "-o", "/dev/null", Url("/small.txt")});
  EXPECT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("udp(127.0.0.1:" + std::to_string(server_->port()) + ") → h3(QUIC v1, TLSv1.3)"),
            std::string::npos)
      << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("> GET /small.txt HTTP/3"), std::string::npos) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("< HTTP/3 200"), std::string::npos) << r.stderr_text;
  // The udp layer says whether it batches: on where the kernel has it
  // (Linux >= 5.0 for both), off when the configuration says so.
  EXPECT_NE(r.stderr_text.find(kOffloads ? "(GSO on, GRO on)" : "(GSO off, GRO off)"), std::string::npos)
      << r.stderr_text;
}

// The GSO control is ABI 1.3. Between udp and h3, the plain-C pass-through
// plugin built against the frozen 1.0 headers would forward it to udp (its
// control hook passes everything down); the runtime answers for it instead,
// so h3 says it sends one datagram per call. Built against today's headers,
// the same plugin passes the control to udp, which takes the batches.
TEST_F(H3Test, GsoIsNeverAskedOfAPluginBuiltBeforeAbi13) {
  if (!kOffloads) GTEST_SKIP() << "GSO is off in this variant";
  for (const char* plugin : {"strata-c-passthrough-abi-1-0.so", "strata-c-passthrough.so"}) {
    const std::string config = MakeTempDir("cfg") + "/h3.json";
    WriteFileOrDie(config, R"({"plugins": ["tcp", "tls", "h1", "h2-alpn", "udp", "h3", {"path": )" +
                               JsonString(RunfilePath(std::string("tests/abi/c_plugin/") + plugin)) +
                               R"(}], "pipelines": {"https+h3": ["udp", "c-passthrough", "h3"]}})");
    // A 1 MiB body: ngtcp2 writes runs of full-sized packets, which h3
    // would batch.
    RunResult r = RunStrata({"--config", config, "--http3-only", "--cacert", Ca(), "-v", "-o", "/dev/null", "--data-binary",
                             "@" + *htdocs_ + "/body.bin", Url("/small.txt")});
    ASSERT_EQ(r.exit.exit_code, 0) << plugin << "\n" << r.stderr_text;
    EXPECT_NE(r.stderr_text.find("c-passthrough(sent="), std::string::npos) << r.stderr_text;
    const bool old = std::string(plugin).find("abi-1-0") != std::string::npos;
    EXPECT_EQ(r.stderr_text.find("one datagram per send (no GSO batches)") != std::string::npos, old)
        << plugin << "\n" << r.stderr_text;
  }
}

TEST_F(H3Test, A64MiBDownloadIsByteIdentical) {
  const std::string out = MakeTempDir("big") + "/big.bin";
  RunResult r = RunStrata({"--http3-only", "--cacert", Ca(), "-s", "-o", out, "-w", "%{size_download}",
                           Url("/big.bin")});
  ASSERT_EQ(r.exit.exit_code, 0) << r.stderr_text << server_->Log();
  EXPECT_EQ(r.stdout_text, std::to_string(64u << 20));
  // Compare without gtest printing 64 MiB on a mismatch.
  EXPECT_TRUE(ReadFileOrDie(out) == ReadFileOrDie(*htdocs_ + "/big.bin")) << "the download differs";
}

TEST_F(H3Test, AThousandRequestsShareOneQuicConnection) {
  std::vector<std::string> args = {"--http3-only", "--cacert", Ca(), "-s", "-w", "#%{num_connects} %{http_version}\n"};
  for (int i = 0; i < 1000; ++i) args.push_back(Url("/small.txt"));
  RunResult r = RunStrata(args);
  ASSERT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  int connects = 0, lines = 0, h3 = 0;
  for (size_t at = r.stdout_text.find('#'); at != std::string::npos; at = r.stdout_text.find('#', at + 1)) {
    ++lines;
    connects += r.stdout_text[at + 1] - '0';
    if (r.stdout_text.compare(at + 3, 1, "3") == 0) ++h3;
  }
  EXPECT_EQ(lines, 1000);
  EXPECT_EQ(h3, 1000);
  EXPECT_EQ(connects, 1) << "every request after the first must reuse the QUIC connection";
}

TEST_F(H3Test, ParallelTransfersAreStreamsOfOneConnection) {
  std::vector<std::string> args = {"-Z", "--http3-only", "--cacert", Ca(), "-s", "-w",
                                   "#%{num_connects} %{size_download}\n"};
  for (int i = 0; i < 50; ++i) {
    args.insert(args.end(), {"-o", "/dev/null", Url("/small.txt")});
  }
  RunResult r = RunStrata(args);
  ASSERT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  int connects = 0, lines = 0;
  for (size_t at = r.stdout_text.find('#'); at != std::string::npos; at = r.stdout_text.find('#', at + 1)) {
    ++lines;
    connects += r.stdout_text[at + 1] - '0';
  }
  EXPECT_EQ(lines, 50);
  EXPECT_EQ(connects, 1);
}

TEST_F(H3Test, ASelfSignedServerWithoutTheCaFileIsRefused) {
  RunResult r = RunStrata({"--http3-only", "-s", "-S", Url("/small.txt")}, seconds(30));
  EXPECT_EQ(r.exit.exit_code, 60) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "");
  EXPECT_NE(r.stderr_text.find("certificate verify failed"), std::string::npos) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("CRYPTO_ERROR 0x130 (TLS alert unknown_ca)"), std::string::npos) << r.stderr_text;
}

TEST_F(H3Test, AWrongHostNameIsRefused) {
  // 127.0.0.2 is not in the certificate (localhost and 127.0.0.1 are).
  RunResult r = RunStrata({"--http3-only", "--cacert", Ca(), "-s", "-S", "--resolve",
                           "other.test:" + std::to_string(server_->port()) + ":127.0.0.1",
                           "https://other.test:" + std::to_string(server_->port()) + "/small.txt"},
                          seconds(30));
  EXPECT_EQ(r.exit.exit_code, 60) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("host name mismatch"), std::string::npos) << r.stderr_text;
}

TEST_F(H3Test, InsecureSkipsVerification) {
  RunResult r = RunStrata({"--http3-only", "-k", "-s", Url("/small.txt")});
  EXPECT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, kSmall);
}

TEST_F(H3Test, ARequestBodyIsSent) {
  RunResult r = RunStrata({"--http3-only", "--cacert", Ca(), "-s", "-d", "a=1&b=2", "-w", "%{http_code} %{size_upload}",
                           Url("/small.txt")});
  EXPECT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, std::string(kSmall) + "200 7");
}

TEST_F(H3Test, LocalPortBindsTheUdpSocket) {
  const uint16_t local = FreePort();
  RunResult r = RunStrata({"--http3-only", "--cacert", Ca(), "-s", "-o", "/dev/null", "--local-port",
                           std::to_string(local), "-w", "%{local_port} %{http_version}", Url("/small.txt")});
  EXPECT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, std::to_string(local) + " 3");
}

TEST_F(H3Test, AMissingFileIsA404) {
  RunResult r = RunStrata({"--http3-only", "--cacert", Ca(), "-s", "-o", "/dev/null", "-w", "%{http_code}",
                           Url("/nope")});
  EXPECT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "404");
}

TEST_F(H3Test, Http3OnlyRefusesAProxy) {
  RunResult r = RunStrata({"--http3-only", "--cacert", Ca(), "-s", "-S", "-x", "http://127.0.0.1:9", Url("/small.txt")},
                          seconds(30));
  EXPECT_NE(r.exit.exit_code, 0);
  EXPECT_NE(r.stderr_text.find("cannot go through a proxy"), std::string::npos) << r.stderr_text;
}

TEST_F(H3Test, TheCApiAsksForHttp3WithTheHttpVersionOption) {
  RuntimeResult rt = MakeRuntime("{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "]}");
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchSpec spec;
  spec.url = Url("/small.txt");
  spec.int_options = {{STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_3_ONLY}};
  spec.string_options = {{STRATA_OPT_LAYER_OPTIONS, "{\"h3\": {\"ca_file\": " + JsonString(Ca()) + "}}"}};
  for (int i = 0; i < 3; ++i) {
    FetchResult r = Fetch(rt.runtime.get(), spec);
    ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
    EXPECT_EQ(r.body(), kSmall);
    EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 30);
    EXPECT_EQ(strata_response_http_version(r.response.get()), 30);
    EXPECT_EQ(r.info(STRATA_INFO_NUM_CONNECTS), i == 0 ? 1 : 0) << "fetch " << i;
    const char* chain = nullptr;
    ASSERT_EQ(strata_response_info_string(r.response.get(), STRATA_INFO_STR_CHAIN, &chain), STRATA_OK);
    EXPECT_NE(std::string(chain).find("h3(QUIC v1"), std::string::npos) << chain;
  }
  // Without the CA, the same request is refused by verification.
  spec.string_options.clear();
  FetchResult refused = Fetch(rt.runtime.get(), spec);
  EXPECT_EQ(refused.status, STRATA_E_TLS_VERIFY) << refused.Describe();
}

TEST_F(H3Test, AConnectionPastItsIdleTimeoutIsNotReused) {
  // QUIC's idle timeout ends a pooled connection without a packet; the pool
  // must not hand it out again. 1.5 s: the connection counts as expired a
  // second before its idle timeout.
  RuntimeResult rt = MakeRuntime("{\"plugin_dirs\": [" + JsonString(DistPluginDir()) +
                                 "], \"pipelines\": {\"https+h3\": [\"udp\", {\"layer\": \"h3\", \"options\": "
                                 "{\"idle_timeout_ms\": 1500}}]}}");
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchSpec spec;
  spec.url = Url("/small.txt");
  spec.int_options = {{STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_3_ONLY}};
  spec.string_options = {{STRATA_OPT_LAYER_OPTIONS, "{\"h3\": {\"ca_file\": " + JsonString(Ca()) + "}}"}};
  FetchResult first = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(first.status, STRATA_OK) << first.Describe();
  FetchResult at_once = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(at_once.status, STRATA_OK) << at_once.Describe();
  EXPECT_EQ(at_once.info(STRATA_INFO_NUM_CONNECTS), 0);
  std::this_thread::sleep_for(milliseconds(1700));
  FetchResult later = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(later.status, STRATA_OK) << later.Describe();
  EXPECT_EQ(later.body(), kSmall);
  EXPECT_EQ(later.info(STRATA_INFO_NUM_CONNECTS), 1) << "a new connection, not the expired one";
}

// A failed or timed-out exchange ends its stream only: the QUIC connection
// carries the next request (as on HTTP/2; an HTTP/1 connection would be
// closed). The 64 MiB download cannot fit in 1 MiB, nor in 30 ms.
TEST_F(H3Test, AFailedStreamLeavesTheConnectionForTheNextRequest) {
  RuntimeResult rt = MakeRuntime("{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "]}");
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchSpec small;
  small.url = Url("/small.txt");
  small.int_options = {{STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_3_ONLY}};
  small.string_options = {{STRATA_OPT_LAYER_OPTIONS, "{\"h3\": {\"ca_file\": " + JsonString(Ca()) + "}}"}};
  FetchResult first = Fetch(rt.runtime.get(), small);
  ASSERT_EQ(first.status, STRATA_OK) << first.Describe();
  EXPECT_EQ(first.info(STRATA_INFO_NUM_CONNECTS), 1);

  FetchSpec limited = small;
  limited.url = Url("/big.bin");
  limited.int_options.push_back({STRATA_OPT_MAX_BODY_BYTES, 1 << 20});
  FetchResult over = Fetch(rt.runtime.get(), limited);
  EXPECT_EQ(over.status, STRATA_E_LIMIT) << over.Describe();
  FetchResult after_limit = Fetch(rt.runtime.get(), small);
  ASSERT_EQ(after_limit.status, STRATA_OK) << after_limit.Describe();
  EXPECT_EQ(after_limit.body(), kSmall);
  EXPECT_EQ(after_limit.info(STRATA_INFO_NUM_CONNECTS), 0) << "the stream failed, not the connection";

  FetchSpec hurried = small;
  hurried.url = Url("/big.bin");
  hurried.int_options.push_back({STRATA_OPT_TIMEOUT_MS, 30});
  FetchResult late = Fetch(rt.runtime.get(), hurried);
  EXPECT_EQ(late.status, STRATA_E_TIMEOUT) << late.Describe();
  FetchResult after_timeout = Fetch(rt.runtime.get(), small);
  ASSERT_EQ(after_timeout.status, STRATA_OK) << after_timeout.Describe();
  EXPECT_EQ(after_timeout.body(), kSmall);
  EXPECT_EQ(after_timeout.info(STRATA_INFO_NUM_CONNECTS), 0) << "the timed-out stream was cancelled, the connection kept";
}

// --- hostile peers ------------------------------------------------------------

TEST(H3HostileTest, NoServerOnThePortFailsAtOnceWithExit7) {
  const uint16_t port = FreePort();  // nothing binds it: ICMP port unreachable
  const auto start = std::chrono::steady_clock::now();
  RunResult r = RunStrata({"--http3-only", "-k", "-s", "-S", "https://127.0.0.1:" + std::to_string(port) + "/"},
                          seconds(30));
  EXPECT_EQ(r.exit.exit_code, 7) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("ICMP port unreachable"), std::string::npos) << r.stderr_text;
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(5));
}

// UdpPeer holds a UDP port on 127.0.0.1 and, when |garbage| is set, answers
// every datagram with random bytes (some shaped like QUIC long headers).
class UdpPeer {
 public:
  explicit UdpPeer(bool garbage) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    timeval tv{0, 100000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    thread_ = std::thread([this, garbage] { Run(garbage); });
  }
  ~UdpPeer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  int received() const { return received_; }

 private:
  void Run(bool garbage) {
    std::mt19937 rng(7);
    uint8_t buf[65536];
    while (!stop_) {
      sockaddr_in from{};
      socklen_t len = sizeof(from);
      ssize_t n = recvfrom(fd_, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0) continue;
      ++received_;
      if (!garbage) continue;
      for (int i = 0; i < 3; ++i) {
        std::vector<uint8_t> out(1 + rng() % 1400);
        for (uint8_t& b : out) b = static_cast<uint8_t>(rng());
        if (i == 0) {
          // A long header, QUIC v1, with made-up connection IDs.
          out.resize(std::max<size_t>(out.size(), 64));
          out[0] = 0xc0;
          out[1] = 0; out[2] = 0; out[3] = 0; out[4] = 1;
          out[5] = 8;
        }
        sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
      }
    }
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> received_{0};
  std::thread thread_;
};

TEST(H3HostileTest, ASilentUdpPeerTimesOutWithExit28) {
  UdpPeer peer(false);
  const auto start = std::chrono::steady_clock::now();
  RunResult r = RunStrata({"--http3-only", "-k", "-s", "-S", "--connect-timeout", "2",
                           "https://127.0.0.1:" + std::to_string(peer.port()) + "/"},
                          seconds(30));
  EXPECT_EQ(r.exit.exit_code, 28) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("timed out"), std::string::npos) << r.stderr_text;
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(6));
  EXPECT_GT(peer.received(), 0);
}

TEST(H3HostileTest, TheHandshakeTimeoutNamesQuic) {
  UdpPeer peer(false);
  const std::string config = MakeTempDir("cfg") + "/h3.json";
  WriteFileOrDie(config, R"({"pipelines": {"https+h3": ["udp", {"layer": "h3", "options": {"handshake_timeout_ms": 1000}}]}})");
  RunResult r = RunStrata({"--config", config, "--http3-only", "-k", "-s", "-S",
                           "https://127.0.0.1:" + std::to_string(peer.port()) + "/"},
                          seconds(30));
  EXPECT_EQ(r.exit.exit_code, 28) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("no handshake with 127.0.0.1:" + std::to_string(peer.port()) + " after 1000 ms"),
            std::string::npos)
      << r.stderr_text;
}

TEST(H3HostileTest, GarbageDatagramsAreDroppedAndTheHandshakeTimesOut) {
  UdpPeer peer(true);
  RunResult r = RunStrata({"--http3-only", "-k", "-s", "-S", "--connect-timeout", "2",
                           "https://127.0.0.1:" + std::to_string(peer.port()) + "/"},
                          seconds(30));
  EXPECT_EQ(r.exit.exit_code, 28) << r.stderr_text;
  EXPECT_TRUE(r.exit.exited) << "strata must not crash on garbage: " << r.exit.Describe();
  EXPECT_GT(peer.received(), 0);
}

}  // namespace
}  // namespace strata::test
