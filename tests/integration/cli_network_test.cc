// The CLI's network options --connect-to, --interface, --local-port and
// --unix-socket side by side with the installed curl (7.88): each command
// line runs once with curl and once with strata against real peers on
// 127.0.0.1 (scripted peers that record the request and the client's port,
// a scripted CONNECT proxy, nginx on unix sockets, plain and TLS), and the
// exit codes, outputs and what the peers saw must agree. A C API test at the
// end proves the connection pool keeps connections to different targets
// apart.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kOk[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
const PeerScript kOkScript = {ReadRequest(), Send(kOk), Close()};

// RunTool runs |args| with curl (side 0) or strata (side 1), with a HOME of
// its own and every proxy variable blanked.
RunResult RunTool(int side, const std::vector<std::string>& args) {
  ProcessOptions o;
  o.argv = {side == 0 ? "/usr/bin/curl" : RunfilePath("tools/strata")};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = {{"HOME", TestTmpDir()}};
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy",
                           "NO_PROXY"}) {
    o.env.emplace_back(name, "");
  }
  RunResult r = RunProcess(o, seconds(30));
  EXPECT_EQ(r.start_error, "");
  EXPECT_FALSE(r.exit.timed_out) << o.argv[0] << " did not finish in time";
  return r;
}

const char* SideName(int side) { return side == 0 ? "curl" : "strata"; }

std::string Port(const ScriptedPeer& p) { return std::to_string(p.port()); }

// Seen is what one side's run left behind: its result and what the peers
// observed.
struct Seen {
  RunResult run;
  std::vector<int> connections;  // per peer, in the order given
  std::string request;           // the first request any peer read
  uint16_t client_port = 0;      // the client port of that connection
};

std::string Describe(const Seen& s) {
  std::string conns;
  for (int c : s.connections) conns += std::to_string(c) + " ";
  return s.run.exit.Describe() + "\nconnections per peer: " + conns + "\nrequest: " + s.request +
         "\nstdout: " + s.run.stdout_text + "\nstderr: " + s.run.stderr_text;
}

// RunWithPeers makes |peer_count| fresh scripted peers playing |script|,
// lets |args_for| turn their ports into a command line, runs it and
// collects what the peers saw.
Seen RunWithPeers(int side, int peer_count, const PeerScript& script,
                  const std::function<std::vector<std::string>(const std::vector<ScriptedPeer*>&)>& args_for) {
  std::vector<std::unique_ptr<ScriptedPeer>> owned;
  std::vector<ScriptedPeer*> peers;
  for (int i = 0; i < peer_count; ++i) {
    owned.push_back(std::make_unique<ScriptedPeer>(std::vector<PeerScript>{script}));
    peers.push_back(owned.back().get());
  }
  Seen seen;
  seen.run = RunTool(side, args_for(peers));
  for (ScriptedPeer* p : peers) {
    p->WaitForScripts(milliseconds(2000));
    seen.connections.push_back(p->ConnectionCount());
    if (seen.request.empty() && p->ConnectionCount() > 0) {
      PeerConnection c = p->Connection(0);
      if (!c.requests.empty()) seen.request = c.requests[0];
      seen.client_port = c.client_port;
    }
  }
  return seen;
}

// ExpectSame: exit code, stdout and which peers got connections agree.
void ExpectSame(const Seen& curl, const Seen& strata) {
  EXPECT_TRUE(strata.run.exit.exited) << Describe(strata);
  EXPECT_EQ(strata.run.exit.exit_code, curl.run.exit.exit_code) << "curl:\n" << Describe(curl) << "\nstrata:\n"
                                                                << Describe(strata);
  EXPECT_EQ(strata.run.stdout_text, curl.run.stdout_text);
  EXPECT_EQ(strata.connections, curl.connections) << "curl:\n" << Describe(curl) << "\nstrata:\n" << Describe(strata);
}

std::string RequestLine(const std::string& raw) { return raw.substr(0, raw.find("\r\n")); }

// ---------------------------------------------------------------- --connect-to

