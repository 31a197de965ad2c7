#include "tools/cli/docs_gen.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace strata::cli {
namespace {

// HelpItem is one option line of --help with its continuation lines.
struct HelpItem {
  std::string flags;  // "-o, --output FILE"
  std::vector<std::string> text;
};

struct HelpSection {
  std::string title;
  std::vector<HelpItem> items;
};

struct ParsedHelp {
  std::string usage, summary;
  std::vector<HelpSection> sections;
  std::vector<std::pair<std::string, std::string>> exit_codes;
};

size_t Indent(absl::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

// An option line starts with "-" at column 2 ("  -o, ...") or 6
// ("      --long"); its text follows the first run of two spaces.
bool IsOptionLine(absl::string_view line) {
  size_t indent = Indent(line);
  return (indent == 2 || indent == 6) && indent < line.size() && line[indent] == '-';
}

ParsedHelp Parse(absl::string_view help) {
  ParsedHelp out;
  std::vector<std::string> lines = absl::StrSplit(help, '\n');
  size_t i = 0;
  if (i < lines.size()) out.usage = lines[i++];
  if (i < lines.size()) out.summary = lines[i++];
  bool exits = false;
  for (; i < lines.size(); ++i) {
    absl::string_view line = lines[i];
    if (line.empty()) continue;
    if (line[0] != ' ') {
      exits = absl::StartsWith(line, "Exit codes");
      if (!exits) out.sections.push_back({std::string(line), {}});
      continue;
    }
    if (exits) {
      absl::string_view rest = absl::StripLeadingAsciiWhitespace(line);
      size_t gap = rest.find("  ");
      if (gap != absl::string_view::npos) {
        out.exit_codes.emplace_back(std::string(rest.substr(0, gap)),
                                    std::string(absl::StripLeadingAsciiWhitespace(rest.substr(gap))));
      }
      continue;
    }
    if (out.sections.empty()) out.sections.push_back({"Options", {}});
    std::vector<HelpItem>& items = out.sections.back().items;
    if (IsOptionLine(line)) {
      absl::string_view body = line.substr(Indent(line));
      size_t gap = body.find("  ");
      HelpItem item;
      item.flags = std::string(gap == absl::string_view::npos ? body : body.substr(0, gap));
      if (gap != absl::string_view::npos) {
        item.text.push_back(std::string(absl::StripLeadingAsciiWhitespace(body.substr(gap))));
      }
      items.push_back(std::move(item));
    } else if (!items.empty()) {
      items.back().text.push_back(std::string(absl::StripLeadingAsciiWhitespace(line)));
    }
  }
  return out;
}

// Roff escapes text for a man page line.
std::string Roff(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

// RoffFlags sets the option spellings in bold and the argument in italics.
std::string RoffFlags(absl::string_view flags) {
  std::vector<std::string> words;
  for (absl::string_view word : absl::StrSplit(flags, ' ', absl::SkipEmpty())) {
    words.push_back(absl::StartsWith(word, "-") ? absl::StrCat("\\fB", Roff(word), "\\fR")
                                                : absl::StrCat("\\fI", Roff(word), "\\fR"));
  }
  return absl::StrJoin(words, " ");
}

}  // namespace

std::string ManPage(absl::string_view help, absl::string_view version) {
  ParsedHelp parsed = Parse(help);
  std::string out = absl::StrCat(".TH STRATA 1 \"\" \"strata ", Roff(version), "\" \"User Commands\"\n");
  // NAME: "strata \- a command-line HTTP client ..." (man's lower case, no
  // final period).
  std::string what(absl::StripSuffix(parsed.summary, "."));
  if (!what.empty()) what[0] = absl::ascii_tolower(static_cast<unsigned char>(what[0]));
  absl::StrAppend(&out, ".SH NAME\nstrata \\- ", Roff(what), "\n");
  absl::StrAppend(&out, ".SH SYNOPSIS\n.B strata\n[\\fIoptions\\fR] \\fIURL\\fR...\n");
  absl::StrAppend(&out, ".SH DESCRIPTION\n", Roff(parsed.summary),
                  "\n.PP\nEvery URL of one command line shares one runtime, so connections are reused between "
                  "them. Option names, output and exit codes follow curl 7.88 wherever both have the option. "
                  "This page is made from \\fBstrata \\-\\-help\\fR; docs/cli.md in the source tree explains each "
                  "option at length, and docs/configuration.md the runtime configuration.\n");
  absl::StrAppend(&out, ".SH OPTIONS\n");
  for (const HelpSection& section : parsed.sections) {
    absl::StrAppend(&out, ".SS ", Roff(section.title), "\n");
    for (const HelpItem& item : section.items) {
      absl::StrAppend(&out, ".TP\n", RoffFlags(item.flags), "\n");
      for (size_t i = 0; i < item.text.size(); ++i) {
        absl::StrAppend(&out, i ? ".br\n" : "", Roff(item.text[i]), "\n");
      }
    }
  }
  absl::StrAppend(&out, ".SH \"EXIT STATUS\"\n");
  for (const auto& [code, text] : parsed.exit_codes) absl::StrAppend(&out, ".TP\n.B ", code, "\n", Roff(text), "\n");
  absl::StrAppend(&out, ".SH \"SEE ALSO\"\n.BR curl (1)\n");
  return out;
}

std::string BashCompletion(const std::vector<OptionSpelling>& options, absl::string_view help) {
  // Which arguments are files or directories, from the --help line.
  std::set<std::string> files, dirs;
  for (const HelpSection& section : Parse(help).sections) {
    for (const HelpItem& item : section.items) {
      std::vector<std::string> words = absl::StrSplit(item.flags, ' ', absl::SkipEmpty());
      if (words.empty() || absl::StartsWith(words.back(), "-")) continue;
      const std::string& arg = words.back();
      const bool dir = absl::StrContains(arg, "DIR");
      const bool file = absl::StrContains(arg, "FILE") || absl::StrContains(arg, "PATH");
      for (const std::string& w : words) {
        if (!absl::StartsWith(w, "-")) continue;
        std::string name(absl::StripSuffix(w, ","));
        if (dir) dirs.insert(name);
        if (file) files.insert(name);
      }
    }
  }
  std::vector<std::string> all, file_opts, dir_opts;
  for (const OptionSpelling& o : options) {
    std::vector<std::string> spellings = {"--" + o.long_name};
    if (o.short_name) spellings.push_back(std::string("-") + o.short_name);
    for (const std::string& s : spellings) {
      all.push_back(s);
      if (!o.takes_arg) continue;
      if (dirs.count(s) || dirs.count("--" + o.long_name)) {
        dir_opts.push_back(s);
      } else if (files.count(s) || files.count("--" + o.long_name)) {
        file_opts.push_back(s);
      }
    }
  }
  std::string out =
      "# bash completion for strata(1), made from its option table (tools/cli/docs_gen.cc)\n"
      "_strata() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "  case \"$prev\" in\n";
  if (!file_opts.empty()) {
    absl::StrAppend(&out, "    ", absl::StrJoin(file_opts, "|"),
                    ")\n      compopt -o filenames 2>/dev/null\n"
                    "      mapfile -t COMPREPLY < <(compgen -f -- \"$cur\"); return ;;\n");
  }
  if (!dir_opts.empty()) {
    absl::StrAppend(&out, "    ", absl::StrJoin(dir_opts, "|"),
                    ")\n      compopt -o filenames 2>/dev/null\n"
                    "      mapfile -t COMPREPLY < <(compgen -d -- \"$cur\"); return ;;\n");
  }
  absl::StrAppend(&out, "  esac\n  if [[ \"$cur\" == -* ]]; then\n    mapfile -t COMPREPLY < <(compgen -W \"",
                  absl::StrJoin(all, " "), "\" -- \"$cur\")\n  fi\n}\ncomplete -o default -F _strata strata\n");
  return out;
}

std::vector<std::string> MissingFromHelp(const std::vector<OptionSpelling>& options, absl::string_view help) {
  std::set<std::string> shown;
  for (const HelpSection& section : Parse(help).sections) {
    for (const HelpItem& item : section.items) {
      for (absl::string_view w : absl::StrSplit(item.flags, ' ', absl::SkipEmpty())) {
        if (absl::StartsWith(w, "-")) shown.insert(std::string(absl::StripSuffix(w, ",")));
      }
    }
  }
  std::vector<std::string> missing;
  for (const OptionSpelling& o : options) {
    if (!shown.count("--" + o.long_name)) missing.push_back("--" + o.long_name);
    if (o.short_name && !shown.count(std::string("-") + o.short_name)) {
      missing.push_back(std::string("-") + o.short_name);
    }
  }
  return missing;
}

}  // namespace strata::cli
