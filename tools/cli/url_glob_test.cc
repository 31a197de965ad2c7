#include "tools/cli/url_glob.h"

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

std::vector<std::string> Urls(absl::string_view url) {
  auto g = ExpandUrlGlob(url);
  EXPECT_TRUE(g.ok()) << g.status();
  std::vector<std::string> out;
  if (g.ok()) {
    for (const GlobbedUrl& u : *g) out.push_back(u.url);
  }
  return out;
}

TEST(UrlGlob, RangesListsAndOrder) {
  EXPECT_EQ(Urls("http://h/f[1-3].txt"), (std::vector<std::string>{"http://h/f1.txt", "http://h/f2.txt", "http://h/f3.txt"}));
  EXPECT_EQ(Urls("http://h/[08-11]"), (std::vector<std::string>{"http://h/08", "http://h/09", "http://h/10", "http://h/11"}));
  EXPECT_EQ(Urls("http://h/[1-6:2]"), (std::vector<std::string>{"http://h/1", "http://h/3", "http://h/5"}));
  EXPECT_EQ(Urls("http://h/[a-c]"), (std::vector<std::string>{"http://h/a", "http://h/b", "http://h/c"}));
  // The last pattern turns fastest, as in curl.
  EXPECT_EQ(Urls("http://h/{a,b}[1-2]"),
            (std::vector<std::string>{"http://h/a1", "http://h/a2", "http://h/b1", "http://h/b2"}));
  EXPECT_EQ(Urls("http://h/{,x}"), (std::vector<std::string>{"http://h/", "http://h/x"}));
}

TEST(UrlGlob, LiteralsAndIpv6) {
  EXPECT_EQ(Urls("http://h/plain"), (std::vector<std::string>{"http://h/plain"}));
  EXPECT_EQ(Urls("http://[::1]:8080/x"), (std::vector<std::string>{"http://[::1]:8080/x"}));
  EXPECT_EQ(Urls("http://h/\\[1-2\\]"), (std::vector<std::string>{"http://h/[1-2]"}));
}

TEST(UrlGlob, ErrorsAsCurlWordsThem) {
  auto bad = ExpandUrlGlob("http://127.0.0.1:39222/[bad");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "bad range in URL position 25:\nhttp://127.0.0.1:39222/[bad\n                        ^");
  auto brace = ExpandUrlGlob("http://127.0.0.1:39222/f{a,b");
  ASSERT_FALSE(brace.ok());
  EXPECT_EQ(brace.status().message(),
            "unmatched brace in URL position 25:\nhttp://127.0.0.1:39222/f{a,b\n                        ^");
  for (const char* u : {"http://h/[3-1]", "http://h/[1-]", "http://h/[a-Z]", "http://h/[1-2:0]", "http://h/{a{b}}",
                        "http://h/x]"}) {
    EXPECT_FALSE(ExpandUrlGlob(u).ok()) << u;
  }
  EXPECT_FALSE(ExpandUrlGlob("http://h/[1-1000][1-1000]").ok());
}

TEST(UrlGlob, GlobOffEscapesOnlyAfterTheAuthority) {
  EXPECT_EQ(EscapeGlobCharacters("http://[::1]:80/f[1-3]{a}?q=[x]"), "http://[::1]:80/f%5B1-3%5D%7Ba%7D?q=%5Bx%5D");
  EXPECT_EQ(EscapeGlobCharacters("http://h"), "http://h");
}

TEST(UrlGlob, OutputNames) {
  EXPECT_EQ(GlobOutputName("out_#1_#2.txt", {"a", "7"}), "out_a_7.txt");
  EXPECT_EQ(GlobOutputName("#3#", {"a"}), "#3#");
  EXPECT_EQ(GlobOutputName("plain", {}), "plain");
}

}  // namespace
}  // namespace strata::cli
