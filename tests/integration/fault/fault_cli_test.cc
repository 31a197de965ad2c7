// `strata --fault` end to end: the CLI binary from //tools:dist against
// nginx on 127.0.0.1. chunk=1 still fetches the exact file; refuse gives
// the exit code curl gives for a refused connection (7, checked next to
// the installed curl against a closed port) and a message naming the
// fault; -v shows what the fault layer did; a bad key is a usage error.
#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/free_port.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using std::chrono::seconds;

RunResult RunArgv(std::vector<std::string> argv) {
  ProcessOptions opts;
  opts.argv = std::move(argv);
  opts.env = {{"HOME", TestTmpDir()}};
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    opts.env.emplace_back(name, "");
  }
  RunResult r = RunProcess(opts, seconds(60));
  EXPECT_EQ(r.start_error, "");
  EXPECT_FALSE(r.exit.timed_out);
  return r;
}

RunResult Strata(std::vector<std::string> args) {
  args.insert(args.begin(), {RunfilePath("tools/strata"), "--max-time", "20"});
  return RunArgv(std::move(args));
}

std::string Describe(const RunResult& r) {
  return r.exit.Describe() + "\nstderr: " + r.stderr_text.substr(0, 3000);
}

class FaultCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    nginx_ = new NginxFixture();
    for (int i = 0; i < 3000; ++i) body_ += "line " + std::to_string(i) + " of the fault test file\n";
    nginx_->WriteDocFile("file.txt", body_);
    std::string e;
    started_ = nginx_->Start(&e);
    error_ = e;
  }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(started_) << error_; }

  static NginxFixture* nginx_;
  static std::string body_;
  static bool started_;
  static std::string error_;
};

NginxFixture* FaultCli::nginx_ = nullptr;
std::string FaultCli::body_;
bool FaultCli::started_ = false;
std::string FaultCli::error_;

TEST_F(FaultCli, ChunkOneFetchesTheExactFile) {
  RunResult r = Strata({"-s", "--fault", "chunk=1", nginx_->Url("/file.txt")});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_EQ(r.stdout_text, body_);
}

TEST_F(FaultCli, VerboseShowsTheFaultLayerInTheChainAndWhatItDid) {
  RunResult r = Strata({"-v", "-o", "/dev/null", "--fault", "chunk=3,read_delay_ms=5", nginx_->Url("/file.txt")});
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << Describe(r);
  EXPECT_NE(r.stderr_text.find("* fault: hop 1: read_delay_ms=5 chunk=3"), std::string::npos) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("* fault: delaying each read by 5 ms (read_delay_ms)"), std::string::npos)
      << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("tcp(127.0.0.1:" + std::to_string(nginx_->port()) + ") \xe2\x86\x92 fault("),
            std::string::npos)
      << r.stderr_text;
}

TEST_F(FaultCli, RefuseExitsSevenAsCurlDoesForARefusedConnect) {
  const std::string closed = "http://127.0.0.1:" + std::to_string(FreePort()) + "/";
  RunResult curl = RunArgv({"/usr/bin/curl", "-s", "--max-time", "20", closed});
  ASSERT_TRUE(curl.exit.exited) << Describe(curl);
  EXPECT_EQ(curl.exit.exit_code, 7);

  RunResult r = Strata({"--fault", "refuse=ECONNREFUSED", nginx_->Url("/file.txt")});
  ASSERT_TRUE(r.exit.exited) << Describe(r);
  EXPECT_EQ(r.exit.exit_code, curl.exit.exit_code) << Describe(r);
  EXPECT_EQ(r.stdout_text, "");
  EXPECT_NE(r.stderr_text.find("strata: (7) fault: connect failed: ECONNREFUSED (connection refused), injected "
                               "by the fault layer (refuse=ECONNREFUSED) (hop 1, "),
            std::string::npos)
      << r.stderr_text;
  // -s silences it, as any error.
  RunResult quiet = Strata({"-s", "--fault", "refuse=ECONNREFUSED", nginx_->Url("/file.txt")});
  EXPECT_EQ(quiet.exit.exit_code, 7);
  EXPECT_EQ(quiet.stderr_text, "");
}

TEST_F(FaultCli, ResetAfterInIsCurlsRecvError) {
  RunResult r = Strata({"-sS", "-o", "/dev/null", "--fault", "reset_after_in=5000", nginx_->Url("/file.txt")});
  ASSERT_TRUE(r.exit.exited) << Describe(r);
  EXPECT_EQ(r.exit.exit_code, 56) << Describe(r);  // curl's CURLE_RECV_ERROR for a reset
  EXPECT_NE(r.stderr_text.find("reset_after_in=5000"), std::string::npos) << r.stderr_text;
}

TEST_F(FaultCli, BadKeyOrValueIsAUsageError) {
  RunResult r = Strata({"--fault", "chunky=1", nginx_->Url("/file.txt")});
  ASSERT_TRUE(r.exit.exited) << Describe(r);
  EXPECT_EQ(r.exit.exit_code, 2);
  EXPECT_EQ(r.stderr_text.rfind("strata: option --fault: unknown fault option 'chunky'", 0), 0u) << r.stderr_text;

  RunResult v = Strata({"--fault", "refuse=EWHAT", nginx_->Url("/file.txt")});
  EXPECT_EQ(v.exit.exit_code, 2);
  EXPECT_EQ(v.stderr_text.rfind("strata: option --fault: fault option 'refuse' must be an errno name", 0), 0u)
      << v.stderr_text;
  // Nothing reached the server.
  EXPECT_TRUE(nginx_->AccessLog().empty() || nginx_->AccessLog().size() < 100);
}

}  // namespace
}  // namespace strata::test
