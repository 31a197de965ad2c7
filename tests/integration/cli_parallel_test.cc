// The strata CLI's -Z/--parallel, --parallel-max and HTTP version flags,
// spawned from the runfiles of //tools:dist, against a real nginx, nghttpd
// (cleartext HTTP/2 with prior knowledge) and an nginx offering h2 by ALPN.
//
// Slow transfers come from nginx's limit_rate: nginx lets the first second's
// worth of bytes out at once and then paces the rest, so a body of
// 1.5 × rate takes about a second, at any concurrency (the limit is per
// request). Each response carries X-Msec, nginx's clock when it answered,
// which -w prints, so the test sees on the server side which transfers ran
// at the same time.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/content.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/free_port.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kRateBytes = 32 * 1024;             // limit_rate of /slow/
constexpr size_t kSlowSize = kRateBytes * 3 / 2;  // about one second each

std::string CliPath() { return RunfilePath("tools/strata"); }

RunResult RunCli(std::vector<std::string> args, seconds timeout = seconds(120)) {
  ProcessOptions opts;
  opts.argv = {CliPath()};
  opts.argv.insert(opts.argv.end(), args.begin(), args.end());
  // A HOME of its own: no user configuration may leak into the test.
  opts.env = {{"HOME", TestTmpDir()}};
  RunResult r = RunProcess(opts, timeout);
  EXPECT_EQ(r.start_error, "");
  EXPECT_FALSE(r.exit.timed_out) << "strata did not finish in time";
  return r;
}

std::string Describe(const RunResult& r) {
  return r.exit.Describe() + "\nstdout: " + r.stdout_text.substr(0, 3000) +
         "\nstderr: " + r.stderr_text.substr(0, 3000);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// WriteOutLine is one "-w" line of the format kWriteOut.
struct WriteOutLine {
  std::string url;
  int code = 0;
  int64_t size = 0;
  int connects = 0;
  double time_total = 0;
  double server_msec = 0;  // X-Msec: when nginx answered, its clock
  std::string http_version;
  int exitcode = -1;
};

const char kWriteOut[] =
    "W %{url} %{http_code} %{size_download} %{num_connects} %{time_total} "
    "%header{x-msec} %{http_version} %{exitcode}\n";

std::vector<WriteOutLine> ParseWriteOut(const std::string& text) {
  std::vector<WriteOutLine> out;
  for (const std::string& line : Lines(text)) {
    if (line.rfind("W ", 0) != 0) continue;
    std::istringstream in(line.substr(2));
    WriteOutLine w;
    std::string msec;
    in >> w.url >> w.code >> w.size >> w.connects >> w.time_total >> msec >> w.http_version >>
        w.exitcode;
    // %header{} of a missing header is empty: the fields shift left then.
    if (msec.find('.') != std::string::npos) {
      w.server_msec = std::stod(msec);
    } else {
      w.exitcode = std::stoi(w.http_version);
      w.http_version = msec;
    }
    out.push_back(w);
  }
  return out;
}

// MaxOverlap is the largest number of transfers running at one instant,
// each taken as [server start, server start + its time_total).
int MaxOverlap(const std::vector<WriteOutLine>& lines) {
  std::vector<std::pair<double, int>> edges;
  for (const WriteOutLine& w : lines) {
    edges.push_back({w.server_msec, +1});
    edges.push_back({w.server_msec + w.time_total * 0.9, -1});  // a margin for clocks
  }
  std::sort(edges.begin(), edges.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  });
  int now = 0, best = 0;
  for (const auto& [at, delta] : edges) best = std::max(best, now += delta);
  return best;
}

std::string SlowBody(int i) { return PatternBlock(1000 + i, kSlowSize); }

NginxOptions SlowNginx() {
  NginxOptions o;
  o.extra_locations = {
      "location /slow/ { limit_rate " + std::to_string(kRateBytes) +
          "; add_header X-Msec $msec always; }",
      "location /fast/ { add_header X-Msec $msec always; }",
  };
  return o;
}

