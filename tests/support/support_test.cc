// Tests of the test support library itself: the fixtures must be right
// before any test built on them can be trusted.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "tests/support/free_port.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

int ConnectTo(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr;
  std::memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    off += static_cast<size_t>(n);
  }
}

// ReadUntilClose reads until the server closes, giving up after |timeout|.
std::string ReadUntilClosed(int fd, milliseconds timeout = seconds(10)) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd = {fd, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[8192];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Exchange sends |request| on a new connection and returns everything the
// server sends until it closes.
std::string Exchange(uint16_t port, const std::string& request) {
  int fd = ConnectTo(port);
  if (fd < 0) return "<connect failed>";
  SendAll(fd, request);
  std::string response = ReadUntilClosed(fd);
  close(fd);
  return response;
}

// ---------------------------------------------------------------------------

TEST(FreePortTest, PortCanBeBoundOnLoopback) {
  uint16_t port = FreePort();
  ASSERT_NE(port, 0);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr;
  std::memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(listen(fd, 1), 0);
  EXPECT_TRUE(PortAcceptsConnections(port));
  close(fd);
  EXPECT_FALSE(PortAcceptsConnections(port));
}

TEST(ProcessTest, CapturesOutputExitCodeAndEnvironment) {
  ProcessOptions opts;
  opts.argv = {"/bin/sh", "-c", "echo out-$STRATA_SUPPORT_VAR; echo err >&2; exit 3"};
  opts.env = {{"STRATA_SUPPORT_VAR", "value42"}};
  RunResult r = RunProcess(opts, seconds(10));
  ASSERT_EQ(r.start_error, "");
  EXPECT_TRUE(r.exit.exited) << r.exit.Describe();
  EXPECT_EQ(r.exit.exit_code, 3);
  EXPECT_EQ(r.stdout_text, "out-value42\n");
  EXPECT_EQ(r.stderr_text, "err\n");
}

TEST(ProcessTest, MissingProgramIsReported) {
  ProcessOptions opts;
  opts.argv = {TestTmpDir() + "/no-such-program"};
  Process p;
  std::string error;
  // glibc's posix_spawn reports exec failure to the parent.
  EXPECT_FALSE(p.Start(opts, &error));
  EXPECT_NE(error.find("no-such-program"), std::string::npos) << error;
}

TEST(ProcessTest, WaitTimesOutAndStopKills) {
  Process p;
  std::string error;
  ProcessOptions opts;
  opts.argv = {"/bin/sleep", "300"};
  ASSERT_TRUE(p.Start(opts, &error)) << error;
  auto start = std::chrono::steady_clock::now();
  ExitInfo info = p.Wait(milliseconds(200));
  EXPECT_TRUE(info.timed_out);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(190));
  EXPECT_TRUE(p.Running());
  ExitInfo stopped = p.Stop(seconds(5));
  EXPECT_FALSE(stopped.timed_out);
  EXPECT_EQ(stopped.signal, SIGTERM) << stopped.Describe();
  EXPECT_FALSE(p.Running());
}

// A grandchild left by the child must die with the Process object.
TEST(ProcessTest, DestructorKillsTheWholeProcessGroup) {
  std::string pid_file = MakeTempDir("pgroup-") + "/grandchild.pid";
  {
    Process p;
    std::string error;
    ProcessOptions opts;
    opts.argv = {"/bin/sh", "-c", "sleep 300 & echo $! > " + pid_file + "; wait"};
    ASSERT_TRUE(p.Start(opts, &error)) << error;
    auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (ReadFileIfExists(pid_file).empty() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(10));
    }
  }
  pid_t grandchild = std::atoi(ReadFileIfExists(pid_file).c_str());
  ASSERT_GT(grandchild, 0);
  // Gone or a zombie awaiting its reaper: either way no longer running.
  auto deadline = std::chrono::steady_clock::now() + seconds(10);
  bool stopped = false;
  while (!stopped && std::chrono::steady_clock::now() < deadline) {
    std::string stat = ReadFileIfExists("/proc/" + std::to_string(grandchild) + "/stat");
    size_t paren = stat.rfind(')');
    stopped = stat.empty() || (paren != std::string::npos && stat.substr(paren + 2, 1) == "Z");
    if (!stopped) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(stopped) << "grandchild " << grandchild << " still runs";
}

