// The strata command-line client, spawned from the runfiles of //tools:dist,
// against a real nginx. The CLI finds libstrata and the plugins next to
// itself, so these tests also check the distribution layout.
#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/plugin.h"
#include "tests/integration/content.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using std::chrono::seconds;

std::string CliPath() { return RunfilePath("tools/strata"); }

RunResult RunCli(std::vector<std::string> args, seconds timeout = seconds(60),
                 std::vector<std::pair<std::string, std::string>> env = {}) {
  ProcessOptions opts;
  opts.argv = {CliPath()};
  opts.argv.insert(opts.argv.end(), args.begin(), args.end());
  // A HOME of its own: no user configuration may leak into the test.
  opts.env = {{"HOME", TestTmpDir()}};
  opts.env.insert(opts.env.end(), env.begin(), env.end());
  RunResult r = RunProcess(opts, timeout);
  EXPECT_EQ(r.start_error, "");
  EXPECT_FALSE(r.exit.timed_out) << "strata did not finish in time";
  return r;
}

std::string Describe(const RunResult& r) {
  return r.exit.Describe() + "\nstdout: " + r.stdout_text.substr(0, 2000) +
         "\nstderr: " + r.stderr_text.substr(0, 2000);
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(FileExists(CliPath())) << CliPath();
    std::string error;
    ASSERT_TRUE(nginx_.Start(&error)) << error;
    nginx_.WriteDocFile("hello.txt", "hello from nginx\n");
  }
  NginxFixture nginx_;
};

TEST_F(CliTest, GetWritesTheBodyToStdout) {
  RunResult r = RunCli({"-sS", nginx_.Url("/hello.txt")});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_EQ(r.stdout_text, "hello from nginx\n");
}

TEST_F(CliTest, HeadPrintsTheResponseHead) {
  RunResult r = RunCli({"-sS", "-I", nginx_.Url("/hello.txt")});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_EQ(r.stdout_text.rfind("HTTP/1.1 200", 0), 0u) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find("Content-Length: 17"), std::string::npos) << r.stdout_text;
  EXPECT_EQ(r.stdout_text.find("hello from nginx"), std::string::npos);
  auto log = nginx_.WaitForAccessLog(1);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].request, "HEAD /hello.txt HTTP/1.1");
}

TEST_F(CliTest, PostDataBinaryArrivesByteForByte) {
  std::string body = PatternBlock(5, 200000);
  std::string file = MakeTempDir("cli-post-") + "/body.bin";
  WriteFileOrDie(file, body);
  RunResult r = RunCli({"-sS", "--data-binary", "@" + file, nginx_.Url("/upload")});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_EQ(r.stdout_text, "stored\n");
  const AccessLogEntry* upload = nullptr;
  auto log = nginx_.WaitForAccessLog(2);
  for (const auto& e : log) {
    if (e.request == "POST /upload HTTP/1.1") upload = &e;
  }
  ASSERT_NE(upload, nullptr);
  EXPECT_EQ(upload->content_length, std::to_string(body.size()));
  EXPECT_TRUE(ReadFileOrDie(upload->request_body_file) == body) << "uploaded bytes differ";
}

TEST_F(CliTest, ChunkedResponse) {
  nginx_.WriteDocFile("chunked/t.txt", "a banana a day\n");
  RunResult r = RunCli({"-sS", nginx_.Url("/chunked/t.txt")});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_EQ(r.stdout_text, "b bbnbnb b dby\n");
}

TEST_F(CliTest, NotFoundExitsZeroWithoutFailAnd22With) {
  RunResult plain = RunCli({"-sS", nginx_.Url("/missing")});
  ASSERT_TRUE(plain.exit.exited) << Describe(plain);
  EXPECT_EQ(plain.exit.exit_code, 0) << Describe(plain);
  EXPECT_NE(plain.stdout_text.find("404 Not Found"), std::string::npos);

  RunResult fail = RunCli({"-sS", "-f", nginx_.Url("/missing")});
  ASSERT_TRUE(fail.exit.exited) << Describe(fail);
  EXPECT_EQ(fail.exit.exit_code, 22) << Describe(fail);
  EXPECT_EQ(fail.stdout_text, "");  // -f: no error page on stdout
  EXPECT_NE(fail.stderr_text.find("404"), std::string::npos) << fail.stderr_text;
}