class CliParallelTest : public ::testing::Test {
 protected:
  CliParallelTest() : nginx_(SlowNginx()) {}
  void SetUp() override {
    ASSERT_TRUE(FileExists(CliPath())) << CliPath();
    std::string error;
    ASSERT_TRUE(nginx_.Start(&error)) << error;
    for (int i = 0; i < 20; ++i) {
      nginx_.WriteDocFile("slow/" + std::to_string(i) + ".bin", SlowBody(i));
    }
    out_dir_ = MakeTempDir("cli-parallel-");
  }
  std::string SlowUrl(int i) const { return nginx_.Url("/slow/" + std::to_string(i) + ".bin"); }
  std::string Out(int i) const { return out_dir_ + "/out-" + std::to_string(i); }

  NginxFixture nginx_;
  std::string out_dir_;
};

// 20 slow URLs with -Z: every body lands in its own -o file, -w prints once
// per transfer, nginx served them on several connections at the same time,
// and the whole run takes a fraction of the transfers' summed time.
TEST_F(CliParallelTest, TwentyUrlsRunConcurrently) {
  std::vector<std::string> args = {"-sS", "-Z", "-w", kWriteOut};
  for (int i = 0; i < 20; ++i) {
    args.insert(args.end(), {"-o", Out(i), SlowUrl(i)});
  }
  auto start = std::chrono::steady_clock::now();
  RunResult r = RunCli(args);
  double wall = SecondsSince(start);
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);

  std::vector<WriteOutLine> lines = ParseWriteOut(r.stdout_text);
  ASSERT_EQ(lines.size(), 20u) << r.stdout_text;
  std::set<std::string> urls;
  double summed = 0;
  for (const WriteOutLine& w : lines) {
    urls.insert(w.url);
    EXPECT_EQ(w.code, 200) << w.url;
    EXPECT_EQ(w.size, static_cast<int64_t>(kSlowSize)) << w.url;
    EXPECT_EQ(w.exitcode, 0) << w.url;
    EXPECT_EQ(w.http_version, "1.1") << w.url;
    summed += w.time_total;
  }
  EXPECT_EQ(urls.size(), 20u) << "each URL's -w line exactly once";
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(ReadFileIfExists(Out(i)) == SlowBody(i)) << "output " << i << " differs";
  }
  // Each transfer is paced to about a second: run one after the other they
  // would take `summed`; concurrently, little more than the slowest.
  EXPECT_GT(summed, 20 * 0.4) << "the transfers were not slow: the test proves nothing";
  EXPECT_LT(wall, summed / 4) << "wall " << wall << " s vs summed " << summed << " s";

  // nginx's side: several connections, used at the same time.
  std::vector<AccessLogEntry> log = nginx_.WaitForAccessLog(20);
  ASSERT_EQ(log.size(), 20u);
  std::set<uint64_t> connections;
  for (const AccessLogEntry& e : log) {
    connections.insert(e.connection);
    EXPECT_EQ(e.status, 200);
    EXPECT_EQ(e.body_bytes_sent, kSlowSize);
  }
  EXPECT_GE(connections.size(), 2u);
  EXPECT_GE(MaxOverlap(lines), 2) << r.stdout_text;
  int connects = 0;
  for (const WriteOutLine& w : lines) connects += w.connects;
  EXPECT_EQ(connects, static_cast<int>(connections.size()))
      << "%{num_connects} adds up to the connections nginx saw";
}