TEST(CliNetwork, ConnectToGoesToTheOtherPeerAndKeepsTheUrlsHost) {
  Seen seen[2];
  for (int side = 0; side < 2; ++side) {
    seen[side] = RunWithPeers(side, 2, kOkScript, [](const std::vector<ScriptedPeer*>& p) {
      // The URL names peer 0 by a name nobody resolves; peer 1 must get it.
      return std::vector<std::string>{"-sS", "--connect-to", "example.test:80:127.0.0.1:" + Port(*p[1]),
                                      "http://example.test/p"};
    });
  }
  ExpectSame(seen[0], seen[1]);
  EXPECT_EQ(seen[1].connections, (std::vector<int>{0, 1}));
  EXPECT_EQ(seen[1].run.stdout_text, "ok\n");
  EXPECT_EQ(HeaderValue(seen[1].request, "Host"), "example.test");
  EXPECT_EQ(HeaderValue(seen[0].request, "Host"), "example.test");
}

TEST(CliNetwork, ConnectToWildcardsMatchAnyHostAndPort) {
  Seen seen[2];
  std::string authority[2];
  for (int side = 0; side < 2; ++side) {
    seen[side] = RunWithPeers(side, 2, kOkScript, [&](const std::vector<ScriptedPeer*>& p) {
      authority[side] = "127.0.0.1:" + Port(*p[0]);
      return std::vector<std::string>{"-sS", "--connect-to", "::127.0.0.1:" + Port(*p[1]),
                                      "http://" + authority[side] + "/w"};
    });
    // The Host header names the URL's peer, which got no connection.
    EXPECT_EQ(HeaderValue(seen[side].request, "Host"), authority[side]) << SideName(side);
  }
  ExpectSame(seen[0], seen[1]);
  EXPECT_EQ(seen[1].connections, (std::vector<int>{0, 1}));
}

TEST(CliNetwork, ConnectToThatDoesNotMatchChangesNothing) {
  Seen seen[2];
  for (int side = 0; side < 2; ++side) {
    seen[side] = RunWithPeers(side, 2, kOkScript, [](const std::vector<ScriptedPeer*>& p) {
      return std::vector<std::string>{"-sS", "--connect-to", "other.test:80:127.0.0.1:" + Port(*p[1]),
                                      "--connect-to", "127.0.0.1:1:127.0.0.1:" + Port(*p[1]),
                                      "http://127.0.0.1:" + Port(*p[0]) + "/n"};
    });
  }
  ExpectSame(seen[0], seen[1]);
  EXPECT_EQ(seen[1].connections, (std::vector<int>{1, 0}));
}

TEST(CliNetwork, ConnectToAppliesOnARedirectHop) {
  Seen seen[2];
  for (int side = 0; side < 2; ++side) {
    const std::string redirect =
        "HTTP/1.1 302 Found\r\nLocation: http://second.test:8123/next\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n";
    ScriptedPeer first({{ReadRequest(), Send(redirect), Close()}});
    seen[side] = RunWithPeers(side, 1, kOkScript, [&](const std::vector<ScriptedPeer*>& p) {
      return std::vector<std::string>{"-sS", "-L", "--connect-to", "second.test:8123:127.0.0.1:" + Port(*p[0]),
                                      "http://127.0.0.1:" + Port(first) + "/start"};
    });
    first.WaitForScripts(milliseconds(2000));
    EXPECT_EQ(first.ConnectionCount(), 1) << SideName(side);
  }
  ExpectSame(seen[0], seen[1]);
  EXPECT_EQ(seen[1].connections, (std::vector<int>{1}));
  EXPECT_EQ(RequestLine(seen[1].request), "GET /next HTTP/1.1");
  EXPECT_EQ(HeaderValue(seen[1].request, "Host"), "second.test:8123");
  EXPECT_EQ(HeaderValue(seen[0].request, "Host"), "second.test:8123");
}

TEST(CliNetwork, ConnectToWithResolveResolvesTheNewTarget) {
  Seen seen[2];
  for (int side = 0; side < 2; ++side) {
    seen[side] = RunWithPeers(side, 1, kOkScript, [](const std::vector<ScriptedPeer*>& p) {
      return std::vector<std::string>{"-sS", "--connect-to", "a.test:80:b.test:" + Port(*p[0]), "--resolve",
                                      "b.test:" + Port(*p[0]) + ":127.0.0.1", "http://a.test/r"};
    });
  }
  ExpectSame(seen[0], seen[1]);
  EXPECT_EQ(seen[1].connections, (std::vector<int>{1}));
  EXPECT_EQ(HeaderValue(seen[1].request, "Host"), "a.test");
}

