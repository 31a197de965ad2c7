#include "runtime/url/url.h"

#include <arpa/inet.h>

#include <cctype>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace strata {
namespace {

bool IsUnreserved(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
         c == '_' || c == '~';
}
bool IsSubDelim(char c) {
  return absl::string_view("!$&'()*+,;=").find(c) != absl::string_view::npos;
}
bool IsHex(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

// CheckChars refuses bytes that have no place in a URL component: controls,
// space, DEL, non-ASCII, backslash, and malformed percent-escapes.
absl::Status CheckChars(absl::string_view part, absl::string_view what, absl::string_view extra) {
  for (size_t i = 0; i < part.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(part[i]);
    if (c == '%') {
      if (i + 2 >= part.size() || !IsHex(part[i + 1]) || !IsHex(part[i + 2])) {
        return absl::InvalidArgumentError(absl::StrCat("malformed percent-escape in URL ", what));
      }
      i += 2;
      continue;
    }
    if (IsUnreserved(c) || IsSubDelim(c) || c == ':' || c == '@' ||
        extra.find(c) != absl::string_view::npos) {
      continue;
    }
    return absl::InvalidArgumentError(
        absl::StrCat("character 0x", absl::Hex(c, absl::kZeroPad2), " not allowed in URL ", what));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseHost(absl::string_view host, bool* is_ipv6) {
  *is_ipv6 = false;
  if (host.empty()) return absl::InvalidArgumentError("URL has an empty host");
  if (host.front() == '[') {
    if (host.back() != ']') return absl::InvalidArgumentError("unterminated IPv6 literal in URL host");
    std::string inner(host.substr(1, host.size() - 2));
    // inet_pton stops at a NUL: "[::1\0evil]" would pass as ::1 and keep the
    // NUL in the host (found by tests/fuzz/url_fuzzer). Only hex digits,
    // ':' and '.' (an embedded IPv4) belong in an IPv6 literal.
    for (char c : inner) {
      if (!(IsHex(c) || c == ':' || c == '.')) {
        return absl::InvalidArgumentError("invalid character in IPv6 literal in URL host");
      }
    }
    in6_addr addr;
    // Zone ids ("%25eth0") are refused: they are meaningless to a server.
    if (inet_pton(AF_INET6, inner.c_str(), &addr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("invalid IPv6 literal '", inner, "' in URL host"));
    }
    *is_ipv6 = true;
    return absl::AsciiStrToLower(inner);
  }
  for (char c : host) {
    // reg-name without percent-encoding: a '%' in a host lets "a%2Fb"
    // mean different hosts to different parsers (CVE-2022-27780).
    if (!(IsUnreserved(c) || IsSubDelim(c))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "character '", std::string(1, c), "' not allowed in URL host '", host, "'"));
    }
  }
  return absl::AsciiStrToLower(host);
}

// RemoveDotSegments implements RFC 3986 §5.2.4 on a path (no query).
std::string RemoveDotSegments(absl::string_view path) {
  std::vector<absl::string_view> out;
  bool absolute = !path.empty() && path.front() == '/';
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  bool trailing_slash = false;
  for (size_t i = absolute ? 1 : 0; i < parts.size(); ++i) {
    absl::string_view seg = parts[i];
    bool last = i + 1 == parts.size();
    if (seg == ".") {
      trailing_slash = last;
      continue;
    }
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = last;
      continue;
    }
    out.push_back(seg);
    trailing_slash = false;
  }
  std::string result = absolute ? "/" : "";
  result += absl::StrJoin(out, "/");
  if (trailing_slash && !out.empty()) result += "/";
  return result;
}

}  // namespace

uint16_t DefaultPort(absl::string_view scheme) {
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return 0;
}

bool Url::host_is_ipv6() const { return host.find(':') != std::string::npos; }

std::string Url::HostPort() const {
  return host_is_ipv6() ? absl::StrCat("[", host, "]:", port) : absl::StrCat(host, ":", port);
}

std::string Url::Authority() const {
  std::string h = host_is_ipv6() ? absl::StrCat("[", host, "]") : host;
  if (port != DefaultPort(scheme)) absl::StrAppend(&h, ":", port);
  return h;
}

std::string Url::ToString(bool with_fragment) const {
  std::string s = absl::StrCat(scheme, "://", Authority(), path);
  if (with_fragment && !fragment.empty()) absl::StrAppend(&s, "#", fragment);
  return s;
}

bool Url::SameOrigin(const Url& other) const {
  return scheme == other.scheme && host == other.host && port == other.port;
}

