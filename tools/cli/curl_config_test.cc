#include "tools/cli/curl_config.h"

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

std::optional<bool> Takes(absl::string_view dashed) {
  if (dashed == "--silent" || dashed == "-s" || dashed == "--show-error") return false;
  if (dashed == "--url" || dashed == "-o" || dashed == "--header" || dashed == "--write-out") return true;
  return std::nullopt;
}

TEST(CurlConfig, EveryLineForm) {
  CurlConfigWords w = ParseCurlConfig(
      "# a comment\n"
      "   \n"
      "silent\n"
      "--show-error\n"
      "url = \"http://h/a b\"\n"
      "-o /tmp/out.txt\n"
      "header: \"X-A: \\\"q\\\" \\t end\"\n"
      "write-out=[%{http_code}]\\n\r\n"
      "  url http://h/second   trailing\n",
      "f.cfg", Takes);
  EXPECT_EQ(w.words, (std::vector<std::string>{"--silent", "--show-error", "--url", "http://h/a b", "-o", "/tmp/out.txt",
                                               "--header", "X-A: \"q\" \t end", "--write-out", "[%{http_code}]\\n",
                                               "--url", "http://h/second"}));
  EXPECT_TRUE(w.warnings.empty());
}

TEST(CurlConfig, UnknownOptionsWarnAndAreSkipped) {
  CurlConfigWords w = ParseCurlConfig("bogus-opt\nurl http://h/\n--nope x\n", "k2.cfg", Takes);
  EXPECT_EQ(w.words, (std::vector<std::string>{"--url", "http://h/"}));
  EXPECT_EQ(w.warnings, (std::vector<std::string>{"k2.cfg:1: warning: 'bogus-opt' is unknown",
                                                  "k2.cfg:3: warning: '--nope' is unknown"}));
}

TEST(CurlConfig, MissingValueIsEmpty) {
  CurlConfigWords w = ParseCurlConfig("url\n", "f", Takes);
  EXPECT_EQ(w.words, (std::vector<std::string>{"--url", ""}));
}

}  // namespace
}  // namespace strata::cli
