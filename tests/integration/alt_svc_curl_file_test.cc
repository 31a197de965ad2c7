// The alt-svc cache file against the installed curl 7.88 and a real nginx
// advertising Alt-Svc: what curl records, strata's parser and cache record
// identically (same line, same expiry once the clock is lined up), and a
// file strata wrote, curl loads and writes back unchanged.
#include <time.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/altsvc/alt_svc_cache.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/process.h"
#include "tests/support/side_by_side.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

constexpr char kAltSvc[] = "h3=\\\":4433\\\"; ma=7200; persist=1, h2=\\\"alt.localhost:8443\\\", quic=\\\":1\\\"";
constexpr char kAltSvcValue[] = "h3=\":4433\"; ma=7200; persist=1, h2=\"alt.localhost:8443\", quic=\":1\"";

RunResult Curl(const std::vector<std::string>& args) {
  ProcessOptions opts;
  opts.argv = {"/usr/bin/curl", "-sS", "-o", "/dev/null", "--max-time", "20"};
  opts.argv.insert(opts.argv.end(), args.begin(), args.end());
  opts.env = {{"HOME", TestTmpDir()}};
  RunResult r = RunProcess(opts, std::chrono::seconds(30));
  EXPECT_EQ(r.start_error, "");
  return r;
}

// ExpiryOf reads the "YYYYMMDD HH:MM:SS" of a cache line as Unix time.
int64_t ExpiryOf(const std::string& line) {
  size_t q = line.find('"');
  struct tm tm = {};
  if (q == std::string::npos || strptime(line.c_str() + q + 1, "%Y%m%d %H:%M:%S", &tm) == nullptr) return -1;
  return static_cast<int64_t>(timegm(&tm));
}

class AltSvcCurlFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string e;
    ASSERT_TRUE(pki_.MakeCa("ca", &e) && pki_.MakeLocalhostLeaf("ca", &e)) << e;
    const std::string certs = "    ssl_certificate \"" + pki_.Cert("localhost") + "\";\n    ssl_certificate_key \"" +
                              pki_.Key("localhost") + "\";\n";
    port_ = nginx_.AddServer(certs + "    location / { add_header Alt-Svc \"" + kAltSvc +
                             "\" always; return 200 \"ok\\n\"; }\n");
    ASSERT_TRUE(nginx_.Start(&e)) << e;
  }
  TestPki pki_;
  TlsNginx nginx_;
  uint16_t port_ = 0;
};

TEST_F(AltSvcCurlFileTest, StrataRecordsWhatCurlRecords) {
  const std::string file = MakeTempDir("altsvc-") + "/curl.txt";
  RunResult r = Curl({"--alt-svc", file, "--cacert", pki_.Cert("ca"),
                      "https://localhost:" + std::to_string(port_) + "/"});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << r.exit.Describe() << r.stderr_text;
  const std::string curl_text = ReadFileOrDie(file);
  // Two usable alternatives (quic is no ALPN id curl or strata keeps).
  std::vector<std::string> lines;
  for (size_t at = 0; at < curl_text.size();) {
    size_t nl = curl_text.find('\n', at);
    std::string line = curl_text.substr(at, nl - at);
    if (!line.empty() && line[0] != '#') lines.push_back(line);
    at = nl == std::string::npos ? curl_text.size() : nl + 1;
  }
  ASSERT_EQ(lines.size(), 2u) << curl_text;
  // nginx speaks HTTP/1.1 here: the source ALPN id is h1.
  const int64_t h3_expiry = ExpiryOf(lines[0]);
  ASSERT_GT(h3_expiry, 0) << lines[0];

  // strata, fed the same field at the moment curl got it, writes the same
  // file. Both entries were made in the same second by curl: line 2's
  // expiry minus 24 h is that second, and ma=7200 must agree with it.
  const int64_t when = ExpiryOf(lines[1]) - 24 * 3600;
  EXPECT_EQ(h3_expiry, when + 7200) << curl_text;
  AltSvcCache ours;
  ours.Apply("h1", "localhost", port_, ParseAltSvc(kAltSvcValue), when);
  EXPECT_EQ(ours.Serialize(when), curl_text);

  // And strata loads curl's file into the same entries.
  AltSvcCache loaded;
  AltSvcLoadStats stats = loaded.Load(curl_text, when);
  EXPECT_EQ(stats.loaded, 2u);
  EXPECT_EQ(stats.malformed, 0u);
  auto h3 = loaded.Lookup("localhost", port_, "h3", when);
  ASSERT_TRUE(h3.has_value());
  EXPECT_EQ(h3->dst_port, 4433);
  EXPECT_TRUE(h3->persist);
}

