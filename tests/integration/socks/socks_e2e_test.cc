// The socks plugin end to end through the public C API (//runtime/capi
// linked in, plugins from //tools:dist): pipelines tcp → socks → h1 and
// tcp → socks → tls → h2-alpn / h1, with the proxy set in the configuration
// so the runtime gives tcp the proxy's address and socks the origin's.
//
//   MicrosocksTest  a real SOCKS5 proxy (microsocks, with and without
//                   -u/-P) in front of nginx, plain and TLS (h2 by ALPN)
//   SocksPeerTest   socks_peer.py, a scripted proxy that reads the client's
//                   messages by their exact lengths, records them, and
//                   answers with hostile replies (microsocks has no SOCKS4,
//                   so SOCKS4a is tested here too)
#include <netdb.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/free_port.h"
#include "tests/support/microsocks_fixture.h"
#include "tests/support/process.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using namespace std::chrono_literals;

// LocalhostIsIpv6First: microsocks connects to the first address its
// resolver gives for a name; where that is ::1, nginx must listen there too.
bool LocalhostIsIpv6First() {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (getaddrinfo("localhost", "80", &hints, &list) != 0 || !list) return false;
  bool v6 = list->ai_family == AF_INET6;
  freeaddrinfo(list);
  return v6;
}

struct Peers {
  TestPki pki;
  TlsNginx nginx;
  uint16_t plain_port = 0;
  uint16_t tls_h1_port = 0;
  uint16_t h2_port = 0;
};

Peers* peers = nullptr;

std::string CaFile() { return peers->pki.Cert("ca"); }

// Config: the runtime with socks and a proxy at 127.0.0.1:|proxy_port|
// (|userinfo| "user:pass@" gives it credentials), and three pipelines whose
// socks layer has |socks_options| (a JSON object).
std::string Config(uint16_t proxy_port, const std::string& socks_options = "{}",
                   const std::string& userinfo = "") {
  std::string socks = "{\"layer\": \"socks\", \"options\": " + socks_options + "}";
  std::string ca = "\"ca_file\": " + JsonString(CaFile());
  return "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "],"
         " \"plugins\": [\"tcp\", \"tls\", \"h1\", \"h2-alpn\", \"socks\"],"
         " \"pipelines\": {"
         "  \"socks-http\": [\"tcp\", " + socks + ", \"h1\"],"
         "  \"socks-https\": [\"tcp\", " + socks + ", {\"layer\": \"tls\", \"options\": {" + ca +
         ", \"alpn\": [\"h2\", \"http/1.1\"]}}, \"h2-alpn\"],"
         "  \"socks-https-h1\": [\"tcp\", " + socks + ", {\"layer\": \"tls\", \"options\": {" + ca +
         "}}, \"h1\"]},"
         " \"proxy\": {\"url\": \"http://" + userinfo + "127.0.0.1:" + std::to_string(proxy_port) +
         "\", \"tunnel\": true, \"from_env\": false},"
         " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 10000,"
         " \"idle_ms\": 10000, \"total_ms\": 30000}}";
}

FetchResult Fetch(strata_runtime* rt, const std::string& url, const std::string& pipeline) {
  FetchSpec spec;
  spec.url = url;
  spec.string_options.push_back({STRATA_OPT_PIPELINE, pipeline});
  return strata::test::Fetch(rt, spec);
}

std::string PlainUrl(const std::string& host = "localhost") {
  return "http://" + host + ":" + std::to_string(peers->plain_port) + "/";
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

class SocksEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    peers = new Peers();
    std::string e;
    ASSERT_TRUE(peers->pki.MakeCa("ca", &e) && peers->pki.MakeLocalhostLeaf("ca", &e)) << e;
    std::string certs = "    ssl_certificate \"" + peers->pki.Cert("localhost") +
                        "\";\n    ssl_certificate_key \"" + peers->pki.Key("localhost") + "\";\n";
    std::string report =
        "    location / { return 200 \"proto=$server_protocol alpn=$ssl_alpn_protocol\\n\"; }\n";
    peers->tls_h1_port = peers->nginx.AddServer(certs + report);
    // nginx 1.22 turns on HTTP/2 per listen socket, and TlsNginx writes a
    // plain "ssl" listen line: the h2 and cleartext ports are extra listen
    // lines of blocks of their own.
    peers->h2_port = FreePort();
    peers->nginx.AddServer("    listen 127.0.0.1:" + std::to_string(peers->h2_port) +
                           " ssl http2;\n" + certs + report);
    peers->plain_port = FreePort();
    std::string plain = "    listen 127.0.0.1:" + std::to_string(peers->plain_port) + ";\n";
    if (LocalhostIsIpv6First()) {
      plain += "    listen [::1]:" + std::to_string(peers->plain_port) + ";\n";
    }
    peers->nginx.AddServer(plain + certs + report);
    ASSERT_TRUE(peers->nginx.Start(&e)) << e << peers->nginx.ErrorLog();
    for (uint16_t port : {peers->h2_port, peers->plain_port}) {
      for (int i = 0; i < 200 && !PortAcceptsConnections(port); ++i) std::this_thread::sleep_for(10ms);
      ASSERT_TRUE(PortAcceptsConnections(port)) << peers->nginx.ErrorLog();
    }
  }
  void TearDown() override {
    delete peers;
    peers = nullptr;
  }
};

const ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new SocksEnvironment());

// Traces collects every event's message (what `strata -v` shows).
struct Traces {
  std::string all;
  static void Record(void* user, const strata_event* e) {
    auto* self = static_cast<Traces*>(user);
    self->all += std::string(e->layer) + ": " + (e->message ? e->message : "") + "\n";
  }
};

// --- microsocks -------------------------------------------------------------

class MicrosocksTest : public ::testing::Test {
 protected:
  RuntimePtr Runtime(const MicrosocksFixture& proxy, const std::string& socks_options = "{}",
                     const std::string& userinfo = "") {
    RuntimeResult rt = MakeRuntime(Config(proxy.port(), socks_options, userinfo));
    EXPECT_EQ(rt.status, STRATA_OK) << rt.error.message;
    return std::move(rt.runtime);
  }
};

TEST_F(MicrosocksTest, PlainHttpWithRemoteResolutionSendsTheName) {
  MicrosocksFixture proxy;
  std::string e;
  ASSERT_TRUE(proxy.Start(&e)) << e;
  RuntimePtr rt = Runtime(proxy);
  ASSERT_TRUE(rt);
  FetchResult r = Fetch(rt.get(), PlainUrl(), "socks-http");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "proto=HTTP/1.1 alpn=\n");
  std::string origin = "localhost:" + std::to_string(peers->plain_port);
  EXPECT_TRUE(proxy.WaitForLog("connected to " + origin)) << proxy.Log();
  EXPECT_NE(Chain(r).find("socks5h(127.0.0.1:" + std::to_string(proxy.port()) + "→" + origin + ")"),
            std::string::npos)
      << Chain(r);
}

TEST_F(MicrosocksTest, LocalResolutionSendsTheAddress) {
  MicrosocksFixture proxy;
  std::string e;
  ASSERT_TRUE(proxy.Start(&e)) << e;
  RuntimePtr rt = Runtime(proxy, "{\"resolve\": \"local\", \"family\": \"ipv4\"}");
  ASSERT_TRUE(rt);
  FetchResult r = Fetch(rt.get(), PlainUrl(), "socks-http");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "proto=HTTP/1.1 alpn=\n");
  std::string port = std::to_string(peers->plain_port);
  EXPECT_TRUE(proxy.WaitForLog("connected to 127.0.0.1:" + port)) << proxy.Log();
  EXPECT_EQ(proxy.Log().find("connected to localhost"), std::string::npos) << proxy.Log();
  EXPECT_NE(Chain(r).find("socks5(127.0.0.1:" + std::to_string(proxy.port()) + "→localhost:" + port +
                          " as 127.0.0.1)"),
            std::string::npos)
      << Chain(r);
}

TEST_F(MicrosocksTest, HttpsWithH2ByAlpnThroughTheTunnel) {
  MicrosocksFixture proxy;
  std::string e;
  ASSERT_TRUE(proxy.Start(&e)) << e;
  RuntimePtr rt = Runtime(proxy);
  ASSERT_TRUE(rt);
  std::string url = "https://localhost:" + std::to_string(peers->h2_port) + "/";
  FetchResult r = Fetch(rt.get(), url, "socks-https");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "proto=HTTP/2.0 alpn=h2\n");
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 20);
  EXPECT_TRUE(proxy.WaitForLog("connected to localhost:" + std::to_string(peers->h2_port)))
      << proxy.Log();
}

TEST_F(MicrosocksTest, HttpsWithH1ThroughTheTunnel) {
  MicrosocksFixture proxy;
  std::string e;
  ASSERT_TRUE(proxy.Start(&e)) << e;
  RuntimePtr rt = Runtime(proxy);
  ASSERT_TRUE(rt);
  std::string url = "https://localhost:" + std::to_string(peers->tls_h1_port) + "/";
  FetchResult r = Fetch(rt.get(), url, "socks-https-h1");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "proto=HTTP/1.1 alpn=http/1.1\n");
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 11);
}