// --parallel-max 1: one transfer at a time, so one connection carries them
// all, in command-line order, and the time adds up.
TEST_F(CliParallelTest, ParallelMaxOneIsSerial) {
  std::vector<std::string> args = {"-sS", "-Z", "--parallel-max", "1", "-w", kWriteOut};
  for (int i = 0; i < 4; ++i) args.insert(args.end(), {"-o", Out(i), SlowUrl(i)});
  auto start = std::chrono::steady_clock::now();
  RunResult r = RunCli(args);
  double wall = SecondsSince(start);
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);

  std::vector<WriteOutLine> lines = ParseWriteOut(r.stdout_text);
  ASSERT_EQ(lines.size(), 4u) << r.stdout_text;
  double summed = 0;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(lines[i].url, SlowUrl(i)) << "completion order is command-line order";
    EXPECT_TRUE(ReadFileIfExists(Out(i)) == SlowBody(i)) << "output " << i;
    summed += lines[i].time_total;
  }
  EXPECT_EQ(lines[0].connects, 1);
  for (int i = 1; i < 4; ++i) EXPECT_EQ(lines[i].connects, 0) << i;
  EXPECT_EQ(MaxOverlap(lines), 1) << r.stdout_text;
  EXPECT_GE(wall, summed * 0.9) << "serial: the wall time is the sum";

  std::vector<AccessLogEntry> log = nginx_.WaitForAccessLog(4);
  ASSERT_EQ(log.size(), 4u);
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].connection, log[0].connection);
    EXPECT_EQ(log[i].connection_requests, i + 1);
    EXPECT_EQ(log[i].request, "GET /slow/" + std::to_string(i) + ".bin HTTP/1.1");
  }
}

// --parallel-max 3 with 9 slow URLs: never more than three at once, so at
// least three rounds.
TEST_F(CliParallelTest, ParallelMaxBoundsConcurrency) {
  std::vector<std::string> args = {"-sS", "-Z", "--parallel-max", "3", "-w", kWriteOut};
  for (int i = 0; i < 9; ++i) args.insert(args.end(), {"-o", Out(i), SlowUrl(i)});
  RunResult r = RunCli(args);
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  std::vector<WriteOutLine> lines = ParseWriteOut(r.stdout_text);
  ASSERT_EQ(lines.size(), 9u) << r.stdout_text;
  int connects = 0;
  for (const WriteOutLine& w : lines) connects += w.connects;
  EXPECT_EQ(connects, 3) << "three connections, reused by the later transfers";
  int overlap = MaxOverlap(lines);
  EXPECT_GE(overlap, 2) << r.stdout_text;
  EXPECT_LE(overlap, 3) << r.stdout_text;
  std::set<uint64_t> connections;
  for (const AccessLogEntry& e : nginx_.WaitForAccessLog(9)) connections.insert(e.connection);
  EXPECT_EQ(connections.size(), 3u);
  for (int i = 0; i < 9; ++i) EXPECT_TRUE(ReadFileIfExists(Out(i)) == SlowBody(i)) << i;
}

// Bodies for stdout are written whole, each followed by its own -w text,
// never interleaved; -o files are written besides.
TEST_F(CliParallelTest, StdoutBodiesAreWholeAndFollowedByTheirWriteOut) {
  // Bodies of distinct letters and sizes (one larger than the output
  // buffer), two of them slow so that completion order differs from the
  // command line's.
  std::map<std::string, std::string> bodies;
  std::vector<std::string> args = {"-sS", "-Z", "-w", "<%{url}>\n", "-o", Out(0), SlowUrl(0)};
  for (int i = 0; i < 6; ++i) {
    std::string body(i == 2 ? 600000 : 1000 + 37 * i, static_cast<char>('a' + i));
    std::string dir = i % 3 == 0 ? "slow" : "fast";
    std::string path = "/" + dir + "/letters-" + std::to_string(i) + ".txt";
    if (dir == "slow") body.assign(kSlowSize, static_cast<char>('a' + i));
    nginx_.WriteDocFile(path.substr(1), body);
    bodies[nginx_.Url(path)] = body;
    args.push_back(nginx_.Url(path));
  }
  RunResult r = RunCli(args);
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_TRUE(ReadFileIfExists(Out(0)) == SlowBody(0));

  // stdout is: the -o transfer's marker, and for each stdout transfer its
  // whole body then its marker, in completion order.
  std::string rest = r.stdout_text;
  std::set<std::string> seen;
  while (!rest.empty()) {
    size_t open = rest.find('<');
    ASSERT_NE(open, std::string::npos) << rest.substr(0, 200);
    size_t close = rest.find(">\n", open);
    ASSERT_NE(close, std::string::npos);
    std::string body = rest.substr(0, open);
    std::string url = rest.substr(open + 1, close - open - 1);
    rest = rest.substr(close + 2);
    EXPECT_TRUE(seen.insert(url).second) << "twice: " << url;
    if (url == SlowUrl(0)) {
      EXPECT_EQ(body, "") << "the -o body went to its file";
      continue;
    }
    ASSERT_EQ(bodies.count(url), 1u) << url;
    EXPECT_EQ(body.size(), bodies[url].size()) << url;
    EXPECT_TRUE(body == bodies[url]) << "body of " << url << " is not whole or mixed";
  }
  EXPECT_EQ(seen.size(), 7u);
}

