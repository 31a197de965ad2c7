#include "tools/cli/docs_gen.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tools/cli/help.h"
#include "tools/cli/options.h"

namespace strata::cli {
namespace {

// Runs |command| with sh, returning its stdout and stderr together.
std::string Shell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return "<popen failed>";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const char* dir = getenv("TEST_TMPDIR");
  std::string path = absl::StrCat(dir ? dir : "/tmp", "/", name);
  std::ofstream(path) << text;
  return path;
}

// The parser's table and --help agree: every option is described.
TEST(DocsGen, HelpShowsEveryOptionOfTheParser) {
  std::vector<std::string> missing = MissingFromHelp(ListOptions(), HelpText());
  EXPECT_TRUE(missing.empty()) << "not in --help: " << absl::StrJoin(missing, " ");
  // And the check can fail: an option --help does not know is reported.
  std::vector<OptionSpelling> more = ListOptions();
  more.push_back({'Q', "no-such-option", false});
  EXPECT_EQ(MissingFromHelp(more, HelpText()), (std::vector<std::string>{"--no-such-option", "-Q"}));
}

TEST(DocsGen, EveryHelpLineHasItsTextTwoSpacesAway) {
  // An option line whose text follows one space only would be read as
  // flags; at most one argument word may follow the spellings.
  for (absl::string_view line : absl::StrSplit(HelpText(), '\n')) {
    if (!(absl::StartsWith(line, "  -") || absl::StartsWith(line, "      --"))) continue;
    absl::string_view body = absl::StripLeadingAsciiWhitespace(line);
    absl::string_view flags = body.substr(0, body.find("  "));
    int args = 0;
    for (absl::string_view w : absl::StrSplit(flags, ' ', absl::SkipEmpty())) args += !absl::StartsWith(w, "-");
    EXPECT_LE(args, 1) << line;
  }
}

TEST(DocsGen, ManPageHasEveryOptionAndIsCleanRoff) {
  const std::string man = ManPage(HelpText(), "1.2.3");
  EXPECT_EQ(man.rfind(".TH STRATA 1 \"\" \"strata 1.2.3\" \"User Commands\"\n", 0), 0u);
  for (const char* part : {".SH NAME\n", ".SH SYNOPSIS\n", ".SH OPTIONS\n", ".SS Output\n", ".SS Proxy\n",
                           ".SH \"EXIT STATUS\"\n", ".TP\n.B 97\n", ".BR curl (1)\n"}) {
    EXPECT_NE(man.find(part), std::string::npos) << part;
  }
  for (const OptionSpelling& o : ListOptions()) {
    std::string escaped = "\\-\\-";
    for (char c : o.long_name) escaped += c == '-' ? std::string("\\-") : std::string(1, c);
    EXPECT_NE(man.find("\\fB" + escaped), std::string::npos) << o.long_name;
  }
  // groff reads it without a warning (-ww: all of them), and man shows it.
  const std::string path = WriteTemp("strata.1", man);
  EXPECT_EQ(Shell("groff -man -Tutf8 -ww -z " + path), "");
  const std::string shown = Shell("MANWIDTH=100 man -l " + path + " | cat");
  EXPECT_NE(shown.find("--remote-name"), std::string::npos) << shown.substr(0, 2000);
  EXPECT_NE(shown.find("EXIT STATUS"), std::string::npos);
}

TEST(DocsGen, BashCompletionCompletesOptionsAndFiles) {
  const std::string script = WriteTemp("strata.bash", BashCompletion(ListOptions(), HelpText()));
  EXPECT_EQ(Shell("bash -n " + script), "");
  auto complete = [&](const std::string& words, int cword) {
    return Shell("bash -c 'source " + script + "; COMP_WORDS=(" + words + "); COMP_CWORD=" + std::to_string(cword) +
                 "; _strata; echo \"${COMPREPLY[*]}\"'");
  };
  EXPECT_EQ(complete("strata --trac", 1), "--trace --trace-ascii --trace-time\n");
  EXPECT_EQ(complete("strata --socks5", 1), "--socks5 --socks5-hostname\n");
  // After an option that takes a FILE, file names.
  const std::string dir = WriteTemp("completion-probe.txt", "x");
  EXPECT_EQ(complete("strata -o " + dir.substr(0, dir.size() - 9), 2), dir + "\n");
  EXPECT_EQ(complete("strata --cacert " + dir.substr(0, dir.size() - 9), 2), dir + "\n");
  // A file name with a space stays one word.
  const std::string spaced = WriteTemp("with space.txt", "x");
  EXPECT_EQ(complete("strata -o \"" + spaced.substr(0, spaced.size() - 7) + "\"", 2), spaced + "\n");
  EXPECT_EQ(Shell("bash -c 'source " + script + "; COMP_WORDS=(strata -o \"" + spaced.substr(0, spaced.size() - 7) +
                  "\"); COMP_CWORD=2; _strata; echo ${#COMPREPLY[@]}'"),
            "1\n");
  // After one whose argument is not a file, nothing of ours.
  EXPECT_EQ(complete("strata -X P", 2), "\n");
}

}  // namespace
}  // namespace strata::cli
