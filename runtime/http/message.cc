#include "runtime/http/message.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace strata {

const std::string* FindHeader(const Headers& headers, absl::string_view name) {
  for (const Header& h : headers) {
    if (absl::EqualsIgnoreCase(h.name, name)) return &h.value;
  }
  return nullptr;
}

void RemoveHeader(Headers* headers, absl::string_view name) {
  if (FindHeader(*headers, name) == nullptr) return;  // the common case: nothing to copy
  Headers kept;
  for (Header& h : *headers) {
    if (!absl::EqualsIgnoreCase(h.name, name)) kept.push_back(std::move(h));
  }
  *headers = std::move(kept);
}

bool ValidHeaderName(absl::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    bool tchar = absl::ascii_isalnum(u) || absl::string_view("!#$%&'*+-.^_`|~").find(c) != absl::string_view::npos;
    if (!tchar) return false;
  }
  return true;
}

bool ValidHeaderValue(absl::string_view value) {
  // field-value (RFC 9110 §5.5): VCHAR, obs-text, SP and HTAB; every other
  // control byte (NUL, CR, LF, 0x01, DEL...) is refused.
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
  }
  return true;
}

bool ValidMethod(absl::string_view method) { return ValidHeaderName(method); }

std::string Base64Encode(absl::string_view data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == data.size()) {
    uint32_t v = uint8_t(data[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && absl::ascii_isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        absl::ascii_isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      auto hex = [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)) ? c - '0' : (absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10); };
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace strata