// -i with -Z: the final response's head in front of each body.
TEST_F(CliParallelTest, IncludeHeadersPerTransfer) {
  nginx_.WriteDocFile("fast/one.txt", "one\n");
  nginx_.WriteDocFile("fast/two.txt", "two two\n");
  RunResult r = RunCli({"-sS", "-Z", "-i", "-w", "[end %{url}]\n", nginx_.Url("/fast/one.txt"),
                        nginx_.Url("/fast/two.txt")});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  for (const auto& [name, body] : {std::pair<std::string, std::string>{"one", "one\n"},
                                   {"two", "two two\n"}}) {
    std::string marker = "[end " + nginx_.Url("/fast/" + name + ".txt") + "]\n";
    size_t end = r.stdout_text.find(marker);
    ASSERT_NE(end, std::string::npos) << r.stdout_text;
    size_t start = r.stdout_text.rfind("HTTP/1.1 200", end);
    ASSERT_NE(start, std::string::npos) << r.stdout_text;
    std::string piece = r.stdout_text.substr(start, end - start);
    EXPECT_NE(piece.find("Content-Length: " + std::to_string(body.size()) + "\r\n"), std::string::npos)
        << piece;
    size_t blank = piece.find("\r\n\r\n");
    ASSERT_NE(blank, std::string::npos) << piece;
    EXPECT_EQ(piece.substr(blank + 4), body);
  }
}

// The exit code is the last failure's in command-line order, as without
// -Z, whichever transfer finishes last; every URL is still tried.
TEST_F(CliParallelTest, ExitCodeIsTheLastFailingUrls) {
  std::string refused = "http://127.0.0.1:" + std::to_string(FreePort()) + "/";
  nginx_.WriteDocFile("fast/ok.txt", "ok\n");
  // The 404 comes last on the command line, the refused connection first.
  RunResult a = RunCli({"-sS", "-Z", "-f", "-w", kWriteOut, "-o", Out(0), refused, "-o", Out(1),
                        SlowUrl(1), "-o", Out(2), nginx_.Url("/fast/missing")});
  ASSERT_TRUE(a.exit.exited) << Describe(a);
  EXPECT_EQ(a.exit.exit_code, 22) << Describe(a);
  EXPECT_TRUE(ReadFileIfExists(Out(1)) == SlowBody(1));
  std::map<std::string, int> codes;
  for (const WriteOutLine& w : ParseWriteOut(a.stdout_text)) codes[w.url] = w.exitcode;
  EXPECT_EQ(codes[refused], 7) << a.stdout_text;
  EXPECT_EQ(codes[SlowUrl(1)], 0) << a.stdout_text;
  EXPECT_EQ(codes[nginx_.Url("/fast/missing")], 22) << a.stdout_text;
  EXPECT_NE(a.stderr_text.find("(7)"), std::string::npos) << a.stderr_text;
  EXPECT_NE(a.stderr_text.find("(22)"), std::string::npos) << a.stderr_text;

  // Reversed: the connection refused is last → 7, though the slow
  // transfer in the middle finishes after both failures.
  RunResult b = RunCli({"-sS", "-Z", "-f", "-o", Out(3), nginx_.Url("/fast/missing"), "-o", Out(4),
                        SlowUrl(4), refused});
  ASSERT_TRUE(b.exit.exited) << Describe(b);
  EXPECT_EQ(b.exit.exit_code, 7) << Describe(b);
  EXPECT_TRUE(ReadFileIfExists(Out(4)) == SlowBody(4));
}

