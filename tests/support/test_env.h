// test_env.h — where a test may put files and where it finds its data.
//
// Bazel gives every test a private $TEST_TMPDIR and a runfiles tree under
// $TEST_SRCDIR; tests must keep all their files in the former and find
// built artifacts (//tools:dist) in the latter. Outside Bazel, /tmp is used.
#ifndef STRATA_TESTS_SUPPORT_TEST_ENV_H_
#define STRATA_TESTS_SUPPORT_TEST_ENV_H_

#include <string>

namespace strata::test {

// TestTmpDir returns $TEST_TMPDIR (or /tmp).
std::string TestTmpDir();

// MakeTempDir creates a fresh directory under TestTmpDir() whose name starts
// with |prefix| and returns its absolute path. Aborts on failure.
std::string MakeTempDir(const std::string& prefix);

// RunfilePath returns the absolute path of |workspace_relative| (for example
// "tools/libstrata.so") in this test's runfiles tree.
std::string RunfilePath(const std::string& workspace_relative);

// FileExists is true when |path| names an existing file or directory.
bool FileExists(const std::string& path);

// ReadFileOrDie returns the whole content of |path|; aborts if unreadable.
std::string ReadFileOrDie(const std::string& path);
// ReadFileIfExists returns the content of |path|, or "" if it cannot be read.
std::string ReadFileIfExists(const std::string& path);
// WriteFileOrDie creates or replaces |path| with |content|.
void WriteFileOrDie(const std::string& path, const std::string& content);

}  // namespace strata::test

#endif  // STRATA_TESTS_SUPPORT_TEST_ENV_H_
