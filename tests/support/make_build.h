// make_build.h — build an example plugin the way a user does: its own
// Makefile, a plain compiler, and only the public headers (api/ from the
// runfiles stands in for an installed include directory).
#ifndef STRATA_TESTS_SUPPORT_MAKE_BUILD_H_
#define STRATA_TESTS_SUPPORT_MAKE_BUILD_H_

#include <string>

namespace strata::test {

// BuildWithMake runs the Makefile at runfile path |makefile| with
// STRATA_INCLUDE=<runfiles>/api and O=<a fresh directory> and returns the
// path of |product| there. A failed build is a (non-fatal) test failure
// with make's output, and the returned file then does not exist.
std::string BuildWithMake(const std::string& makefile, const std::string& product);

}  // namespace strata::test

#endif  // STRATA_TESTS_SUPPORT_MAKE_BUILD_H_