// ---- HTTP version flags (the HTTP/2 plugins) --------------------------------

bool HaveH2Plugins() { return FileExists(RunfilePath("tools/strata-h2-alpn.so")); }

TEST_F(CliParallelTest, Http11FlagSpeaksHttp11) {
  nginx_.WriteDocFile("fast/v.txt", "v\n");
  RunResult r = RunCli({"-sS", "--http1.1", "-w", " %{http_version}", nginx_.Url("/fast/v.txt")});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_EQ(r.stdout_text, "v\n 1.1");
}

// --http2 on http:// asks for h2c with an Upgrade; nginx ignores it and
// answers in HTTP/1.1, which the transfer then simply is.
TEST_F(CliParallelTest, Http2UpgradeDeclinedFallsBackToHttp11) {
  if (!HaveH2Plugins()) GTEST_SKIP() << "the HTTP/2 plugins are not in //tools:dist";
  nginx_.WriteDocFile("fast/v.txt", "v\n");
  RunResult r = RunCli({"-sS", "--http2", "-w", " %{http_version}", nginx_.Url("/fast/v.txt")});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_EQ(r.stdout_text, "v\n 1.1");
  std::vector<AccessLogEntry> log = nginx_.WaitForAccessLog(1);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].request, "GET /fast/v.txt HTTP/1.1");
}

// nghttpd serving a directory over cleartext HTTP/2. Prior knowledge only:
// it answers an h2c Upgrade with its SETTINGS frame, so --http2 on http://
// cannot be shown accepted with it.
class Nghttpd {
 public:
  ~Nghttpd() { Stop(); }
  bool Start(const std::string& docroot, std::string* error) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = FreePort();
      ProcessOptions opts;
      opts.argv = {"/usr/sbin/nghttpd", "--no-tls", "-d", docroot, std::to_string(port_)};
      if (!process_.Start(opts, error)) return false;
      for (int i = 0; i < 100; ++i) {
        if (PortAcceptsConnections(port_)) return true;
        if (!process_.Running()) break;
        std::this_thread::sleep_for(milliseconds(50));
      }
      *error = "nghttpd did not listen: " + process_.Stderr();
      process_.Stop(milliseconds(500));
    }
    return false;
  }
  void Stop() {
    if (process_.Running()) process_.Stop(seconds(2));
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  uint16_t port_ = 0;
  Process process_;
};

// 50 URLs with --http2-prior-knowledge -Z: HTTP/2 multiplexes them all on
// one connection.
TEST(CliHttp2Test, PriorKnowledgeParallelUsesOneConnection) {
  if (!HaveH2Plugins()) GTEST_SKIP() << "the HTTP/2 plugins are not in //tools:dist";
  if (!FileExists("/usr/sbin/nghttpd")) GTEST_SKIP() << "nghttpd (nghttp2-server) is not installed";
  std::string docroot = MakeTempDir("cli-nghttpd-");
  for (int i = 0; i < 50; ++i) {
    WriteFileOrDie(docroot + "/" + std::to_string(i) + ".txt", PatternBlock(i, 2000 + i));
  }
  Nghttpd server;
  std::string error;
  ASSERT_TRUE(server.Start(docroot, &error)) << error;
  std::string out_dir = MakeTempDir("cli-h2-out-");
  std::vector<std::string> args = {"-sS", "-Z", "--http2-prior-knowledge", "-w", kWriteOut};
  for (int i = 0; i < 50; ++i) {
    args.insert(args.end(), {"-o", out_dir + "/" + std::to_string(i),
                             server.Url("/" + std::to_string(i) + ".txt")});
  }
  RunResult r = RunCli(args);
  server.Stop();
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  std::vector<WriteOutLine> lines = ParseWriteOut(r.stdout_text);
  ASSERT_EQ(lines.size(), 50u) << r.stdout_text;
  int connects = 0;
  for (const WriteOutLine& w : lines) {
    connects += w.connects;
    EXPECT_EQ(w.code, 200) << w.url;
    EXPECT_EQ(w.http_version, "2") << w.url;
  }
  EXPECT_EQ(connects, 1) << r.stdout_text;
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE(ReadFileIfExists(out_dir + "/" + std::to_string(i)) == PatternBlock(i, 2000 + i)) << i;
  }
}

