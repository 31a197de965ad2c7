#include "tools/cli/content_disposition.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

std::optional<std::string> Name(const std::string& value) {
  return FilenameFromContentDisposition("Content-Disposition: " + value);
}

TEST(ContentDisposition, QuotedAndUnquotedNames) {
  EXPECT_EQ(Name("attachment; filename=\"a b.txt\""), "a b.txt");
  EXPECT_EQ(Name("attachment; filename='single.txt'"), "single.txt");
  EXPECT_EQ(Name("inline;filename=x.txt"), "x.txt");
  // Unquoted: up to ';', trailing and leading spaces kept as curl keeps them.
  EXPECT_EQ(Name("attachment; filename=plain name.txt ; x=y"), "plain name.txt ");
  EXPECT_EQ(Name("attachment; filename=   sp.txt"), "   sp.txt");
  // A quoted value may hold ';'.
  EXPECT_EQ(Name("attachment; filename=\"a;b.txt\"; size=3"), "a;b.txt");
}

TEST(ContentDisposition, HeaderNameIsCaseInsensitiveButTheParameterIsNot) {
  EXPECT_EQ(FilenameFromContentDisposition("content-disposition: attachment; filename=x"), "x");
  EXPECT_EQ(Name("attachment; FILENAME=\"upper.txt\""), std::nullopt);
  EXPECT_EQ(Name("attachment; filename*=UTF-8''star.txt"), std::nullopt);
  EXPECT_EQ(FilenameFromContentDisposition("Content-Type: text/plain; filename=x"), std::nullopt);
  EXPECT_FALSE(IsContentDispositionLine("Content-Dispositio: x"));
  EXPECT_TRUE(IsContentDispositionLine("CONTENT-DISPOSITION: x"));
}

TEST(ContentDisposition, OnlyTheFirstFilenameCounts) {
  EXPECT_EQ(Name("filename=\"first.txt\"; filename=\"second.txt\""), "first.txt");
  EXPECT_EQ(Name("attachment; name=x; filename=y.txt"), "y.txt");
  EXPECT_EQ(Name("attachment"), std::nullopt);
  EXPECT_EQ(Name(""), std::nullopt);
}

TEST(ContentDisposition, DirectoriesAreStripped) {
  EXPECT_EQ(Name("attachment; filename=\"../../etc/passwd\""), "passwd");
  EXPECT_EQ(Name("attachment; filename=/etc/shadow"), "shadow");
  EXPECT_EQ(Name("attachment; filename=\"..\\\\..\\\\win.ini\""), "win.ini");
  EXPECT_EQ(Name("attachment; filename=\"a/b\\\\c.txt\""), "c.txt");
  // Nothing after the last separator: no name from the header at all.
  EXPECT_EQ(Name("attachment; filename=\"dir/\""), std::nullopt);
  EXPECT_EQ(Name("attachment; filename=\"dir\\\\\""), std::nullopt);
  // ".." survives (curl's rule); creating it fails since it exists.
  EXPECT_EQ(Name("attachment; filename=\"..\""), "..");
}

TEST(ContentDisposition, EmptyAndUnterminatedValues) {
  EXPECT_EQ(Name("attachment; filename=\"\""), "");
  EXPECT_EQ(Name("attachment; filename="), "");
  EXPECT_EQ(Name("attachment; filename=\"unterminated"), "unterminated");
  EXPECT_EQ(Name("attachment; filename='unterminated; x=y"), "unterminated; x=y");
  EXPECT_EQ(Name("attachment; filename=\"x"), "x");
}

TEST(ContentDisposition, HostileValues) {
  const std::string long_name(100000, 'a');
  EXPECT_EQ(Name("attachment; filename=\"" + long_name + "\""), long_name);
  EXPECT_EQ(Name(std::string("attachment; filename=\"a\0b\"", 25)), "a");
  EXPECT_EQ(Name("attachment; filename=\"a\rb\""), "a");
  EXPECT_EQ(Name(";;;;;;;;"), std::nullopt);
  EXPECT_EQ(Name("filename"), std::nullopt);
  EXPECT_EQ(Name("\"\"\"\""), std::nullopt);
}

}  // namespace
}  // namespace strata::cli

namespace strata::cli {
namespace {

// Random header lines: a name never keeps a '/' or '\', never grows past
// the line (run under ASan too).
TEST(ContentDisposition, RandomLinesAreSafe) {
  const std::string alphabet = "filename=\"';/\\ ax\r\n";
  uint32_t seed = 7;
  for (int i = 0; i < 5000; ++i) {
    std::string line = "Content-Disposition: ";
    for (int k = 0; k < i % 60; ++k) {
      seed = seed * 1103515245u + 12345u;
      line.push_back(alphabet[(seed >> 16) % alphabet.size()]);
    }
    std::optional<std::string> name = FilenameFromContentDisposition(line);
    if (!name) continue;
    EXPECT_EQ(name->find('/'), std::string::npos) << line;
    EXPECT_EQ(name->find('\\'), std::string::npos) << line;
    EXPECT_LE(name->size(), line.size());
  }
}

}  // namespace
}  // namespace strata::cli
