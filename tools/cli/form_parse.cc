#include "tools/cli/form_parse.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace strata::cli {
namespace {

// curl's longest type and subtype in ;type= (its sscanf widths).
constexpr size_t kMaxTypePart = 127;
// curl's longest header line in a ;headers=@file file.
constexpr size_t kMaxFieldHeader = 998;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string StripTrailingSpaces(std::string s) {
  while (!s.empty() && IsSpace(s.back())) s.pop_back();
  return s;
}

// Scanner walks one argument. |end| is the character that ends a part
// besides ';' (',' between files, '\0' for none: argv has no NUL).
class Scanner {
 public:
  Scanner(absl::string_view text, char end, std::vector<std::string>* warnings)
      : s_(text), end_(end), warnings_(warnings) {}

  size_t pos = 0;

  char At(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  char Sep() const { return At(pos); }
  bool AtStop(size_t i) const { return i >= s_.size() || s_[i] == ';' || s_[i] == end_; }
  void SkipSpaces() {
    while (pos < s_.size() && IsSpace(s_[pos])) ++pos;
  }
  bool ConsumePrefix(absl::string_view prefix) {
    if (!absl::StartsWithIgnoreCase(s_.substr(pos), prefix)) return false;
    pos += prefix.size();
    return true;
  }

  // Word reads a word up to ';' or the end character. A double-quoted word
  // may hold both, with \" and \\ as escapes; text after its closing quote
  // is skipped with curl's warning. An unterminated quote is part of an
  // unquoted word. |strip|: an unquoted word loses its trailing spaces.
  std::string Word(bool strip) {
    if (At(pos) == '"') {
      std::string out;
      for (size_t q = pos + 1; q < s_.size(); ++q) {
        if (s_[q] == '\\' && (At(q + 1) == '\\' || At(q + 1) == '"')) {
          out.push_back(s_[++q]);
          continue;
        }
        if (s_[q] != '"') {
          out.push_back(s_[q]);
          continue;
        }
        bool trailing = false;
        for (++q; !AtStop(q); ++q) {
          if (!IsSpace(s_[q])) trailing = true;
        }
        if (trailing) warnings_->push_back("Trailing data after quoted form parameter\n");
        pos = q;
        return out;
      }
    }
    size_t start = pos;
    while (!AtStop(pos)) ++pos;
    std::string word(s_.substr(start, pos - start));
    return strip ? StripTrailingSpaces(std::move(word)) : word;
  }

  // Part reads a part's content and its ;modifiers into |piece| and
  // returns the character it stopped at ('\0' at the end of the text).
  absl::StatusOr<char> Part(bool filename_allowed, FormPiece* piece) {
    SkipSpaces();
    piece->data = Word(/*strip=*/true);
    // The type runs from type_start to type_end and may grow over later
    // ;params until a filename= or headers= ends it, as in curl.
    bool in_type = false;
    size_t type_start = 0, type_end = 0;
    auto end_type = [&] {
      if (in_type) piece->type = std::string(s_.substr(type_start, type_end - type_start));
      in_type = false;
    };
    auto extend_type = [&] {
      for (type_end = pos; !AtStop(pos); ++pos) {
        if (!IsSpace(s_[pos])) type_end = pos + 1;
      }
    };
    while (Sep() == ';') {
      ++pos;
      SkipSpaces();
      if (!in_type && ConsumePrefix("type=")) {
        SkipSpaces();
        type_start = pos;
        size_t slash = type_start;
        while (slash < s_.size() && s_[slash] != '/' && s_[slash] != ' ') ++slash;
        size_t minor_end = slash + 1;
        while (minor_end < s_.size() && absl::string_view(";, \n").find(s_[minor_end]) == absl::string_view::npos) {
          ++minor_end;
        }
        const size_t major = slash - type_start;
        const size_t minor = minor_end > s_.size() ? 0 : minor_end - slash - 1;
        if (major == 0 || major > kMaxTypePart || At(slash) != '/' || minor == 0) {
          return absl::InvalidArgumentError("Illegally formatted content-type field!");
        }
        pos = slash + 1 + std::min(minor, kMaxTypePart);
        in_type = true;
        extend_type();
      } else if (ConsumePrefix("filename=")) {
        end_type();
        SkipSpaces();
        piece->filename = Word(/*strip=*/true);
      } else if (ConsumePrefix("headers=")) {
        end_type();
        FormHeader header;
        if (At(pos) == '@' || At(pos) == '<') {
          header.from_file = true;
          ++pos;
        }
        SkipSpaces();
        header.text = Word(/*strip=*/true);
        piece->headers.push_back(std::move(header));
      } else if (ConsumePrefix("encoder=")) {
        return absl::InvalidArgumentError("the ;encoder= modifier is not supported");
      } else if (in_type) {
        extend_type();  // "type=text/plain; charset=utf-8"
      } else {
        std::string unknown = Word(/*strip=*/false);
        if (!unknown.empty()) warnings_->push_back(absl::StrCat("skip unknown form field: ", unknown, "\n"));
      }
    }
    end_type();
    if (!filename_allowed && piece->filename) {
      warnings_->push_back(absl::StrCat("Field file name not allowed here: ", *piece->filename, "\n"));
      piece->filename.reset();
    }
    return Sep();
  }

 private:
  absl::string_view s_;
  char end_;
  std::vector<std::string>* warnings_;
};

}  // namespace

absl::StatusOr<ParsedForm> ParseFormArgument(absl::string_view text, bool literal) {
  ParsedForm out;
  FormField& field = out.field;
  const size_t eq = text.find('=');
  if (eq == absl::string_view::npos) return absl::InvalidArgumentError("Illegally formatted input field!");
  if (eq > 0) field.name = std::string(text.substr(0, eq));
  absl::string_view content = text.substr(eq + 1);
  if (literal) {
    field.pieces.push_back({std::string(content), std::nullopt, std::nullopt, {}});
    return out;
  }
  if (absl::StartsWith(content, "(") || (!field.name && content == ")")) {
    return absl::InvalidArgumentError("nested multiparts (name=( ... =)) are not supported");
  }
  if (absl::StartsWith(content, "@")) {
    field.kind = FormField::Kind::kFiles;
    Scanner scan(content, ',', &out.warnings);
    char sep;
    do {
      ++scan.pos;  // the '@', then each ','
      FormPiece piece;
      absl::StatusOr<char> stop = scan.Part(/*filename_allowed=*/true, &piece);
      if (!stop.ok()) return stop.status();
      sep = *stop;
      field.pieces.push_back(std::move(piece));
    } while (sep != '\0');
    return out;
  }
  const bool file_content = absl::StartsWith(content, "<");
  field.kind = file_content ? FormField::Kind::kFileContent : FormField::Kind::kText;
  Scanner scan(content, '\0', &out.warnings);
  scan.pos = file_content ? 1 : 0;
  FormPiece piece;
  absl::StatusOr<char> stop = scan.Part(/*filename_allowed=*/!file_content, &piece);
  if (!stop.ok()) return stop.status();
  field.pieces.push_back(std::move(piece));
  return out;
}

std::vector<std::string> ParseFieldHeaders(absl::string_view content, absl::string_view file,
                                           std::vector<std::string>* warnings) {
  std::vector<std::string> headers;
  std::string header;
  bool at_line_start = true, in_comment = false, truncated = false;
  int line = 1;
  auto flush = [&] {
    header = StripTrailingSpaces(std::move(header));
    if (!header.empty()) headers.push_back(std::move(header));
    header.clear();
    truncated = false;
  };
  for (char c : content) {
    // A line that does not start with a space begins a new header.
    if (at_line_start && !IsSpace(c)) flush();
    if (c == '\r') continue;
    if (c == '\n') {
      at_line_start = true;
      in_comment = false;
      ++line;
      continue;
    }
    if (at_line_start && c == '#') in_comment = true;
    at_line_start = false;
    if (in_comment) continue;
    if (header.size() >= kMaxFieldHeader) {
      if (!truncated) {
        warnings->push_back(absl::StrCat("File ", file, " line ", line, ": header too long (truncated)\n"));
      }
      truncated = true;
      continue;
    }
    header.push_back(c);
  }
  flush();
  return headers;
}

}  // namespace strata::cli
