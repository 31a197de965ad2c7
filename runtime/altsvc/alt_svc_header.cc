#include "runtime/altsvc/alt_svc_header.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace strata {
namespace {

bool IsTchar(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

// Cursor walks the field value.
struct Cursor {
  absl::string_view s;
  size_t at = 0;
  bool done() const { return at >= s.size(); }
  char peek() const { return done() ? '\0' : s[at]; }
  void SkipOws() {
    while (!done() && (s[at] == ' ' || s[at] == '\t')) ++at;
  }
  absl::string_view Token() {
    size_t start = at;
    while (!done() && IsTchar(s[at])) ++at;
    return s.substr(start, at - start);
  }
  // QuotedString reads a quoted-string (RFC 9110 §5.6.4) into |out|.
  bool QuotedString(std::string* out, size_t limit) {
    if (peek() != '"') return false;
    ++at;
    out->clear();
    while (!done()) {
      char c = s[at++];
      if (c == '"') return true;
      if (c == '\\') {
        if (done()) return false;
        c = s[at++];
      }
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return false;
      if (c == 0x7f) return false;
      if (out->size() >= limit) return false;
      out->push_back(c);
    }
    return false;  // unterminated
  }
  // SkipToNextValue moves past the next top-level comma (quoted strings
  // may contain commas).
  void SkipToNextValue() {
    bool quoted = false;
    while (!done()) {
      char c = s[at++];
      if (quoted) {
        if (c == '\\' && !done()) ++at;
        else if (c == '"') quoted = false;
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        return;
      }
    }
  }
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(static_cast<unsigned char>(c));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// PercentDecode: protocol-id is a percent-encoded ALPN id (§3).
bool PercentDecode(absl::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

bool IsHostChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// SplitAuthority splits "[host]:port" (host may be a bracketed IPv6
// literal, or empty for the origin's host).
bool SplitAuthority(const std::string& authority, std::string* host, uint16_t* port, std::string* why) {
  size_t colon = authority.rfind(':');
  if (colon == std::string::npos) {
    *why = "no port";
    return false;
  }
  absl::string_view h = absl::string_view(authority).substr(0, colon);
  absl::string_view p = absl::string_view(authority).substr(colon + 1);
  uint32_t n = 0;
  if (p.empty() || p.size() > 5 || !absl::SimpleAtoi(p, &n) || n == 0 || n > 65535 ||
      !absl::ascii_isdigit(static_cast<unsigned char>(p[0]))) {
    *why = "port out of range";
    return false;
  }
  if (h.size() > kAltSvcMaxHostBytes) {
    *why = "host too long";
    return false;
  }
  if (!h.empty() && h.front() == '[') {
    if (h.size() < 3 || h.back() != ']') {
      *why = "bad IPv6 literal";
      return false;
    }
    for (char c : h.substr(1, h.size() - 2)) {
      if (!(absl::ascii_isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) {
        *why = "bad IPv6 literal";
        return false;
      }
    }
  } else {
    for (char c : h) {
      if (!IsHostChar(c)) {
        *why = "bad host character";
        return false;
      }
    }
  }
  *host = std::string(h);
  *port = static_cast<uint16_t>(n);
  return true;
}

}  // namespace

AltSvcField ParseAltSvc(absl::string_view value) {
  AltSvcField field;
  if (value.size() > kAltSvcMaxFieldBytes) {
    field.dropped.push_back(absl::StrCat("the field is ", value.size(), " bytes (limit ", kAltSvcMaxFieldBytes, ")"));
    return field;
  }
  Cursor c{value};
  c.SkipOws();
  {
    Cursor probe = c;
    absl::string_view t = probe.Token();
    probe.SkipOws();
    if (absl::EqualsIgnoreCase(t, "clear") && probe.done()) {
      field.clear = true;
      return field;
    }
  }
  while (!c.done()) {
    c.SkipOws();
    if (c.peek() == ',') {  // empty list element (RFC 9110 §5.6.1)
      ++c.at;
      continue;
    }
    const size_t start = c.at;
    auto drop = [&](const std::string& why) {
      c.SkipToNextValue();
      size_t end = c.at;
      absl::string_view text = value.substr(start, end - start);
      if (!text.empty() && text.back() == ',') text.remove_suffix(1);
      field.dropped.push_back(absl::StrCat(text.substr(0, 80), ": ", why));
    };
    absl::string_view raw_id = c.Token();
    AltSvcAlternative alt;
    if (raw_id.empty() || c.peek() != '=') {
      drop("not protocol-id=\"host:port\"");
      continue;
    }
    if (raw_id.size() > kAltSvcMaxProtocolIdBytes || !PercentDecode(raw_id, &alt.protocol_id) ||
        alt.protocol_id.empty()) {
      drop("bad protocol-id");
      continue;
    }
    ++c.at;  // '='
    std::string authority, why;
    if (!c.QuotedString(&authority, kAltSvcMaxHostBytes + 8)) {
      drop("alt-authority is not a quoted string");
      continue;
    }
    if (!SplitAuthority(authority, &alt.host, &alt.port, &why)) {
      drop(why);
      continue;
    }
    bool bad = false;
    for (;;) {
      c.SkipOws();
      if (c.peek() != ';') break;
      ++c.at;
      c.SkipOws();
      absl::string_view name = c.Token();
      if (name.empty() || c.peek() != '=') {
        bad = true;
        break;
      }
      ++c.at;
      std::string v;
      if (c.peek() == '"') {
        if (!c.QuotedString(&v, 64)) {
          bad = true;
          break;
        }
      } else {
        v = std::string(c.Token());
      }
      if (absl::EqualsIgnoreCase(name, "ma")) {
        uint64_t ma = 0;
        if (v.empty() || v.size() > 19 || !absl::SimpleAtoi(v, &ma)) {
          bad = true;
          break;
        }
        alt.max_age_seconds = std::min(ma, kAltSvcMaxMaxAgeSeconds);
      } else if (absl::EqualsIgnoreCase(name, "persist")) {
        alt.persist = v == "1";  // §3.1: any other value is ignored
      }  // unknown parameters are ignored (§3)
    }
    c.SkipOws();
    if (bad || !(c.done() || c.peek() == ',')) {
      drop("bad parameter");
      continue;
    }
    if (c.peek() == ',') ++c.at;
    if (field.alternatives.size() >= kAltSvcMaxAlternatives) {
      field.dropped.push_back(absl::StrCat("alternatives past the first ", kAltSvcMaxAlternatives));
      break;
    }
    field.alternatives.push_back(std::move(alt));
  }
  return field;
}

}  // namespace strata