TEST_F(MicrosocksTest, ASecondRequestReusesTheTunnel) {
  MicrosocksFixture proxy;
  std::string e;
  ASSERT_TRUE(proxy.Start(&e)) << e;
  RuntimePtr rt = Runtime(proxy);
  ASSERT_TRUE(rt);
  for (int i = 0; i < 2; ++i) {
    FetchResult r = Fetch(rt.get(), PlainUrl(), "socks-http");
    ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
    EXPECT_EQ(r.info(STRATA_INFO_NUM_CONNECTS), i == 0 ? 1 : 0);
  }
  EXPECT_EQ(Count(proxy.Log(), "connected to"), 1u) << proxy.Log();
}

TEST_F(MicrosocksTest, UsernameAndPasswordOptions) {
  MicrosocksFixture proxy("alice", "s3cret");
  std::string e;
  ASSERT_TRUE(proxy.Start(&e)) << e;
  RuntimePtr rt = Runtime(proxy, "{\"username\": \"alice\", \"password\": \"s3cret\"}");
  ASSERT_TRUE(rt);
  Traces traces;
  strata_runtime_set_event_callback(rt.get(), &Traces::Record, &traces, ~0u);
  FetchResult r = Fetch(rt.get(), PlainUrl(), "socks-http");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "proto=HTTP/1.1 alpn=\n");
  EXPECT_TRUE(proxy.WaitForLog("connected to localhost")) << proxy.Log();
  // The exchange is in the trace; the password is not.
  EXPECT_NE(traces.all.find("asked for username/password; sending them (not logged)"),
            std::string::npos)
      << traces.all;
  EXPECT_EQ(traces.all.find("s3cret"), std::string::npos) << traces.all;
}

TEST_F(MicrosocksTest, CredentialsFromTheProxyUrl) {
  MicrosocksFixture proxy("alice", "s3cret");
  std::string e;
  ASSERT_TRUE(proxy.Start(&e)) << e;
  // The runtime hands a tunnel layer the proxy's credentials as
  // proxy_authorization; socks takes them apart for RFC 1929.
  RuntimePtr rt = Runtime(proxy, "{}", "alice:s3cret@");
  ASSERT_TRUE(rt);
  std::string url = "https://localhost:" + std::to_string(peers->h2_port) + "/";
  FetchResult r = Fetch(rt.get(), url, "socks-https");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "proto=HTTP/2.0 alpn=h2\n");
}

TEST_F(MicrosocksTest, WrongCredentialsAreAClearError) {
  MicrosocksFixture proxy("alice", "s3cret");
  std::string e;
  ASSERT_TRUE(proxy.Start(&e)) << e;
  RuntimePtr rt = Runtime(proxy, "{\"username\": \"alice\", \"password\": \"wrong-one\"}");
  ASSERT_TRUE(rt);
  FetchResult r = Fetch(rt.get(), PlainUrl(), "socks-http");
  EXPECT_EQ(r.status, STRATA_E_PROXY);
  EXPECT_STREQ(r.error.layer, "socks");
  std::string message = r.error.message;
  EXPECT_NE(message.find("SOCKS5 proxy rejected the user name and password (RFC 1929 status "),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("wrong-one"), std::string::npos) << message;
  EXPECT_EQ(proxy.Log().find("connected to"), std::string::npos) << proxy.Log();
}

TEST_F(MicrosocksTest, MissingCredentialsSayWhatIsNeeded) {
  MicrosocksFixture proxy("alice", "s3cret");
  std::string e;
  ASSERT_TRUE(proxy.Start(&e)) << e;
  RuntimePtr rt = Runtime(proxy);
  ASSERT_TRUE(rt);
  FetchResult r = Fetch(rt.get(), PlainUrl(), "socks-http");
  EXPECT_EQ(r.status, STRATA_E_PROXY);
  EXPECT_NE(std::string(r.error.message)
                .find("accepts none of the offered authentication methods (offered: no "
                      "authentication); it probably requires a user name and password"),
            std::string::npos)
      << r.error.message;
}

