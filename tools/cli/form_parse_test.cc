#include "tools/cli/form_parse.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

ParsedForm Parse(const std::string& text, bool literal = false) {
  absl::StatusOr<ParsedForm> parsed = ParseFormArgument(text, literal);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status();
  return parsed.ok() ? *parsed : ParsedForm{};
}

TEST(FormParse, TextFileAndFileContent) {
  ParsedForm text = Parse("name=value");
  EXPECT_EQ(text.field.kind, FormField::Kind::kText);
  EXPECT_EQ(text.field.name, "name");
  ASSERT_EQ(text.field.pieces.size(), 1u);
  EXPECT_EQ(text.field.pieces[0].data, "value");

  ParsedForm file = Parse("f=@dir/a.txt");
  EXPECT_EQ(file.field.kind, FormField::Kind::kFiles);
  EXPECT_EQ(file.field.pieces[0].data, "dir/a.txt");

  ParsedForm content = Parse("c=<-");
  EXPECT_EQ(content.field.kind, FormField::Kind::kFileContent);
  EXPECT_EQ(content.field.pieces[0].data, "-");

  ParsedForm nameless = Parse("=v");
  EXPECT_FALSE(nameless.field.name.has_value());
  EXPECT_TRUE(nameless.warnings.empty());
}

TEST(FormParse, Modifiers) {
  ParsedForm p = Parse("f=@a.bin;type=image/png;filename=shown.png;headers=X-A: 1;headers=@h.txt");
  const FormPiece& piece = p.field.pieces.at(0);
  EXPECT_EQ(piece.data, "a.bin");
  EXPECT_EQ(piece.type, "image/png");
  EXPECT_EQ(piece.filename, "shown.png");
  ASSERT_EQ(piece.headers.size(), 2u);
  EXPECT_FALSE(piece.headers[0].from_file);
  EXPECT_EQ(piece.headers[0].text, "X-A: 1");
  EXPECT_TRUE(piece.headers[1].from_file);
  EXPECT_EQ(piece.headers[1].text, "h.txt");
  // Modifier names are case-insensitive and may be spaced.
  EXPECT_EQ(Parse("a=v ; TYPE= text/x").field.pieces[0].type, "text/x");
}

TEST(FormParse, TypeKeepsItsParameters) {
  EXPECT_EQ(Parse("a=v;type=text/plain; charset=utf-8").field.pieces[0].type, "text/plain; charset=utf-8");
  ParsedForm ended = Parse("a=v;type=text/plain;charset=x;filename=f.txt");
  EXPECT_EQ(ended.field.pieces[0].type, "text/plain;charset=x");
  EXPECT_EQ(ended.field.pieces[0].filename, "f.txt");
}

TEST(FormParse, QuotedWords) {
  ParsedForm p = Parse("g=\"a;b,c\";type=text/x");
  EXPECT_EQ(p.field.pieces[0].data, "a;b,c");
  EXPECT_EQ(p.field.pieces[0].type, "text/x");
  ParsedForm escaped = Parse("f=@a.txt;filename=\"q\\\"u;o,t\\\\e.txt\"");
  EXPECT_EQ(escaped.field.pieces[0].filename, "q\"u;o,t\\e.txt");
  // Text after a closing quote is dropped with curl's warning.
  ParsedForm trailing = Parse("l=\"quo\"ted");
  EXPECT_EQ(trailing.field.pieces[0].data, "quo");
  ASSERT_EQ(trailing.warnings.size(), 1u);
  EXPECT_EQ(trailing.warnings[0], "Trailing data after quoted form parameter\n");
  // An unterminated quote is an ordinary character.
  EXPECT_EQ(Parse("u=\"abc").field.pieces[0].data, "\"abc");
}

TEST(FormParse, SpacesAroundUnquotedWords) {
  EXPECT_EQ(Parse("a=  v w  ").field.pieces[0].data, "v w");
  EXPECT_EQ(Parse("a=\" v \"").field.pieces[0].data, " v ");
}

TEST(FormParse, SeveralFiles) {
  ParsedForm p = Parse("f=@a.txt;type=text/x,b.dat;filename=\"x,y\",c");
  ASSERT_EQ(p.field.pieces.size(), 3u);
  EXPECT_EQ(p.field.pieces[0].data, "a.txt");
  EXPECT_EQ(p.field.pieces[0].type, "text/x");
  EXPECT_EQ(p.field.pieces[1].data, "b.dat");
  EXPECT_EQ(p.field.pieces[1].filename, "x,y");
  EXPECT_EQ(p.field.pieces[2].data, "c");
  // A comma in text is text.
  EXPECT_EQ(Parse("t=a,b").field.pieces[0].data, "a,b");
}