TEST(CliNetwork, ConnectToWithABadPortIsExit49) {
  Seen seen[2];
  for (int side = 0; side < 2; ++side) {
    seen[side] = RunWithPeers(side, 1, kOkScript, [](const std::vector<ScriptedPeer*>& p) {
      return std::vector<std::string>{"-sS", "--connect-to", "::127.0.0.1:abc", "http://127.0.0.1:" + Port(*p[0])};
    });
    EXPECT_NE(seen[side].run.stderr_text.find("No valid port number in connect to host string (abc)"),
              std::string::npos)
        << Describe(seen[side]);
  }
  ExpectSame(seen[0], seen[1]);
  EXPECT_EQ(seen[1].run.exit.exit_code, 49);
  EXPECT_EQ(seen[1].connections, (std::vector<int>{0}));
}

// Through an HTTP proxy curl tunnels whenever --connect-to applies, and
// the CONNECT line names the connect-to target; the request inside keeps
// the URL's Host.
TEST(CliNetwork, ConnectToThroughAProxyTunnelsToTheTarget) {
  const std::string established = "HTTP/1.1 200 Connection established\r\n\r\n";
  const PeerScript proxy_script = {ReadRequest(), Send(established), ReadRequest(), Send(kOk), Close()};
  Seen seen[2];
  std::string inner[2];
  for (int side = 0; side < 2; ++side) {
    seen[side] = RunWithPeers(side, 1, proxy_script, [](const std::vector<ScriptedPeer*>& p) {
      return std::vector<std::string>{"-sS", "-x", "http://127.0.0.1:" + Port(*p[0]), "--connect-to",
                                      "example.test:80:127.0.0.2:9999", "http://example.test/via"};
    });
  }
  ExpectSame(seen[0], seen[1]);
  EXPECT_EQ(RequestLine(seen[0].request), "CONNECT 127.0.0.2:9999 HTTP/1.1");
  EXPECT_EQ(RequestLine(seen[1].request), RequestLine(seen[0].request)) << Describe(seen[1]);
  EXPECT_EQ(seen[1].run.stdout_text, "ok\n") << Describe(seen[1]);
}

// -------------------------------------------------- --interface, --local-port

// PortBlock holds |n| consecutive free ports; Take(i) keeps port i listening
// so a bind to it fails, Release() frees the rest for the client.
class PortBlock {
 public:
  explicit PortBlock(int n) : n_(n) {
    for (uint16_t base = 43000 + static_cast<uint16_t>(getpid() % 997) * 7; base < 64000; base += 31) {
      std::vector<int> fds;
      for (int i = 0; i < n; ++i) {
        int fd = Listen(static_cast<uint16_t>(base + i));
        if (fd < 0) break;
        fds.push_back(fd);
      }
      if (static_cast<int>(fds.size()) == n) {
        base_ = base;
        fds_ = fds;
        return;
      }
      for (int fd : fds) close(fd);
    }
  }
  ~PortBlock() {
    for (int fd : fds_) if (fd >= 0) close(fd);
  }
  uint16_t base() const { return base_; }
  std::string Range() const { return std::to_string(base_) + "-" + std::to_string(base_ + n_ - 1); }
  // Free lets the client use port |i| (the others stay taken).
  void Free(int i) {
    close(fds_[i]);
    fds_[i] = -1;
  }

 private:
  static int Listen(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || listen(fd, 1) != 0) {
      close(fd);
      return -1;
    }
    return fd;
  }
  int n_;
  uint16_t base_ = 0;
  std::vector<int> fds_;
};