TEST_F(MicrosocksTest, RefusedOriginIsReplyCode5) {
  MicrosocksFixture proxy;
  std::string e;
  ASSERT_TRUE(proxy.Start(&e)) << e;
  RuntimePtr rt = Runtime(proxy);
  ASSERT_TRUE(rt);
  uint16_t closed = FreePort();  // nothing listens there
  FetchResult r = Fetch(rt.get(), "http://127.0.0.1:" + std::to_string(closed) + "/", "socks-http");
  EXPECT_EQ(r.status, STRATA_E_PROXY);
  EXPECT_STREQ(r.error.layer, "socks");
  EXPECT_NE(std::string(r.error.message)
                .find("SOCKS5 proxy could not connect to 127.0.0.1:" + std::to_string(closed) +
                      ": connection refused (reply code 5)"),
            std::string::npos)
      << r.error.message;
}

// The CLI with a JSON configuration and --pipeline (the socks CLI flags are
// not there yet): the body on stdout, exit 0.
TEST_F(MicrosocksTest, CliWithAConfiguredPipeline) {
  MicrosocksFixture proxy;
  std::string e;
  ASSERT_TRUE(proxy.Start(&e)) << e;
  std::string config = MakeTempDir("socks-cli-") + "/config.json";
  WriteFileOrDie(config, Config(proxy.port()));
  ProcessOptions o;
  o.argv = {RunfilePath("tools/strata"), "-sS", "--config", config, "--pipeline", "socks-http",
            PlainUrl()};
  RunResult r = RunProcess(o, 30s);
  ASSERT_TRUE(r.exit.exited) << r.exit.Describe();
  EXPECT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "proto=HTTP/1.1 alpn=\n");
  EXPECT_TRUE(proxy.WaitForLog("connected to localhost:" + std::to_string(peers->plain_port)))
      << proxy.Log();
}

// --- socks_peer.py: scripted replies ------------------------------------------

class ScriptedSocksPeer {
 public:
  bool Start(const std::string& scenario, std::string* error) {
    std::string dir = MakeTempDir("socks-peer-");
    port_file_ = dir + "/port";
    record_ = dir + "/record";
    WriteFileOrDie(record_, "");
    ProcessOptions o;
    o.argv = {"/usr/bin/python3", RunfilePath("tests/integration/socks/socks_peer.py"),
              "--scenario", scenario, "--port-file", port_file_, "--record", record_};
    if (!process_.Start(o, error)) return false;
    for (int i = 0; i < 500; ++i) {
      std::string text = ReadFileIfExists(port_file_);
      if (!text.empty()) {
        port_ = static_cast<uint16_t>(std::stoi(text));
        return true;
      }
      if (!process_.Running()) break;
      std::this_thread::sleep_for(10ms);
    }
    *error = "socks_peer.py did not start: " + process_.Stderr();
    return false;
  }
  uint16_t port() const { return port_; }
  // Record is what the peer read, one "label hex" line per message.
  std::string Record() const { return ReadFileIfExists(record_); }

 private:
  std::string port_file_;
  std::string record_;
  uint16_t port_ = 0;
  Process process_;
};

class SocksPeerTest : public ::testing::Test {
 protected:
  // Run fetches http://origin.test/x through a peer playing |scenario|.
  // origin.test is never resolved here: the name goes to the proxy.
  FetchResult Run(const std::string& scenario, const std::string& socks_options = "{}") {
    std::string e;
    EXPECT_TRUE(peer_.Start(scenario, &e)) << e;
    RuntimeResult rt = MakeRuntime(Config(peer_.port(), socks_options));
    EXPECT_EQ(rt.status, STRATA_OK) << rt.error.message;
    if (!rt.runtime) return FetchResult();
    return Fetch(rt.runtime.get(), "http://origin.test/x", "socks-http");
  }
  void ExpectFailure(const FetchResult& r, strata_status status, const std::string& needle) {
    EXPECT_EQ(r.status, status) << r.Describe();
    EXPECT_STREQ(r.error.layer, "socks");
    EXPECT_NE(std::string(r.error.message).find(needle), std::string::npos) << r.error.message;
    EXPECT_EQ(r.http_status(), 0);
  }

  ScriptedSocksPeer peer_;
};

// "connect 05 01 00 03 0b origin.test 00 50": the name, port 80.
const char kConnectOriginTest[] = "connect 050100030b6f726967696e2e746573740050\n";

TEST_F(SocksPeerTest, NameGoesToTheProxyAndTheOriginAnswersThroughTheTunnel) {
  FetchResult r = Run("ok");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "hello");
  EXPECT_EQ(peer_.Record(), std::string("greeting 050100\n") + kConnectOriginTest);
}

TEST_F(SocksPeerTest, ReplyInOneBytePieces) {
  FetchResult r = Run("split");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "hello");
}