// The 64 MiB streaming test relies on wait4's peak RSS of the child.
TEST(ProcessTest, ReportsPeakResidentSetOfTheChild) {
  ProcessOptions big;
  big.argv = {"/usr/bin/python3", "-c", "b = bytearray(80 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"};
  RunResult r = RunProcess(big, seconds(30));
  ASSERT_TRUE(r.exit.exited) << r.exit.Describe() << r.stderr_text;
  EXPECT_GT(r.exit.max_rss_kib, 80 * 1024);

  ProcessOptions small;
  small.argv = {"/bin/true"};
  RunResult s = RunProcess(small, seconds(10));
  ASSERT_TRUE(s.exit.exited);
  EXPECT_LT(s.exit.max_rss_kib, 16 * 1024);
}

// ---------------------------------------------------------------------------

TEST(ScriptedPeerTest, RecordsRequestsAndPlaysScriptsPerConnection) {
  ScriptedPeer peer({
      {ReadRequest(), Send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"), Close()},
      {ReadRequest(), Send("second"), Close()},
  });
  std::string first = Exchange(peer.port(),
                               "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(first, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
  std::string second = Exchange(peer.port(), "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(second, "second");
  ASSERT_TRUE(peer.WaitForScripts(seconds(10)));
  ASSERT_EQ(peer.ConnectionCount(), 2);
  PeerConnection c0 = peer.Connection(0);
  ASSERT_EQ(c0.requests.size(), 1u);
  EXPECT_EQ(c0.requests[0], "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(HeaderValue(c0.requests[0], "content-length"), "5");
  EXPECT_EQ(peer.Connection(1).requests.at(0), "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(peer.AllRequests().size(), 2u);
}

TEST(ScriptedPeerTest, ReadsChunkedRequestBodiesAndPipelinedRequests) {
  ScriptedPeer peer({{ReadRequest(), ReadRequest(), Send("ok"), Close()}});
  std::string chunked =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  std::string plain = "GET /next HTTP/1.1\r\n\r\n";
  EXPECT_EQ(Exchange(peer.port(), chunked + plain), "ok");
  ASSERT_TRUE(peer.WaitForScripts(seconds(10)));
  PeerConnection c = peer.Connection(0);
  ASSERT_EQ(c.requests.size(), 2u);
  EXPECT_EQ(c.requests[0], chunked);
  EXPECT_EQ(c.requests[1], plain);
}

TEST(ScriptedPeerTest, ExtraConnectionsAreClosedWhenAsked) {
  ScriptedPeer peer({{ReadRequest(), Send("one"), Close()}}, /*extra_connections_close=*/true);
  EXPECT_EQ(Exchange(peer.port(), "GET / HTTP/1.1\r\n\r\n"), "one");
  EXPECT_EQ(Exchange(peer.port(), "GET / HTTP/1.1\r\n\r\n"), "");
  EXPECT_EQ(peer.ConnectionCount(), 2);
}

TEST(ScriptedPeerTest, HalfCloseLetsThePeerKeepReading) {
  ScriptedPeer peer({{Send("early"), HalfClose(), ReadUntilClose()}});
  int fd = ConnectTo(peer.port());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ReadUntilClosed(fd), "early");  // EOF from the half-close
  SendAll(fd, "after-eof");
  close(fd);
  ASSERT_TRUE(peer.WaitForScripts(seconds(10)));
  PeerConnection c = peer.Connection(0);
  EXPECT_EQ(c.received, "after-eof");
  EXPECT_TRUE(c.client_closed);
}

// A peer that never answers must still shut down promptly with its client
// connection open, and a sleeping peer must wake up for destruction.
TEST(ScriptedPeerTest, DestructionIsPromptWhileHanging) {
  int fd1, fd2;
  auto start = std::chrono::steady_clock::now();
  {
    ScriptedPeer peer({{ReadRequest(), NeverAnswer()}, {Sleep(60000)}});
    fd1 = ConnectTo(peer.port());
    ASSERT_GE(fd1, 0);
    SendAll(fd1, "GET / HTTP/1.1\r\n\r\n");
    fd2 = ConnectTo(peer.port());
    ASSERT_GE(fd2, 0);
    ASSERT_TRUE(peer.WaitForConnections(2, seconds(10)));
    std::this_thread::sleep_for(milliseconds(50));
    EXPECT_EQ(peer.Connection(0).requests.size(), 1u);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(5));
  // The peer closed its ends: our sockets see EOF.
  EXPECT_EQ(ReadUntilClosed(fd1, seconds(5)), "");
  EXPECT_EQ(ReadUntilClosed(fd2, seconds(5)), "");
  close(fd1);
  close(fd2);
}

TEST(ScriptedPeerTest, ResetSendsRst) {
  ScriptedPeer peer({{ReadRequest(), Reset()}});
  int fd = ConnectTo(peer.port());
  ASSERT_GE(fd, 0);
  SendAll(fd, "GET / HTTP/1.1\r\n\r\n");
  pollfd pfd = {fd, POLLIN, 0};
  ASSERT_EQ(poll(&pfd, 1, 10000), 1);
  char buf[16];
  errno = 0;
  EXPECT_LT(recv(fd, buf, sizeof(buf), 0), 0);
  EXPECT_EQ(errno, ECONNRESET);
  close(fd);
}

// ---------------------------------------------------------------------------

class NginxFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(nginx_.Start(&error)) << error;
  }
  NginxFixture nginx_;
};

TEST_F(NginxFixtureTest, ServesDocrootAndLogsConnectionPerRequest) {
  nginx_.WriteDocFile("hello.txt", "hello nginx\n");
  // Two pipelined requests on one connection: the log must show the same
  // $connection with $connection_requests 1 and 2.
  std::string response = Exchange(nginx_.port(),
                                  "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                                  "GET /missing HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_NE(response.find("HTTP/1.1 200 OK"), std::string::npos) << response;
  EXPECT_NE(response.find("hello nginx\n"), std::string::npos);
  EXPECT_NE(response.find("HTTP/1.1 404 Not Found"), std::string::npos);
  auto log = nginx_.WaitForAccessLog(2);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].request, "GET /hello.txt HTTP/1.1");
  EXPECT_EQ(log[0].status, 200);
  EXPECT_EQ(log[0].body_bytes_sent, 12u);
  EXPECT_EQ(log[1].status, 404);
  EXPECT_EQ(log[0].connection, log[1].connection);
  EXPECT_EQ(log[0].connection_requests, 1u);
  EXPECT_EQ(log[1].connection_requests, 2u);

  Exchange(nginx_.port(), "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  log = nginx_.WaitForAccessLog(3);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_NE(log[2].connection, log[0].connection);
}

TEST_F(NginxFixtureTest, ChunkedLocationAnswersChunked) {
  nginx_.WriteDocFile("chunked/text.txt", "banana\n");
  std::string response = Exchange(
      nginx_.port(), "GET /chunked/text.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_NE(response.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << response;
  EXPECT_EQ(response.find("Content-Length"), std::string::npos) << response;
  EXPECT_NE(response.find("bbnbnb\n"), std::string::npos) << response;
}

TEST_F(NginxFixtureTest, UploadKeepsTheBodyForByteComparison) {
  std::string body(100000, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 7 + 3);
  std::string response = Exchange(
      nginx_.port(), "POST /upload HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_NE(response.find("HTTP/1.1 200 OK"), std::string::npos) << response;
  EXPECT_NE(response.find("stored\n"), std::string::npos) << response;
  // The proxied subrequest is logged too; find the /upload entry.
  auto log = nginx_.WaitForAccessLog(2);
  const AccessLogEntry* upload = nullptr;
  for (const auto& e : log) {
    if (e.request == "POST /upload HTTP/1.1") upload = &e;
  }
  ASSERT_NE(upload, nullptr) << nginx_.ErrorLog();
  EXPECT_EQ(upload->content_length, "100000");
  ASSERT_NE(upload->request_body_file, "-");
  EXPECT_EQ(ReadFileOrDie(upload->request_body_file), body);
}

TEST_F(NginxFixtureTest, DavPutWritesTheFile) {
  const std::string body("abc\0ef", 6);
  std::string response = Exchange(
      nginx_.port(), "PUT /dav/sub/file.bin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                     "Content-Length: 6\r\n\r\n" + body);
  EXPECT_NE(response.find("HTTP/1.1 201 Created"), std::string::npos) << response << nginx_.ErrorLog();
  EXPECT_EQ(ReadFileOrDie(nginx_.docroot() + "/dav/sub/file.bin"), body);
}

TEST_F(NginxFixtureTest, StopEndsNginx) {
  uint16_t port = nginx_.port();
  ASSERT_TRUE(PortAcceptsConnections(port));
  nginx_.Stop();
  EXPECT_FALSE(PortAcceptsConnections(port));
}

}  // namespace
}  // namespace strata::test