TEST(CliNetwork, LocalPortRangeSkipsTakenPorts) {
  Seen seen[2];
  uint16_t base[2] = {0, 0};
  for (int side = 0; side < 2; ++side) {
    // Each side its own range: the port a side used may linger in TIME_WAIT.
    PortBlock ports(3);
    ASSERT_NE(ports.base(), 0);
    ports.Free(1);
    ports.Free(2);
    base[side] = ports.base();
    seen[side] = RunWithPeers(side, 1, kOkScript, [&](const std::vector<ScriptedPeer*>& p) {
      return std::vector<std::string>{"-sS", "--interface", "127.0.0.1", "--local-port", ports.Range(),
                                      "http://127.0.0.1:" + Port(*p[0]) + "/lp"};
    });
  }
  ExpectSame(seen[0], seen[1]);
  EXPECT_EQ(seen[0].client_port, base[0] + 1) << Describe(seen[0]);
  EXPECT_EQ(seen[1].client_port, base[1] + 1) << Describe(seen[1]);
}

TEST(CliNetwork, HostPrefixedAddressAndOneLocalPort) {
  Seen seen[2];
  uint16_t base[2] = {0, 0};
  for (int side = 0; side < 2; ++side) {
    PortBlock ports(1);
    ASSERT_NE(ports.base(), 0);
    ports.Free(0);
    base[side] = ports.base();
    seen[side] = RunWithPeers(side, 1, kOkScript, [&](const std::vector<ScriptedPeer*>& p) {
      return std::vector<std::string>{"-sS", "--interface", "host!127.0.0.1", "--local-port",
                                      std::to_string(ports.base()), "http://127.0.0.1:" + Port(*p[0]) + "/one"};
    });
  }
  ExpectSame(seen[0], seen[1]);
  EXPECT_EQ(seen[0].client_port, base[0]);
  EXPECT_EQ(seen[1].client_port, base[1]);
}

TEST(CliNetwork, NoFreeLocalPortIsExit45) {
  Seen seen[2];
  for (int side = 0; side < 2; ++side) {
    PortBlock ports(2);  // both stay taken
    ASSERT_NE(ports.base(), 0);
    seen[side] = RunWithPeers(side, 1, kOkScript, [&](const std::vector<ScriptedPeer*>& p) {
      return std::vector<std::string>{"-sS", "--interface", "127.0.0.1", "--local-port", ports.Range(),
                                      "http://127.0.0.1:" + Port(*p[0]) + "/taken"};
    });
    EXPECT_NE(seen[side].run.stderr_text.find("bind failed with errno 98: Address already in use"), std::string::npos)
        << SideName(side) << ": " << Describe(seen[side]);
  }
  ExpectSame(seen[0], seen[1]);
  EXPECT_EQ(seen[1].run.exit.exit_code, 45);
  EXPECT_EQ(seen[1].connections, (std::vector<int>{0}));
}

TEST(CliNetwork, LoopbackInterfaceByName) {
  Seen seen[2];
  for (int side = 0; side < 2; ++side) {
    seen[side] = RunWithPeers(side, 1, kOkScript, [](const std::vector<ScriptedPeer*>& p) {
      return std::vector<std::string>{"-sS", "--interface", "lo", "http://127.0.0.1:" + Port(*p[0]) + "/lo"};
    });
  }
  ExpectSame(seen[0], seen[1]);
  EXPECT_EQ(seen[1].run.exit.exit_code, 0);
  EXPECT_EQ(seen[1].connections, (std::vector<int>{1}));
}

TEST(CliNetwork, UnknownInterfaceIsExit45WithCurlsMessage) {
  struct Case {
    std::string interface, message;
  } cases[] = {
      {"strata-bogus0", "Couldn't bind to 'strata-bogus0'"},
      {"if!strata-bogus0", "Couldn't bind to interface 'strata-bogus0'"},
  };
  for (const Case& c : cases) {
    Seen seen[2];
    for (int side = 0; side < 2; ++side) {
      seen[side] = RunWithPeers(side, 1, kOkScript, [&](const std::vector<ScriptedPeer*>& p) {
        return std::vector<std::string>{"-sS", "--interface", c.interface, "http://127.0.0.1:" + Port(*p[0])};
      });
      EXPECT_NE(seen[side].run.stderr_text.find(c.message), std::string::npos)
          << SideName(side) << ": " << Describe(seen[side]);
    }
    ExpectSame(seen[0], seen[1]);
    EXPECT_EQ(seen[1].run.exit.exit_code, 45) << c.interface;
    EXPECT_EQ(seen[1].connections, (std::vector<int>{0}));
  }
}