TEST_F(SocksPeerTest, DomainBoundAddressOf255Bytes) {
  FetchResult r = Run("bnd255");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "hello");
}

// The origin's bytes right behind the reply go up to h1 — which rightly
// calls a response before its request unexpected. They were neither lost
// nor taken for part of the reply.
TEST_F(SocksPeerTest, BytesAfterTheReplyReachTheLayerAbove) {
  FetchResult r = Run("eager");
  EXPECT_EQ(r.status, STRATA_E_PROTOCOL) << r.Describe();
  EXPECT_STREQ(r.error.layer, "h1");
  EXPECT_NE(std::string(r.error.message).find("unexpected bytes on idle connection (43 bytes"),
            std::string::npos)
      << r.error.message;
}

TEST_F(SocksPeerTest, UsernamePassword) {
  FetchResult r = Run("auth:alice:s3cret", "{\"username\": \"alice\", \"password\": \"s3cret\"}");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(peer_.Record(), std::string("greeting 05020002\n") +
                                "auth 0105616c69636506733363726574\n" + kConnectOriginTest);
}

TEST_F(SocksPeerTest, RejectedCredentials) {
  FetchResult r = Run("auth:alice:s3cret", "{\"username\": \"alice\", \"password\": \"nope\"}");
  ExpectFailure(r, STRATA_E_PROXY, "rejected the user name and password (RFC 1929 status 0x01)");
}

TEST_F(SocksPeerTest, EveryReplyCodeNamesItselfAndTheOrigin) {
  const char* texts[] = {"",
                         "general SOCKS server failure",
                         "connection not allowed by ruleset",
                         "network unreachable",
                         "host unreachable",
                         "connection refused",
                         "TTL expired",
                         "command not supported",
                         "address type not supported"};
  for (int code = 1; code <= 8; ++code) {
    SCOPED_TRACE(code);
    ScriptedSocksPeer peer;
    std::string e;
    ASSERT_TRUE(peer.Start("refuse:" + std::to_string(code), &e)) << e;
    RuntimeResult rt = MakeRuntime(Config(peer.port()));
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    FetchResult r = Fetch(rt.runtime.get(), "http://origin.test/x", "socks-http");
    ExpectFailure(r, STRATA_E_PROXY,
                  std::string("SOCKS5 proxy could not connect to origin.test:80: ") + texts[code] +
                      " (reply code " + std::to_string(code) + ")");
  }
}

TEST_F(SocksPeerTest, WrongVersionByte) {
  ExpectFailure(Run("bad-version"), STRATA_E_PROTOCOL,
                "answered the greeting with version 0x04, not 0x05");
}

TEST_F(SocksPeerTest, AbsurdAddressType) {
  ExpectFailure(Run("bad-atyp"), STRATA_E_PROTOCOL, "unknown address type 0x09");
}

TEST_F(SocksPeerTest, DomainBoundAddressOfLengthZero) {
  ExpectFailure(Run("bnd0"), STRATA_E_PROTOCOL, "domain name of length 0");
}

TEST_F(SocksPeerTest, TruncatedReplyThenClose) {
  ExpectFailure(Run("truncated"), STRATA_E_PROXY,
                "closed the connection in the middle of its reply to CONNECT origin.test:80 "
                "(after 3 bytes)");
}

TEST_F(SocksPeerTest, SilentProxyTimesOut) {
  auto start = std::chrono::steady_clock::now();
  ExpectFailure(Run("silent", "{\"connect_timeout_ms\": 300}"), STRATA_E_TIMEOUT,
                "did not finish within 300 ms (still waiting for its reply to the greeting");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(SocksPeerTest, Socks4aSendsTheNameAfterTheUserId) {
  FetchResult r = Run("socks4a", "{\"version\": \"4a\", \"username\": \"alice\"}");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "hello");
  // 04 01, port 80, 0.0.0.1, "alice" NUL, "origin.test" NUL.
  EXPECT_EQ(peer_.Record(), "connect4 0401005000000001616c69636500" "6f726967696e2e7465737400\n");
  EXPECT_NE(Chain(r).find("socks4a(127.0.0.1:" + std::to_string(peer_.port()) + "→origin.test:80)"),
            std::string::npos)
      << Chain(r);
}

TEST_F(SocksPeerTest, Socks4aRejection) {
  ExpectFailure(Run("socks4a-reject", "{\"version\": \"4a\"}"), STRATA_E_PROXY,
                "SOCKS4a proxy could not connect to origin.test:80: request rejected or failed "
                "(reply code 91)");
}

}  // namespace
}  // namespace strata::test
