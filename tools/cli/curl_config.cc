#include "tools/cli/curl_config.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace strata::cli {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool IsSeparator(char c) { return c == '=' || c == ':'; }

// Unquote reads a double-quoted value starting after the opening quote.
std::string Unquote(absl::string_view rest) {
  std::string out;
  for (size_t i = 0; i < rest.size() && rest[i] != '"'; ++i) {
    if (rest[i] == '\\' && i + 1 < rest.size()) {
      switch (char c = rest[++i]) {
        case 't': out += '\t'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 'v': out += '\v'; break;
        default: out += c;
      }
      continue;
    }
    out += rest[i];
  }
  return out;
}

}  // namespace

CurlConfigWords ParseCurlConfig(absl::string_view text, absl::string_view file_name, TakesArgument takes_argument) {
  CurlConfigWords out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    size_t i = 0;
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i == line.size() || line[i] == '#') continue;
    size_t name_end = i;
    while (name_end < line.size() && !IsSpace(line[name_end]) && !IsSeparator(line[name_end])) ++name_end;
    std::string name(line.substr(i, name_end - i));
    std::string dashed = name[0] == '-' ? name : absl::StrCat("--", name);
    size_t v = name_end;
    while (v < line.size() && (IsSpace(line[v]) || IsSeparator(line[v]))) ++v;
    std::string value;
    if (v < line.size() && line[v] == '"') {
      value = Unquote(line.substr(v + 1));
    } else {
      size_t end = v;
      while (end < line.size() && !IsSpace(line[end])) ++end;
      value = std::string(line.substr(v, end - v));
    }
    std::optional<bool> takes = takes_argument(dashed);
    if (!takes) {
      out.warnings.push_back(absl::StrCat(file_name, ":", line_no, ": warning: '", name, "' is unknown"));
      continue;
    }
    out.words.push_back(dashed);
    if (*takes) out.words.push_back(value);
  }
  return out;
}

}  // namespace strata::cli