TEST(CliNetwork, BadLocalPortIsAUsageError) {
  for (const char* bad : {"abc", "5-3", "70000"}) {
    Seen seen[2];
    for (int side = 0; side < 2; ++side) {
      seen[side] = RunWithPeers(side, 1, kOkScript, [&](const std::vector<ScriptedPeer*>& p) {
        return std::vector<std::string>{"-sS", "--local-port", bad, "http://127.0.0.1:" + Port(*p[0])};
      });
    }
    ExpectSame(seen[0], seen[1]);
    EXPECT_EQ(seen[1].run.exit.exit_code, 2) << bad;
  }
}

// ------------------------------------------------------------- --unix-socket

// nginx listening on unix sockets (plain and TLS, in a short directory of
// their own: TEST_TMPDIR can be longer than sun_path's 107 bytes) and on
// 127.0.0.1 (the TLS server also for --connect-to). /who answers the Host
// and the SNI it got, and sets a cookie.
class CliNginxNetworkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/strata-net-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = new std::string(pattern);
    chmod(dir_->c_str(), 0755);
    std::string e;
    const std::string who =
        "    location = /who {\n      add_header Set-Cookie \"seen=1; Path=/\";\n"
        "      return 200 \"host=$http_host sni=$ssl_server_name\\n\";\n    }\n";
    NginxOptions options;
    options.extra_locations = {"    listen unix:" + PlainSocket() + ";\n" + who};
    plain_ = new NginxFixture(options);
    ASSERT_TRUE(plain_->Start(&e)) << e;

    pki_ = new TestPki();
    ASSERT_TRUE(pki_->MakeCa("ca", &e) && pki_->MakeLocalhostLeaf("ca", &e)) << e;
    tls_ = new TlsNginx();
    tls_port_ = tls_->AddServer("    listen unix:" + TlsSocket() + " ssl;\n    ssl_certificate \"" + pki_->Cert("localhost") +
                    "\";\n    ssl_certificate_key \"" + pki_->Key("localhost") + "\";\n" + who);
    ASSERT_TRUE(tls_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete plain_;
    delete tls_;
    delete pki_;
    std::error_code ignored;
    std::filesystem::remove_all(*dir_, ignored);
    delete dir_;
  }
  static std::string PlainSocket() { return *dir_ + "/plain.sock"; }
  static std::string TlsSocket() { return *dir_ + "/tls.sock"; }

  static std::string* dir_;
  static NginxFixture* plain_;
  static TestPki* pki_;
  static TlsNginx* tls_;
  static uint16_t tls_port_;
};
std::string* CliNginxNetworkTest::dir_ = nullptr;
NginxFixture* CliNginxNetworkTest::plain_ = nullptr;
TestPki* CliNginxNetworkTest::pki_ = nullptr;
TlsNginx* CliNginxNetworkTest::tls_ = nullptr;
uint16_t CliNginxNetworkTest::tls_port_ = 0;

// --connect-to with https: the connection goes to 127.0.0.1:<port>, but SNI,
// certificate verification, Host and the cookie's domain stay "localhost".
TEST_F(CliNginxNetworkTest, ConnectToOverTlsKeepsSniVerificationHostAndCookies) {
  RunResult r[2];
  std::string jar[2];
  for (int side = 0; side < 2; ++side) {
    const std::string file = MakeTempDir(SideName(side)) + "/jar.txt";
    r[side] = RunTool(side, {"-sS", "--cacert", pki_->Cert("ca"), "-c", file, "--connect-to",
                             "localhost:443:127.0.0.1:" + std::to_string(tls_port_), "https://localhost/who"});
    jar[side] = ReadFileIfExists(file);
  }
  EXPECT_EQ(r[1].exit.exit_code, r[0].exit.exit_code) << r[1].stderr_text << "\ncurl: " << r[0].stderr_text;
  EXPECT_EQ(r[1].stdout_text, r[0].stdout_text);
  EXPECT_EQ(r[1].stdout_text, "host=localhost sni=localhost\n") << r[1].stderr_text;
  for (int side = 0; side < 2; ++side) {
    EXPECT_NE(jar[side].find("\nlocalhost\tFALSE\t/\tFALSE\t0\tseen\t1"), std::string::npos)
        << SideName(side) << " jar:\n" << jar[side];
    EXPECT_EQ(jar[side].find("127.0.0.1"), std::string::npos) << SideName(side) << " jar:\n" << jar[side];
  }
}