absl::StatusOr<Url> ParseUrl(absl::string_view text) {
  Url url;
  if (text.empty()) return absl::InvalidArgumentError("empty URL");
  size_t colon = text.find(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat("URL '", text, "' has no scheme"));
  }
  absl::string_view scheme = text.substr(0, colon);
  if (!absl::ascii_isalpha(static_cast<unsigned char>(scheme[0]))) {
    return absl::InvalidArgumentError("URL scheme must start with a letter");
  }
  for (char c : scheme) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) {
      return absl::InvalidArgumentError("invalid character in URL scheme");
    }
  }
  url.scheme = absl::AsciiStrToLower(scheme);
  absl::string_view rest = text.substr(colon + 1);
  if (rest.substr(0, 2) != "//") {
    return absl::InvalidArgumentError(absl::StrCat("URL '", text, "' has no authority (expected '", url.scheme, "://')"));
  }
  rest.remove_prefix(2);
  size_t auth_end = rest.find_first_of("/?#");
  absl::string_view authority = rest.substr(0, auth_end);
  absl::string_view after = auth_end == absl::string_view::npos ? absl::string_view() : rest.substr(auth_end);

  size_t at = authority.rfind('@');
  if (at != absl::string_view::npos) {
    url.userinfo = std::string(authority.substr(0, at));
    if (absl::Status s = CheckChars(url.userinfo, "userinfo", ""); !s.ok()) return s;
    authority.remove_prefix(at + 1);
  }
  absl::string_view host = authority;
  absl::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == absl::string_view::npos) return absl::InvalidArgumentError("unterminated IPv6 literal in URL");
    host = authority.substr(0, close + 1);
    absl::string_view tail = authority.substr(close + 1);
    if (!tail.empty()) {
      if (tail.front() != ':') return absl::InvalidArgumentError("junk after IPv6 literal in URL");
      port = tail.substr(1);
      url.port_explicit = true;
    }
  } else {
    size_t pc = authority.rfind(':');
    if (pc != absl::string_view::npos) {
      host = authority.substr(0, pc);
      port = authority.substr(pc + 1);
      url.port_explicit = true;
    }
  }
  bool v6 = false;
  absl::StatusOr<std::string> h = ParseHost(host, &v6);
  if (!h.ok()) return h.status();
  url.host = *std::move(h);
  if (url.port_explicit && !port.empty()) {
    uint32_t p = 0;
    if (port.size() > 5 || !absl::SimpleAtoi(port, &p) || p == 0 || p > 65535 ||
        port.find_first_not_of("0123456789") != absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("invalid port '", port, "' in URL"));
    }
    url.port = static_cast<uint16_t>(p);
  } else {
    url.port = DefaultPort(url.scheme);
    url.port_explicit = false;
    if (url.port == 0) {
      // Only http and https have known ports; another scheme is almost
      // always one strata has no plugin for (ftp:, file:), so say that.
      return absl::InvalidArgumentError(absl::StrCat("unsupported URL scheme '", url.scheme, "' (http and https only)"));
    }
  }
  size_t hash = after.find('#');
  if (hash != absl::string_view::npos) {
    url.fragment = std::string(after.substr(hash + 1));
    if (absl::Status s = CheckChars(url.fragment, "fragment", "/?#"); !s.ok()) return s;
    after = after.substr(0, hash);
  }
  if (absl::Status s = CheckChars(after, "path", "/?"); !s.ok()) return s;
  url.path = after.empty() ? "/" : std::string(after);
  if (url.path.front() == '?') url.path.insert(0, "/");
  return url;
}

absl::StatusOr<Url> ResolveReference(const Url& base, absl::string_view ref) {
  // Whitespace or controls in a Location are refused rather than trimmed:
  // the server meant something we cannot know.
  for (char c : ref) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '\\') {
      return absl::InvalidArgumentError("redirect target contains a space, control or non-ASCII byte");
    }
  }
  if (ref.empty()) return base;
  std::string target;
  // Scheme present? (RFC 3986 §4.3: letter followed by scheme chars and ':')
  size_t colon = ref.find(':');
  size_t first_delim = ref.find_first_of("/?#");
  bool has_scheme = colon != absl::string_view::npos && colon > 0 &&
                    (first_delim == absl::string_view::npos || colon < first_delim) &&
                    absl::ascii_isalpha(static_cast<unsigned char>(ref[0]));
  std::string base_fragment = base.fragment;
  if (has_scheme) {
    target = std::string(ref);
  } else if (ref.substr(0, 2) == "//") {
    target = absl::StrCat(base.scheme, ":", ref);
  } else {
    std::string base_auth = absl::StrCat(base.scheme, "://", base.Authority());
    absl::string_view base_path = base.path;
    absl::string_view base_query;
    size_t q = base_path.find('?');
    if (q != absl::string_view::npos) {
      base_query = base_path.substr(q);
      base_path = base_path.substr(0, q);
    }
    absl::string_view r = ref;
    absl::string_view frag;
    size_t h = r.find('#');
    if (h != absl::string_view::npos) {
      frag = r.substr(h);
      r = r.substr(0, h);
    }
    std::string path_query;
    if (r.empty()) {
      path_query = absl::StrCat(base_path, base_query);
    } else if (r.front() == '?') {
      path_query = absl::StrCat(base_path, r);
    } else {
      absl::string_view rp = r, rq;
      size_t rqpos = r.find('?');
      if (rqpos != absl::string_view::npos) {
        rp = r.substr(0, rqpos);
        rq = r.substr(rqpos);
      }
      std::string merged;
      if (rp.front() == '/') {
        merged = std::string(rp);
      } else {
        size_t slash = base_path.rfind('/');
        merged = absl::StrCat(base_path.substr(0, slash + 1), rp);
      }
      path_query = absl::StrCat(RemoveDotSegments(merged), rq);
    }
    target = absl::StrCat(base_auth, path_query, frag);
  }
  absl::StatusOr<Url> url = ParseUrl(target);
  if (!url.ok()) return url.status();
  if (has_scheme || ref.substr(0, 2) == "//") {
    // Absolute references get their dot segments removed too.
    absl::string_view p = url->path;
    size_t q = p.find('?');
    url->path = absl::StrCat(RemoveDotSegments(p.substr(0, q)),
                             q == absl::string_view::npos ? "" : p.substr(q));
  }
  if (ref.find('#') == absl::string_view::npos) url->fragment = base_fragment;
  return url;
}

}  // namespace strata
