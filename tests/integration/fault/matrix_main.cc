// The fault matrix tests' main: gtest's flags, plus `--seeds N` (seeds
// 1..N instead of the CI's fixed list) for soak runs:
//   bazel test //tests/integration/fault:fault_matrix_test --test_arg=--seeds --test_arg=50
#include <cstdlib>
#include <cstring>

#include "gtest/gtest.h"
#include "tests/integration/fault/fault_matrix.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seeds") == 0 && i + 1 < argc) strata::test::SetSeedCount(std::atoi(argv[i + 1]));
  }
  return RUN_ALL_TESTS();
}