// The connect-to target must pass verification as the URL's host: a
// certificate for localhost does not cover another name sent there.
TEST_F(CliNginxNetworkTest, ConnectToOverTlsStillVerifiesTheUrlsHost) {
  RunResult r[2];
  for (int side = 0; side < 2; ++side) {
    r[side] = RunTool(side, {"-sS", "--cacert", pki_->Cert("ca"), "--connect-to",
                             "::127.0.0.1:" + std::to_string(tls_port_), "https://wrong-name.test/who"});
  }
  EXPECT_EQ(r[0].exit.exit_code, 60) << r[0].stderr_text;
  EXPECT_EQ(r[1].exit.exit_code, 60) << r[1].stderr_text;
  EXPECT_EQ(r[1].stdout_text, "");
}

TEST_F(CliNginxNetworkTest, PlainHttpOverTheSocket) {
  RunResult r[2];
  for (int side = 0; side < 2; ++side) {
    r[side] = RunTool(side, {"-sS", "--unix-socket", PlainSocket(), "http://localhost/who"});
  }
  EXPECT_EQ(r[1].exit.exit_code, r[0].exit.exit_code) << r[1].stderr_text;
  EXPECT_EQ(r[1].stdout_text, r[0].stdout_text);
  EXPECT_EQ(r[1].stdout_text, "host=localhost sni=\n") << r[1].stderr_text;
  // nginx served both over the socket (its only other listener is TCP).
  std::vector<AccessLogEntry> log = plain_->WaitForAccessLog(2);
  ASSERT_GE(log.size(), 2u);
}

TEST_F(CliNginxNetworkTest, HttpsOverTheSocketVerifiesTheUrlsHost) {
  RunResult r[2];
  for (int side = 0; side < 2; ++side) {
    r[side] = RunTool(side, {"-sS", "--cacert", pki_->Cert("ca"), "--unix-socket", TlsSocket(),
                             "https://localhost/who"});
  }
  EXPECT_EQ(r[1].exit.exit_code, r[0].exit.exit_code) << r[1].stderr_text;
  EXPECT_EQ(r[1].stdout_text, r[0].stdout_text);
  EXPECT_EQ(r[1].stdout_text, "host=localhost sni=localhost\n") << r[1].stderr_text;
}

TEST_F(CliNginxNetworkTest, HttpsOverTheSocketStillRejectsAWrongName) {
  // The certificate is for localhost: a URL naming another host fails
  // verification, over the socket as over TCP.
  RunResult r[2];
  for (int side = 0; side < 2; ++side) {
    r[side] = RunTool(side, {"-sS", "--cacert", pki_->Cert("ca"), "--unix-socket", TlsSocket(),
                             "https://not-localhost.test/who"});
  }
  EXPECT_EQ(r[1].exit.exit_code, r[0].exit.exit_code) << r[1].stderr_text << "\ncurl: " << r[0].stderr_text;
  EXPECT_EQ(r[1].exit.exit_code, 60);
  EXPECT_EQ(r[1].stdout_text, "");
}

TEST_F(CliNginxNetworkTest, MissingSocketIsExit7NamingLayerAndPath) {
  const std::string missing = *dir_ + "/nobody.sock";
  RunResult r[2];
  for (int side = 0; side < 2; ++side) {
    r[side] = RunTool(side, {"-sS", "--unix-socket", missing, "http://localhost/who"});
  }
  EXPECT_EQ(r[0].exit.exit_code, 7) << r[0].stderr_text;
  EXPECT_EQ(r[1].exit.exit_code, 7) << r[1].stderr_text;
  EXPECT_EQ(r[1].stdout_text, r[0].stdout_text);
  EXPECT_NE(r[1].stderr_text.find("unix: could not connect to unix socket " + missing), std::string::npos)
      << r[1].stderr_text;
}

