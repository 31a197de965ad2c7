#include "tools/cli/content_disposition.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace strata::cli {
namespace {

constexpr absl::string_view kPrefix = "Content-Disposition:";
constexpr absl::string_view kParameter = "filename=";

// ParseFilename reads a filename= value (|rest| runs to the end of the
// header line, its CRLF included).
std::optional<std::string> ParseFilename(absl::string_view rest) {
  char stop = ';';
  if (!rest.empty() && (rest[0] == '\'' || rest[0] == '"')) {
    stop = rest[0];
    rest.remove_prefix(1);
  }
  rest = rest.substr(0, rest.find(stop));
  for (char separator : {'/', '\\'}) {
    size_t at = rest.rfind(separator);
    if (at == absl::string_view::npos) continue;
    rest.remove_prefix(at + 1);
    if (rest.empty()) return std::nullopt;
  }
  rest = rest.substr(0, rest.find('\r'));
  rest = rest.substr(0, rest.find('\n'));
  return std::string(rest);
}

}  // namespace

bool IsContentDispositionLine(absl::string_view line) { return absl::StartsWithIgnoreCase(line, kPrefix); }

std::optional<std::string> FilenameFromContentDisposition(absl::string_view line) {
  if (!IsContentDispositionLine(line)) return std::nullopt;
  // curl reads the line with its CRLF (and stops at a NUL, as C strings
  // do); the same text gives the same name.
  std::string text = absl::StrCat(line.substr(0, line.find('\0')), "\r\n");
  absl::string_view p = absl::string_view(text).substr(kPrefix.size());
  for (;;) {
    // Parameters start at a letter.
    while (!p.empty() && !absl::ascii_isalpha(static_cast<unsigned char>(p[0]))) p.remove_prefix(1);
    if (p.size() < kParameter.size()) return std::nullopt;
    if (absl::StartsWith(p, kParameter)) return ParseFilename(p.substr(kParameter.size()));
    size_t semicolon = p.find(';');
    if (semicolon == absl::string_view::npos) return std::nullopt;
    p.remove_prefix(semicolon);
  }
}

}  // namespace strata::cli
