// --trace, --trace-ascii and --trace-time side by side with the installed
// curl (7.88) against nginx: the data blocks (request head, response head
// lines, bodies) must be the same bytes in the same layout; the "== Info"
// lines are each client's own words.
#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/side_by_side.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

// Blocks splits a trace into its blocks, without the "== Info" ones and
// without the one holding the Date header (a second may pass between runs).
std::vector<std::string> DataBlocks(const std::string& trace) {
  std::vector<std::string> blocks;
  std::istringstream in(trace);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("== Info", 0) == 0 || line.rfind("=> ", 0) == 0 || line.rfind("<= ", 0) == 0) {
      blocks.push_back("");
    }
    if (blocks.empty()) blocks.push_back("");
    blocks.back() += line + "\n";
  }
  std::vector<std::string> kept;
  for (const std::string& b : blocks) {
    if (b.rfind("== Info", 0) == 0 || b.find("Date: ") != std::string::npos) continue;
    kept.push_back(b);
  }
  return kept;
}

std::string Join(const std::vector<std::string>& blocks) {
  std::string out;
  for (const std::string& b : blocks) out += b;
  return out;
}

class CliTraceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    nginx_ = new NginxFixture();
    std::string e;
    ASSERT_TRUE(nginx_->Start(&e)) << e;
    nginx_->WriteDocFile("page.txt", "line one\r\nline two\n" + std::string(150, 'x') + std::string("\x01\x02", 2));
  }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
  }
  static NginxFixture* nginx_;
};
NginxFixture* CliTraceTest::nginx_ = nullptr;

TEST_F(CliTraceTest, AsciiTraceOfAGetIsCurls) {
  const std::vector<std::string> args = {"-s", "-A", "x", "--trace-ascii", "-", "-o", "/dev/null",
                                         nginx_->Url("/page.txt")};
  RunResult curl = RunCli(false, args), strata = RunCli(true, args);
  ASSERT_EQ(strata.exit.exit_code, 0) << strata.stderr_text;
  std::vector<std::string> c = DataBlocks(curl.stdout_text), s = DataBlocks(strata.stdout_text);
  EXPECT_EQ(Join(s), Join(c)) << "curl:\n" << curl.stdout_text << "\nstrata:\n" << strata.stdout_text;
  ASSERT_GE(s.size(), 4u);
  EXPECT_EQ(s.front().substr(0, 30), "=> Send header, 77 bytes (0x4d");
  EXPECT_NE(strata.stdout_text.find("== Info: "), std::string::npos);
}

TEST_F(CliTraceTest, HexTraceOfAGetIsCurls) {
  const std::vector<std::string> args = {"-s", "-A", "x", "--trace", "-", "-o", "/dev/null",
                                         nginx_->Url("/page.txt")};
  RunResult curl = RunCli(false, args), strata = RunCli(true, args);
  ASSERT_EQ(strata.exit.exit_code, 0) << strata.stderr_text;
  EXPECT_EQ(Join(DataBlocks(strata.stdout_text)), Join(DataBlocks(curl.stdout_text)))
      << "curl:\n" << curl.stdout_text << "\nstrata:\n" << strata.stdout_text;
}

TEST_F(CliTraceTest, PostBodyIsTracedAfterItsHead) {
  // Both send the same fields; strata puts Content-Type before User-Agent,
  // so the head is compared as a set of lines, the rest as bytes.
  const std::vector<std::string> args = {"-s", "-A", "x", "-d", "a=1&b=2", "--trace-ascii", "-", "-o", "/dev/null",
                                         nginx_->Url("/page.txt")};
  RunResult curl = RunCli(false, args), strata = RunCli(true, args);
  std::vector<std::string> c = DataBlocks(curl.stdout_text), s = DataBlocks(strata.stdout_text);
  ASSERT_GE(c.size(), 3u);
  ASSERT_EQ(s.size(), c.size()) << strata.stdout_text;
  auto lines = [](const std::string& block) {
    std::multiset<std::string> out;
    std::istringstream in(block);
    for (std::string line; std::getline(in, line);) out.insert(line.substr(line.find(' ') + 1));
    return out;
  };
  EXPECT_EQ(lines(s[0]), lines(c[0])) << s[0] << c[0];
  EXPECT_EQ(s[1], "=> Send data, 7 bytes (0x7)\n0000: a=1&b=2\n");
  EXPECT_EQ(s[1], c[1]);
  for (size_t i = 2; i < c.size(); ++i) EXPECT_EQ(s[i], c[i]);
}

TEST_F(CliTraceTest, TraceTimeStampsEveryBlockAndToAFile) {
  const std::string dir = MakeTempDir("trace");
  RunResult strata = RunCli(true, {"-s", "--trace-ascii", dir + "/t.txt", "--trace-time", nginx_->Url("/page.txt")});
  ASSERT_EQ(strata.exit.exit_code, 0) << strata.stderr_text;
  std::ifstream file(dir + "/t.txt");
  std::stringstream text;
  text << file.rdbuf();
  const std::regex stamped(R"(^\d\d:\d\d:\d\d\.\d{6} (== Info: |=> Send |<= Recv ).*)");
  const std::regex data_line(R"(^[0-9a-f]{4}: .*)");
  int stamped_lines = 0;
  std::istringstream in(text.str());
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, stamped)) {
      ++stamped_lines;
    } else {
      EXPECT_TRUE(std::regex_match(line, data_line)) << line;
    }
  }
  EXPECT_GE(stamped_lines, 5) << text.str();
  // The body still went to stdout.
  EXPECT_EQ(strata.stdout_text.substr(0, 8), "line one");
}

TEST_F(CliTraceTest, VerboseAndTraceOverrideEachOtherWithCurlsWarning) {
  for (const std::vector<std::string>& order :
       {std::vector<std::string>{"--trace-ascii", "%", "-v"}, std::vector<std::string>{"-v", "--trace", "%"},
        std::vector<std::string>{"--trace", "%", "--trace-ascii", "%"}}) {
    std::vector<std::string> args = order;
    args.insert(args.end(), {"-o", "/dev/null", "--no-progress-meter", nginx_->Url("/page.txt")});
    RunResult curl = RunCli(false, args), strata = RunCli(true, args);
    const std::string warning = curl.stderr_text.substr(0, curl.stderr_text.find('\n') + 1);
    ASSERT_EQ(warning.rfind("Warning: ", 0), 0u) << curl.stderr_text;
    EXPECT_EQ(strata.stderr_text.substr(0, warning.size()), warning) << strata.stderr_text;
  }
  // "%" is stderr: the trace is there, not on stdout.
  RunResult strata = RunCli(true, {"-s", "--trace-ascii", "%", "-o", "/dev/null", nginx_->Url("/page.txt")});
  EXPECT_NE(strata.stderr_text.find("=> Send header"), std::string::npos);
  EXPECT_EQ(strata.stdout_text, "");
}

}  // namespace
}  // namespace strata::test
