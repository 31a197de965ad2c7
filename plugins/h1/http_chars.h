// http_chars.h — character classes of RFC 9110 §5.6 shared by the h1 parser
// and writer, plus a helper that quotes peer bytes safely for messages.
#ifndef STRATA_PLUGINS_H1_HTTP_CHARS_H_
#define STRATA_PLUGINS_H1_HTTP_CHARS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace strata::h1 {

// IsTokenChar: tchar of RFC 9110 §5.6.2.
inline bool IsTokenChar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '.': case '^': case '_': case '`': case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

inline bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

inline bool IsOws(char c) { return c == ' ' || c == '\t'; }

// IsFieldValueChar: a byte allowed in a field value (RFC 9110 §5.5:
// field-vchar, SP, HTAB); controls (NUL, CR, LF, 0x01...) and DEL are not.
inline bool IsFieldValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

inline std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

// Quoted renders at most |max| bytes of peer-controlled |s| in double quotes
// with non-printable bytes as \xNN, so error messages stay one safe line.
inline std::string Quoted(std::string_view s, size_t max = 60) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  size_t n = s.size() < max ? s.size() : max;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  out += '"';
  if (n < s.size()) out += "...";
  return out;
}

// EqualsIgnoreCase compares ASCII case-insensitively. (Debian's Abseil has
// its own string_view type, so absl/strings helpers do not take ours.)
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

namespace internal {
template <typename T>
void AppendPiece(std::string* out, const T& piece) {
  if constexpr (std::is_integral_v<T>) {
    *out += std::to_string(piece);
  } else {
    out->append(std::string_view(piece));
  }
}
}  // namespace internal

// Cat concatenates text and integers into a message.
template <typename... T>
std::string Cat(const T&... pieces) {
  std::string out;
  (internal::AppendPiece(&out, pieces), ...);
  return out;
}

}  // namespace strata::h1

#endif  // STRATA_PLUGINS_H1_HTTP_CHARS_H_