// -v with HTTP/2 shows the frames (the layers' trace_frames option).
TEST(CliHttp2Test, VerboseShowsFrames) {
  if (!HaveH2Plugins()) GTEST_SKIP() << "the HTTP/2 plugins are not in //tools:dist";
  if (!FileExists("/usr/sbin/nghttpd")) GTEST_SKIP() << "nghttpd (nghttp2-server) is not installed";
  std::string docroot = MakeTempDir("cli-nghttpd-v-");
  WriteFileOrDie(docroot + "/a.txt", "frames\n");
  Nghttpd server;
  std::string error;
  ASSERT_TRUE(server.Start(docroot, &error)) << error;
  RunResult r = RunCli({"-v", "--http2-prior-knowledge", server.Url("/a.txt")});
  server.Stop();
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_EQ(r.stdout_text, "frames\n");
  EXPECT_NE(r.stderr_text.find("recv SETTINGS frame <length="), std::string::npos) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("send HEADERS frame <length="), std::string::npos) << r.stderr_text;
}

// --http2 to an https nginx that offers h2: ALPN picks it.
TEST(CliHttp2Test, Http2OverTlsWithAlpn) {
  if (!HaveH2Plugins()) GTEST_SKIP() << "the HTTP/2 plugins are not in //tools:dist";
  TestPki pki;
  std::string error;
  ASSERT_TRUE(pki.MakeCa("ca", &error) &&
              pki.MakeLocalhostLeaf("ca", &error))
      << error;
  TlsNginx nginx;
  std::string certs = "    ssl_certificate \"" + pki.Cert("localhost") + "\";\n    ssl_certificate_key \"" +
                      pki.Key("localhost") + "\";\n";
  // nginx 1.22 turns HTTP/2 on per listen socket ("listen … ssl http2"), so
  // the block listens on a second port of its own with it.
  uint16_t h2_port = FreePort();
  nginx.AddServer(certs + "    listen 127.0.0.1:" + std::to_string(h2_port) +
                  " ssl http2;\n    location / { return 200 \"h2\\n\"; }\n");
  ASSERT_TRUE(nginx.Start(&error)) << error << nginx.ErrorLog();
  for (int i = 0; i < 100 && !PortAcceptsConnections(h2_port); ++i) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_TRUE(PortAcceptsConnections(h2_port)) << nginx.ErrorLog();
  std::string url = "https://localhost:" + std::to_string(h2_port) + "/";
  std::string resolve = "localhost:" + std::to_string(h2_port) + ":127.0.0.1";
  RunResult r = RunCli({"-sS", "--http2", "--cacert", pki.Cert("ca"), "--resolve", resolve, "-w",
                        "%{http_version}", url});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_EQ(r.stdout_text, "h2\n2");
  // Without a flag too (https offers h2 by default, as in curl); with
  // --http1.1 the same server is spoken to in HTTP/1.1.
  RunResult plain = RunCli({"-sS", "--cacert", pki.Cert("ca"), "--resolve", resolve, "-w",
                            "%{http_version}", url});
  ASSERT_TRUE(plain.exit.exited && plain.exit.exit_code == 0) << Describe(plain);
  EXPECT_EQ(plain.stdout_text, "h2\n2");
  RunResult h1 = RunCli({"-sS", "--http1.1", "--cacert", pki.Cert("ca"), "--resolve", resolve, "-w",
                         "%{http_version}", url});
  ASSERT_TRUE(h1.exit.exited && h1.exit.exit_code == 0) << Describe(h1);
  EXPECT_EQ(h1.stdout_text, "h2\n1.1");
}

}  // namespace
}  // namespace strata::test