// Two URLs in one invocation reuse one connection: checked in nginx's log.
TEST_F(CliTest, TwoUrlsShareOneConnection) {
  nginx_.WriteDocFile("two.txt", "two\n");
  RunResult r = RunCli({"-sS", nginx_.Url("/hello.txt"), nginx_.Url("/two.txt")});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_EQ(r.stdout_text, "hello from nginx\ntwo\n");
  auto log = nginx_.WaitForAccessLog(2);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].connection, log[1].connection);
  EXPECT_EQ(log[0].connection_requests, 1u);
  EXPECT_EQ(log[1].connection_requests, 2u);
}

TEST_F(CliTest, WriteOutReportsCodeConnectsAndSize) {
  RunResult r = RunCli({"-sS", "-o", "/dev/null", "-w", "%{http_code} %{num_connects} %{size_download}",
                        nginx_.Url("/hello.txt")});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_EQ(r.stdout_text, "200 1 17");
}

TEST_F(CliTest, ResolvePinsTheAddress) {
  std::string port = std::to_string(nginx_.port());
  RunResult r = RunCli({"-sS", "--resolve", "strata-test.invalid:" + port + ":127.0.0.1",
                        "http://strata-test.invalid:" + port + "/hello.txt"});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_EQ(r.stdout_text, "hello from nginx\n");

  RunResult unresolved = RunCli({"-sS", "http://strata-test.invalid:" + port + "/hello.txt"});
  ASSERT_TRUE(unresolved.exit.exited);
  EXPECT_EQ(unresolved.exit.exit_code, 6) << Describe(unresolved);  // curl: couldn't resolve
}

// 64 MiB to a file with the CLI's peak memory far below the body size:
// the body must stream, not accumulate.
TEST_F(CliTest, LargeBodyStreamsToAFileInConstantMemory) {
  const size_t kBlocks = 64;
  ASSERT_TRUE(WritePatternFile(nginx_.docroot() + "/big.bin", kBlocks));
  std::string out = MakeTempDir("cli-big-") + "/big.out";
  // The same CLI fetching a tiny file gives its baseline (sanitizer builds
  // have a much larger one); streaming 64 MiB must add little to it. Under
  // ASan, freed memory would sit in a 256 MiB quarantine and count as
  // resident, so the quarantine is kept small (other builds ignore this).
  const std::vector<std::pair<std::string, std::string>> env = {
      {"ASAN_OPTIONS", "quarantine_size_mb=1:detect_leaks=1"}};
  nginx_.WriteDocFile("tiny.txt", "tiny\n");
  RunResult baseline = RunCli({"-sS", "-o", out + ".tiny", nginx_.Url("/tiny.txt")}, seconds(60), env);
  ASSERT_TRUE(baseline.exit.exited && baseline.exit.exit_code == 0) << Describe(baseline);
  RunResult r = RunCli({"-sS", "-o", out, nginx_.Url("/big.bin")}, seconds(120), env);
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  uint64_t expected_size = 0, got_size = 0;
  Fnv1a64 expected = FileChecksum(nginx_.docroot() + "/big.bin", &expected_size);
  Fnv1a64 got = FileChecksum(out, &got_size);
  EXPECT_EQ(got_size, kBlocks * kPatternBlockSize);
  EXPECT_EQ(got_size, expected_size);
  EXPECT_EQ(got.hash, expected.hash);
  EXPECT_GT(r.exit.max_rss_kib, 0);
  EXPECT_LT(r.exit.max_rss_kib - baseline.exit.max_rss_kib, 16 * 1024)
      << "peak RSS " << r.exit.max_rss_kib << " KiB for 64 MiB, " << baseline.exit.max_rss_kib << " KiB for 5 bytes";
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(r.exit.max_rss_kib, 32 * 1024) << "peak RSS " << r.exit.max_rss_kib << " KiB";
#endif
}

