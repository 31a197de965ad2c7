#include "tests/support/test_env.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace strata::test {

std::string TestTmpDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

std::string MakeTempDir(const std::string& prefix) {
  std::string pattern = TestTmpDir() + "/" + prefix + "XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    std::perror(("MakeTempDir: mkdtemp " + pattern).c_str());
    std::abort();
  }
  return buf.data();
}

std::string RunfilePath(const std::string& workspace_relative) {
  // TEST_SRCDIR points at the runfiles root; our workspace is named
  // "strata" in WORKSPACE, so its files sit under strata/.
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::string root = srcdir && *srcdir ? srcdir : ".";
  return root + "/strata/" + workspace_relative;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string ReadFileIfExists(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "ReadFileOrDie: cannot open %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteFileOrDie(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "WriteFileOrDie: cannot write %s\n", path.c_str());
    std::abort();
  }
}

}  // namespace strata::test
