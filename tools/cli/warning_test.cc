#include "tools/cli/warning.h"

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

TEST(Warning, ShortMessagesTakeOneLine) {
  EXPECT_EQ(FormatCurlWarning("Failed to open /x!"), "Warning: Failed to open /x!\n");
}

// The text curl 7.88 prints for "-r abc", byte for byte.
TEST(Warning, LongMessagesAreCutAfterASpaceAsCurlDoes) {
  EXPECT_EQ(FormatCurlWarning("Invalid character is found in given range. A specified range MUST have only "
                              "digits in 'start'-'stop'. The server's response to this request is uncertain."),
            "Warning: Invalid character is found in given range. A specified range MUST \n"
            "Warning: have only digits in 'start'-'stop'. The server's response to this \n"
            "Warning: request is uncertain.\n");
}

// curl's retry warning ends in "\n", which counts: 70 characters plus the
// newline wrap, as "curl --retry 1 --retry-connrefused" prints it.
TEST(Warning, ATrailingNewlineCountsTowardsTheWidth) {
  EXPECT_EQ(FormatCurlWarning("Problem : connection refused. Will retry in 1 seconds. 1 retries left.\n"),
            "Warning: Problem : connection refused. Will retry in 1 seconds. 1 retries \n"
            "Warning: left.\n");
  EXPECT_EQ(FormatCurlWarning("Problem : connection refused. Will retry in 1 seconds. 1 retries left."),
            "Warning: Problem : connection refused. Will retry in 1 seconds. 1 retries left.\n");
  EXPECT_EQ(FormatCurlWarning("Problem : HTTP error. Will retry in 1 seconds. 3 retries left.\n"),
            "Warning: Problem : HTTP error. Will retry in 1 seconds. 3 retries left.\n");
}

TEST(Warning, AWordLongerThanALineIsCut) {
  const std::string word(100, 'x');
  EXPECT_EQ(FormatCurlWarning(word),
            "Warning: " + std::string(70, 'x') + "\nWarning: " + std::string(30, 'x') + "\n");
}

}  // namespace
}  // namespace strata::cli
