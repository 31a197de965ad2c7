#include "tests/support/make_build.h"

#include <chrono>

#include "gtest/gtest.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace strata::test {

std::string BuildWithMake(const std::string& makefile, const std::string& product) {
  std::string out = MakeTempDir("make-build");
  ProcessOptions make;
  make.argv = {"/usr/bin/make", "-f", RunfilePath(makefile), "STRATA_INCLUDE=" + RunfilePath("api"), "O=" + out};
  make.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}};
  RunResult r = RunProcess(make, std::chrono::seconds(120));
  EXPECT_TRUE(r.start_error.empty()) << r.start_error;
  EXPECT_TRUE(r.exit.exited && r.exit.exit_code == 0) << r.exit.Describe() << "\n" << r.stdout_text << r.stderr_text;
  const std::string path = out + "/" + product;
  EXPECT_TRUE(FileExists(path)) << r.stdout_text << r.stderr_text;
  return path;
}

}  // namespace strata::test
