// The CLI when its output is a terminal, side by side with the installed
// curl (7.88): both run under a pseudo-terminal (forkpty), so isatty() is
// true for them as for a user at a shell.
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

struct PtyRun {
  std::string output;  // stdout and stderr, as the terminal showed them
  int exit_code = -1;
};

// RunInPty runs |argv| with a pseudo-terminal as its stdin, stdout and
// stderr, collects what it writes and kills it after |timeout|.
PtyRun RunInPty(const std::vector<std::string>& argv, std::chrono::seconds timeout = std::chrono::seconds(20)) {
  PtyRun run;
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) return run;
  if (pid == 0) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    setenv("HOME", TestTmpDir().c_str(), 1);
    execv(args[0], args.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pid = -1;
        break;
      }
      continue;
    }
    ssize_t n = read(master, buf, sizeof(buf));
    if (n <= 0) break;  // EIO: the child closed the terminal
    run.output.append(buf, static_cast<size_t>(n));
  }
  if (pid > 0) {
    // Wait for the exit, bounded; kill a child that hangs.
    for (int i = 0; i < 50; ++i) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pid = -1;
        break;
      }
      usleep(100000);
    }
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  close(master);
  return run;
}

class CliTerminalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    nginx_ = new NginxFixture();
    std::string e;
    ASSERT_TRUE(nginx_->Start(&e)) << e;
    nginx_->WriteDocFile("nul.bin", std::string("a\0b", 3));
    nginx_->WriteDocFile("text.txt", "plain text\n");
  }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
  }
  static NginxFixture* nginx_;
};

NginxFixture* CliTerminalTest::nginx_ = nullptr;

std::string Strata() { return RunfilePath("tools/strata"); }

// The warning's text names the program; everything else is curl's.
std::string AsCurlWould(std::string text) {
  for (size_t at = text.find("strata"); at != std::string::npos; at = text.find("strata", at + 4)) {
    text.replace(at, 6, "curl");
  }
  return text;
}

TEST_F(CliTerminalTest, BinaryOutputToATerminalIsRefusedLikeCurl) {
  const std::string url = nginx_->Url("/nul.bin");
  PtyRun curl = RunInPty({"/usr/bin/curl", url});
  PtyRun strata = RunInPty({Strata(), url});
  EXPECT_EQ(curl.exit_code, 23) << curl.output;
  EXPECT_EQ(strata.exit_code, 23) << strata.output;
  EXPECT_EQ(AsCurlWould(strata.output), curl.output);
  EXPECT_NE(strata.output.find("Warning: Binary output can mess up your terminal."), std::string::npos)
      << strata.output;
}

TEST_F(CliTerminalTest, SilentRefusesQuietly) {
  const std::string url = nginx_->Url("/nul.bin");
  PtyRun curl = RunInPty({"/usr/bin/curl", "-s", url});
  PtyRun strata = RunInPty({Strata(), "-s", url});
  EXPECT_EQ(curl.exit_code, 23);
  EXPECT_EQ(strata.exit_code, 23);
  EXPECT_EQ(curl.output, "");
  EXPECT_EQ(strata.output, "");
}

TEST_F(CliTerminalTest, OutputDashWritesBinaryAnyway) {
  const std::string url = nginx_->Url("/nul.bin");
  PtyRun curl = RunInPty({"/usr/bin/curl", "-s", "-o", "-", url});
  PtyRun strata = RunInPty({Strata(), "-s", "-o", "-", url});
  EXPECT_EQ(curl.exit_code, 0);
  EXPECT_EQ(strata.exit_code, 0) << strata.output;
  EXPECT_EQ(strata.output, std::string("a\0b", 3));
  EXPECT_EQ(strata.output, curl.output);
}

TEST_F(CliTerminalTest, TextOutputIsWritten) {
  const std::string url = nginx_->Url("/text.txt");
  PtyRun curl = RunInPty({"/usr/bin/curl", "-s", url});
  PtyRun strata = RunInPty({Strata(), "-s", url});
  EXPECT_EQ(strata.exit_code, 0);
  EXPECT_EQ(strata.output, curl.output);
  EXPECT_EQ(strata.output, "plain text\r\n");  // the terminal's ONLCR
}

}  // namespace
}  // namespace strata::test