// ---- bad configurations -------------------------------------------------

class CliConfigTest : public ::testing::Test {
 protected:
  // RunWithConfig writes |json| to a file and runs the CLI with it against
  // an address nothing listens on (the run must fail before connecting).
  RunResult RunWithConfig(const std::string& json, std::string* out_path = nullptr) {
    std::string path = MakeTempDir("cli-config-") + "/strata.json";
    WriteFileOrDie(path, json);
    if (out_path) *out_path = path;
    return RunCli({"-sS", "--config", path, "http://127.0.0.1:9/"});
  }
};

TEST_F(CliConfigTest, UnknownPluginName) {
  RunResult r = RunWithConfig("{\"plugins\": [\"tcp\", \"h1\", \"no-such-plugin\"]}");
  ASSERT_TRUE(r.exit.exited) << Describe(r);
  EXPECT_EQ(r.exit.exit_code, 2) << Describe(r);
  EXPECT_NE(r.stderr_text.find("no-such-plugin"), std::string::npos) << r.stderr_text;
}

TEST_F(CliConfigTest, MissingPluginFile) {
  std::string missing = TestTmpDir() + "/absent/strata-absent.so";
  RunResult r = RunWithConfig("{\"plugins\": [\"tcp\", \"h1\", {\"path\": " + JsonString(missing) + "}]}");
  ASSERT_TRUE(r.exit.exited) << Describe(r);
  EXPECT_EQ(r.exit.exit_code, 2) << Describe(r);
  EXPECT_NE(r.stderr_text.find(missing), std::string::npos) << r.stderr_text;
}

TEST_F(CliConfigTest, WrongAbiMajorNamesFileAndVersions) {
  std::string plugin = RunfilePath("tests/abi/c_plugin/strata-c-passthrough-wrong-major.so");
  RunResult r = RunWithConfig("{\"plugins\": [\"tcp\", \"h1\", {\"path\": " + JsonString(plugin) + "}]}");
  ASSERT_TRUE(r.exit.exited) << Describe(r);
  EXPECT_EQ(r.exit.exit_code, 2) << Describe(r);
  EXPECT_NE(r.stderr_text.find(plugin), std::string::npos) << r.stderr_text;
  std::string plugin_version = std::to_string(STRATA_ABI_MAJOR + 1) + "." + std::to_string(STRATA_ABI_MINOR);
  std::string host_version = std::to_string(STRATA_ABI_MAJOR) + "." + std::to_string(STRATA_ABI_MINOR);
  EXPECT_NE(r.stderr_text.find(plugin_version), std::string::npos) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find(host_version), std::string::npos) << r.stderr_text;
}

TEST_F(CliConfigTest, MalformedJsonNamesLineAndColumn) {
  std::string path;
  RunResult r = RunWithConfig("{\n  \"plugins\": [\"tcp\",\n    \"h1\", ]\n}\n", &path);
  ASSERT_TRUE(r.exit.exited) << Describe(r);
  EXPECT_EQ(r.exit.exit_code, 2) << Describe(r);
  std::regex line_col(R"((line\s*3\D[^0-9]*\d+)|(\b3:\d+\b))", std::regex::icase);
  EXPECT_TRUE(std::regex_search(r.stderr_text, line_col))
      << "stderr must name line 3 and a column: " << r.stderr_text;
}

TEST_F(CliConfigTest, PipelineNamingAnUnknownLayer) {
  RunResult r = RunWithConfig(
      "{\"plugins\": [\"tcp\", \"h1\"], \"pipelines\": {\"http\": [\"tcp\", \"no-such-layer\", \"h1\"]}}");
  ASSERT_TRUE(r.exit.exited) << Describe(r);
  EXPECT_EQ(r.exit.exit_code, 2) << Describe(r);
  EXPECT_NE(r.stderr_text.find("no-such-layer"), std::string::npos) << r.stderr_text;
}

}  // namespace
}  // namespace strata::test