TEST_F(CliNginxNetworkTest, SocketPathTooLongIsExit6) {
  const std::string path = *dir_ + "/" + std::string(120, 'x') + ".sock";
  RunResult r[2];
  for (int side = 0; side < 2; ++side) {
    r[side] = RunTool(side, {"-sS", "--unix-socket", path, "http://localhost/who"});
    EXPECT_NE(r[side].stderr_text.find("Unix socket path too long: '" + path + "'"), std::string::npos)
        << SideName(side) << ": " << r[side].stderr_text;
  }
  EXPECT_EQ(r[0].exit.exit_code, 6);
  EXPECT_EQ(r[1].exit.exit_code, 6);
  EXPECT_EQ(r[1].stdout_text, r[0].stdout_text);
}

TEST_F(CliNginxNetworkTest, SocketThatNobodyListensOnIsExit7) {
  // A socket file whose server is gone: connect() is refused.
  const std::string stale = *dir_ + "/stale.sock";
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof(a.sun_path), "%s", stale.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  close(fd);
  RunResult r[2];
  for (int side = 0; side < 2; ++side) {
    r[side] = RunTool(side, {"-sS", "--unix-socket", stale, "http://localhost/who"});
  }
  EXPECT_EQ(r[0].exit.exit_code, 7) << r[0].stderr_text;
  EXPECT_EQ(r[1].exit.exit_code, 7) << r[1].stderr_text;
  EXPECT_NE(r[1].stderr_text.find("connection refused"), std::string::npos) << r[1].stderr_text;
}

TEST_F(CliNginxNetworkTest, AbstractSocket) {
  // nginx cannot listen on an abstract name: a scripted listener of our own.
  const std::string name = "strata-net-test-" + std::to_string(getpid());
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path + 1, name.data(), name.size());
  const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&a), len), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  std::thread server([listener] {
    for (int i = 0; i < 2; ++i) {
      int c = accept(listener, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      std::string got;
      while (got.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = read(c, buf, sizeof(buf));
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
      }
      std::string host = HeaderValue(got, "Host");
      std::string body = "abstract host=" + host + "\n";
      std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\nConnection: close\r\n\r\n" + body;
      (void)!write(c, reply.data(), reply.size());
      close(c);
    }
  });
  RunResult r[2];
  for (int side = 0; side < 2; ++side) {
    r[side] = RunTool(side, {"-sS", "--abstract-unix-socket", name, "http://abstract.test/"});
  }
  server.join();
  close(listener);
  EXPECT_EQ(r[1].exit.exit_code, r[0].exit.exit_code) << r[1].stderr_text;
  EXPECT_EQ(r[1].stdout_text, r[0].stdout_text);
  EXPECT_EQ(r[1].stdout_text, "abstract host=abstract.test\n") << r[1].stderr_text;
}

// ---------------------------------------------------------- the pool key

// Two requests for the same URL with different --connect-to targets must
// not share a connection; the same target again reuses its own.
TEST(NetworkPoolKey, ConnectToTargetIsPartOfThePoolKey) {
  const std::string keep_alive = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
  const PeerScript script = {ReadRequest(), Send(keep_alive), ReadRequest(), Send(keep_alive),
                             ReadRequest(), Send(keep_alive), Close()};
  ScriptedPeer a({script}), b({script});
  RuntimeResult rt = MakeRuntime(DefaultTestConfig());
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  auto fetch_via = [&](const ScriptedPeer& peer) {
    FetchSpec spec;
    spec.url = "http://pool.test/x";
    spec.string_options = {{STRATA_OPT_CONNECT_TO, "pool.test:80:127.0.0.1:" + Port(peer)}};
    return Fetch(rt.runtime.get(), spec);
  };
  FetchResult first = fetch_via(a);
  ASSERT_EQ(first.status, STRATA_OK) << first.Describe();
  FetchResult second = fetch_via(b);
  ASSERT_EQ(second.status, STRATA_OK) << second.Describe();
  FetchResult third = fetch_via(a);
  ASSERT_EQ(third.status, STRATA_OK) << third.Describe();
  EXPECT_EQ(a.ConnectionCount(), 1);
  EXPECT_EQ(b.ConnectionCount(), 1) << "the request for b rode on a's connection";
  EXPECT_EQ(a.Connection(0).requests.size(), 2u) << "a's connection was not reused";
  EXPECT_EQ(HeaderValue(b.Connection(0).requests.at(0), "Host"), "pool.test");
}