TEST_F(AltSvcCurlFileTest, CurlReadsBackAFileStrataWrote) {
  // Entries for other origins than the one fetched, so curl neither uses
  // nor replaces them: it loads them and saves them again.
  const int64_t now = static_cast<int64_t>(time(nullptr));
  AltSvcCache ours;
  ours.Apply("h2", "a.example", 443, ParseAltSvc("h3=\":443\"; ma=86400"), now);
  ours.Apply("h1", "b.example", 8080, ParseAltSvc("h2=\"c.example:8443\"; ma=3600; persist=1"), now);
  ours.Apply("h2", "::1", 8443, ParseAltSvc("h3=\":9443\""), now);
  const std::string file = MakeTempDir("altsvc-") + "/ours.txt";
  ASSERT_TRUE(SaveAltSvcFile(file, ours, now).ok());
  const std::string written = ReadFileOrDie(file);

  RunResult r = Curl({"--alt-svc", file, "--cacert", pki_.Cert("ca"),
                      "https://localhost:" + std::to_string(port_) + "/"});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << r.exit.Describe() << r.stderr_text;
  const std::string after = ReadFileOrDie(file);
  // curl kept every line strata wrote, then added this origin's two.
  ASSERT_EQ(after.rfind(written, 0), 0u) << "strata wrote:\n" << written << "curl saved:\n" << after;
  EXPECT_NE(after.find("h1 localhost " + std::to_string(port_) + " h3 localhost 4433 "), std::string::npos) << after;
}

// The CLI option side by side: `--alt-svc FILE` with strata and with curl
// against the same nginx write the same file (the expiry second aside,
// which depends on when each ran), and -v reports each entry as curl does.
TEST_F(AltSvcCurlFileTest, CliAltSvcMatchesCurl) {
  const std::string dir = MakeTempDir("altsvc-cli-");
  const std::string url = "https://localhost:" + std::to_string(port_) + "/";
  std::string files[2];
  for (bool strata : {false, true}) {
    const std::string file = dir + (strata ? "/strata.txt" : "/curl.txt");
    RunResult r = RunCli(strata, {"-sS", "-v", "-o", "/dev/null", "--alt-svc", file, "--cacert", pki_.Cert("ca"), url});
    ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << (strata ? "strata " : "curl ") << r.exit.Describe()
                                                        << r.stderr_text;
    EXPECT_NE(r.stderr_text.find("Added alt-svc: localhost:4433 over h3"), std::string::npos) << r.stderr_text;
    EXPECT_NE(r.stderr_text.find("Added alt-svc: alt.localhost:8443 over h2"), std::string::npos) << r.stderr_text;
    files[strata] = ReadFileOrDie(file);
  }
  auto without_dates = [](std::string text) {
    for (size_t q = text.find('"'); q != std::string::npos; q = text.find('"', q + 2)) {
      size_t end = text.find('"', q + 1);
      if (end == std::string::npos) break;
      text.replace(q + 1, end - q - 1, "DATE");
    }
    return text;
  };
  EXPECT_EQ(without_dates(files[1]), without_dates(files[0])) << "curl:\n" << files[0] << "strata:\n" << files[1];

  // A second strata run reads the file, keeps the entries and writes it
  // again; "" keeps the cache in memory and writes nothing.
  RunResult again = RunCli(true, {"-sS", "-o", "/dev/null", "--alt-svc", "", "--cacert", pki_.Cert("ca"), url});
  EXPECT_TRUE(again.exit.exited && again.exit.exit_code == 0) << again.stderr_text;
  EXPECT_EQ(ReadFileOrDie(dir + "/strata.txt"), files[1]);
}

}  // namespace
}  // namespace strata::test
