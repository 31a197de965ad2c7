#include "tools/cli/output_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

std::string TmpPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(OutputSink, SmallAndLargeWritesArriveInOrder) {
  std::string path = TmpPath("sink.out");
  auto sink = OutputSink::ForFile(path);
  std::string big(1 << 20, 'b');
  ASSERT_TRUE(sink != nullptr);
  std::string expected;
  for (int i = 0; i < 1000; ++i) {
    std::string small = std::to_string(i);
    ASSERT_TRUE(sink->Write(small).ok());
    expected += small;
  }
  ASSERT_TRUE(sink->Write(big).ok());
  expected += big;
  ASSERT_TRUE(sink->Write("end").ok());
  expected += "end";
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(Slurp(path), expected);
}

TEST(OutputSink, OpenFailureNamesTheFileAtTheFirstWrite) {
  auto sink = OutputSink::ForFile("/nonexistent/dir/file");
  absl::Status s = sink->Write("x");
  s.Update(sink->Close());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/dir/file"), std::string::npos);
}

TEST(OutputSink, FileIsCreatedOnlyWhenWrittenOrOpened) {
  std::string path = TmpPath("lazy.out");
  std::remove(path.c_str());
  {
    auto sink = OutputSink::ForFile(path);
    ASSERT_TRUE(sink->Close().ok());
  }
  EXPECT_NE(access(path.c_str(), F_OK), 0) << "no bytes, no file";
  auto sink = OutputSink::ForFile(path);
  ASSERT_TRUE(sink->Open().ok());
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(access(path.c_str(), F_OK), 0);
  EXPECT_EQ(Slurp(path), "");
}

TEST(OutputSink, WriteErrorIsStickyAndNamed) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);  // nobody reads: writes get EPIPE (SIGPIPE ignored below)
  signal(SIGPIPE, SIG_IGN);
  auto sink = OutputSink::ForFd(fds[1], /*interactive=*/true);
  absl::Status first = sink->Write("x");
  EXPECT_FALSE(first.ok());
  EXPECT_NE(first.message().find("Failure writing output"), std::string::npos);
  EXPECT_FALSE(sink->Write("y").ok());
  close(fds[1]);
}

TEST(OutputSink, RemoteName) {
  EXPECT_EQ(RemoteName("http://h/a/b/file.tar.gz?x=1#f"), "file.tar.gz");
  EXPECT_EQ(RemoteName("http://h/file"), "file");
  EXPECT_EQ(RemoteName("http://h/dir/"), "");
  EXPECT_EQ(RemoteName("http://h"), "");
  EXPECT_EQ(RemoteName("http://h?q=/x"), "");
}

}  // namespace
}  // namespace strata::cli

namespace strata::cli {
namespace {

// -J: the file is named late and never replaces an existing one.
TEST(OutputSink, OpenNewCreatesButNeverReplaces) {
  const std::string fresh = TmpPath("open-new.txt");
  std::remove(fresh.c_str());
  auto sink = OutputSink::ForFile(TmpPath("url-name.txt"));
  ASSERT_TRUE(sink->OpenNew(fresh).ok());
  ASSERT_TRUE(sink->Write("body").ok());
  ASSERT_TRUE(sink->Close().ok());
  EXPECT_EQ(Slurp(fresh), "body");
  EXPECT_EQ(access(TmpPath("url-name.txt").c_str(), F_OK), -1);

  auto again = OutputSink::ForFile("");
  absl::Status refused = again->OpenNew(fresh);
  EXPECT_EQ(refused.message(), "Failed to open the file " + fresh + ": File exists");
  EXPECT_FALSE(again->Write("x").ok());
  EXPECT_EQ(Slurp(fresh), "body");

  EXPECT_FALSE(OutputSink::ForFile("")->OpenNew("").ok());
  // Not after the sink has written.
  auto used = OutputSink::ForFile(TmpPath("used.txt"));
  ASSERT_TRUE(used->Write("x").ok());
  ASSERT_TRUE(used->Flush().ok());
  EXPECT_FALSE(used->OpenNew(TmpPath("other.txt")).ok());
}

}  // namespace
}  // namespace strata::cli