// A connection bound to a local port is kept for requests that ask for that
// binding, and one without a binding is not handed to them (nor the other
// way round).
TEST(NetworkPoolKey, LocalBindingIsPartOfThePoolKey) {
  const std::string keep_alive = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
  const PeerScript script = {ReadRequest(), Send(keep_alive), ReadRequest(), Send(keep_alive),
                             ReadRequest(), Send(keep_alive), Close()};
  ScriptedPeer peer({script});
  PortBlock ports(1);
  ASSERT_NE(ports.base(), 0);
  ports.Free(0);
  RuntimeResult rt = MakeRuntime(DefaultTestConfig());
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchSpec bound;
  bound.url = peer.Url("/b");
  bound.string_options = {{STRATA_OPT_INTERFACE, "127.0.0.1"}};
  bound.int_options = {{STRATA_OPT_LOCAL_PORT, ports.base()}};
  FetchSpec plain;
  plain.url = peer.Url("/p");
  FetchResult r1 = Fetch(rt.runtime.get(), bound);
  ASSERT_EQ(r1.status, STRATA_OK) << r1.Describe();
  FetchResult r2 = Fetch(rt.runtime.get(), plain);
  ASSERT_EQ(r2.status, STRATA_OK) << r2.Describe();
  FetchResult r3 = Fetch(rt.runtime.get(), bound);
  ASSERT_EQ(r3.status, STRATA_OK) << r3.Describe();
  ASSERT_EQ(peer.ConnectionCount(), 2);
  EXPECT_EQ(peer.Connection(0).client_port, ports.base());
  EXPECT_NE(peer.Connection(1).client_port, ports.base());
  EXPECT_EQ(peer.Connection(0).requests.size(), 2u) << "the bound connection was not reused for /b again";
  EXPECT_EQ(peer.Connection(1).requests.size(), 1u);
}

TEST(NetworkPoolKey, BadOptionValuesAreRefusedWhenSet) {
  strata_request* req = nullptr;
  ASSERT_EQ(strata_request_new("GET", "http://x.test/", &req), STRATA_OK);
  RequestPtr request(req);
  EXPECT_EQ(strata_request_set_option_string(req, STRATA_OPT_CONNECT_TO, "::127.0.0.1:abc"),
            STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_request_set_option_string(req, STRATA_OPT_CONNECT_TO, "nonsense"), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_request_set_option_string(req, STRATA_OPT_CONNECT_TO, "a:1:b:2"), STRATA_OK);
  EXPECT_EQ(strata_request_set_option_string(req, STRATA_OPT_INTERFACE, "if!"), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_request_set_option_int(req, STRATA_OPT_LOCAL_PORT, 70000), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_request_set_option_int(req, STRATA_OPT_LOCAL_PORT_RANGE, 0), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_request_set_option_string(req, STRATA_OPT_UNIX_SOCKET, std::string(200, 'x').c_str()),
            STRATA_E_INVALID_ARGUMENT);
}

// A unix-socket request and a TCP one for the same URL never share.
TEST_F(CliNginxNetworkTest, UnixSocketPathIsPartOfThePoolKey) {
  RuntimeResult rt = MakeRuntime(DefaultTestConfig(", \"unix\""));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  const std::string url = plain_->Url("/who");
  FetchSpec tcp;
  tcp.url = url;
  FetchSpec unix_socket = tcp;
  unix_socket.string_options = {{STRATA_OPT_UNIX_SOCKET, PlainSocket()}};
  FetchResult r1 = Fetch(rt.runtime.get(), tcp);
  ASSERT_EQ(r1.status, STRATA_OK) << r1.Describe();
  FetchResult r2 = Fetch(rt.runtime.get(), unix_socket);
  ASSERT_EQ(r2.status, STRATA_OK) << r2.Describe();
  EXPECT_NE(Chain(r1).find("tcp("), std::string::npos) << Chain(r1);
  EXPECT_NE(Chain(r2).find("unix(" + PlainSocket() + ")"), std::string::npos) << Chain(r2);
  EXPECT_EQ(r2.info(STRATA_INFO_NUM_CONNECTS), 1) << "the unix request reused the TCP connection";
}

}  // namespace
}  // namespace strata::test