TEST(FormParse, UnknownModifiersAndSemicolonsInText) {
  ParsedForm p = Parse("k=p;foo=bar");
  EXPECT_EQ(p.field.pieces[0].data, "p");
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0], "skip unknown form field: foo=bar\n");
  ParsedForm m = Parse("m=a;b");
  EXPECT_EQ(m.field.pieces[0].data, "a");
  EXPECT_EQ(m.warnings.at(0), "skip unknown form field: b\n");
  ParsedForm filename = Parse("c=<file.txt;filename=x");
  EXPECT_FALSE(filename.field.pieces[0].filename.has_value());
  EXPECT_EQ(filename.warnings.at(0), "Field file name not allowed here: x\n");
}

TEST(FormParse, FormStringIsLiteral) {
  ParsedForm p = Parse("a=@x;type=y", /*literal=*/true);
  EXPECT_EQ(p.field.kind, FormField::Kind::kText);
  EXPECT_EQ(p.field.pieces[0].data, "@x;type=y");
  EXPECT_FALSE(p.field.pieces[0].type.has_value());
}

TEST(FormParse, Errors) {
  for (const char* bad : {"noequals", ""}) {
    absl::StatusOr<ParsedForm> p = ParseFormArgument(bad, false);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().message(), "Illegally formatted input field!");
  }
  EXPECT_FALSE(ParseFormArgument("noequals", true).ok());
  for (const char* bad : {"a=v;type=bad", "a=v;type=/x", "a=v;type=a/", "a=v;type= "}) {
    absl::StatusOr<ParsedForm> p = ParseFormArgument(bad, false);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().message(), "Illegally formatted content-type field!") << bad;
  }
  EXPECT_FALSE(ParseFormArgument("a=(", false).ok());
  EXPECT_FALSE(ParseFormArgument("=)", false).ok());
  EXPECT_FALSE(ParseFormArgument("a=v;encoder=base64", false).ok());
  // The major type is at most 127 characters.
  EXPECT_FALSE(ParseFormArgument("a=v;type=" + std::string(128, 'a') + "/b", false).ok());
  EXPECT_TRUE(ParseFormArgument("a=v;type=" + std::string(127, 'a') + "/b", false).ok());
}

TEST(FormParse, FieldHeaderFiles) {
  std::vector<std::string> warnings;
  std::vector<std::string> headers =
      ParseFieldHeaders("X-H1: one\r\n# comment\nX-H2: two\n  folded\n\n\tX-Cont\nX-Last:  end  ", "h.txt", &warnings);
  EXPECT_EQ(headers, (std::vector<std::string>{"X-H1: one", "X-H2: two  folded\tX-Cont", "X-Last:  end"}));
  EXPECT_TRUE(warnings.empty());
  std::vector<std::string> long_headers = ParseFieldHeaders("X: " + std::string(2000, 'v') + "\nY: 1\n", "h", &warnings);
  ASSERT_EQ(long_headers.size(), 2u);
  EXPECT_EQ(long_headers[0].size(), 998u);
  EXPECT_EQ(long_headers[1], "Y: 1");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "File h line 1: header too long (truncated)\n");
  EXPECT_TRUE(ParseFieldHeaders("", "h", &warnings).empty());
  EXPECT_TRUE(ParseFieldHeaders("#only\n#more\n", "h", &warnings).empty());
  // A line starting with a space continues a header, even after a comment.
  EXPECT_EQ(ParseFieldHeaders("#c\n  x\n", "h", &warnings), std::vector<std::string>{"  x"});
}

}  // namespace
}  // namespace strata::cli

namespace strata::cli {
namespace {

// Hostile arguments: every short string over the grammar's characters, and
// long random ones, parse or fail cleanly (run under ASan too).
TEST(FormParse, HostileArgumentsNeverCrash) {
  const std::string alphabet = "a=@<;,\"\\ /tyepfilnamhdrs(";
  std::string text;
  std::function<void(size_t)> each = [&](size_t left) {
    for (bool literal : {false, true}) {
      absl::StatusOr<ParsedForm> p = ParseFormArgument(text, literal);
      if (p.ok()) EXPECT_FALSE(p->field.pieces.empty()) << text;
    }
    if (left == 0) return;
    for (char c : alphabet) {
      text.push_back(c);
      each(left - 1);
      text.pop_back();
    }
  };
  each(4);
  uint32_t seed = 12345;
  for (int i = 0; i < 2000; ++i) {
    std::string random(static_cast<size_t>(i % 300), ' ');
    for (char& c : random) {
      seed = seed * 1103515245u + 12345u;
      c = i % 2 ? alphabet[(seed >> 16) % alphabet.size()] : static_cast<char>((seed >> 16) & 0xff);
    }
    (void)ParseFormArgument(random, false);
    (void)ParseFormArgument("n=" + random, false);
    std::vector<std::string> warnings;
    (void)ParseFieldHeaders(random, "h", &warnings);
  }
}

}  // namespace
}  // namespace strata::cli
