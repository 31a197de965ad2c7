#include "runtime/cookies/set_cookie_parser.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/cookies/cookie_date.h"
#include "runtime/cookies/cookie_match.h"
#include "runtime/cookies/public_suffix.h"
#include "runtime/cookies/set_cookie_syntax.h"

namespace strata {
namespace {

// Far beyond the 400-day cap, and small enough that adding it to a Unix
// time cannot overflow.
constexpr int64_t kMaxAgeSaturation = int64_t{1} << 40;

// ParseMaxAge (§5.6.2): an optional '-' and digits, else nullopt (the
// attribute is ignored). Huge values saturate rather than overflow.
std::optional<int64_t> ParseMaxAge(absl::string_view v) {
  bool negative = false;
  if (!v.empty() && v.front() == '-') {
    negative = true;
    v.remove_prefix(1);
  }
  if (v.empty()) return std::nullopt;
  int64_t n = 0;
  for (char c : v) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
    n = std::min(kMaxAgeSaturation, n * 10 + (c - '0'));
  }
  return negative ? -n : n;
}

// Attributes is what the attribute list says, each the last valid one.
struct Attributes {
  std::optional<int64_t> max_age;
  std::optional<int64_t> expires;
  std::optional<std::string> domain;  // after stripping '.', lower-cased
  std::optional<std::string> path;    // as written, possibly empty
  bool secure = false;
  bool http_only = false;
  SameSite same_site = SameSite::kUnset;
};

Attributes ReadAttributes(const SetCookieSyntax& syntax) {
  Attributes a;
  for (const SetCookieAttribute& av : syntax.attributes) {
    const std::string& name = av.name;
    if (absl::EqualsIgnoreCase(name, "Max-Age")) {
      if (auto v = ParseMaxAge(av.value)) a.max_age = v;
    } else if (absl::EqualsIgnoreCase(name, "Expires")) {
      if (auto v = ParseCookieDate(av.value)) a.expires = v;
    } else if (absl::EqualsIgnoreCase(name, "Domain")) {
      // An empty value is ignored (§5.6.3: "SHOULD ignore the cookie-av").
      if (av.value.empty()) continue;
      absl::string_view d = av.value;
      if (d.front() == '.') d.remove_prefix(1);
      a.domain = absl::AsciiStrToLower(d);
    } else if (absl::EqualsIgnoreCase(name, "Path")) {
      a.path = av.value;
    } else if (absl::EqualsIgnoreCase(name, "Secure")) {
      a.secure = true;
    } else if (absl::EqualsIgnoreCase(name, "HttpOnly")) {
      a.http_only = true;
    } else if (absl::EqualsIgnoreCase(name, "SameSite")) {
      if (absl::EqualsIgnoreCase(av.value, "Strict")) {
        a.same_site = SameSite::kStrict;
      } else if (absl::EqualsIgnoreCase(av.value, "Lax")) {
        a.same_site = SameSite::kLax;
      } else if (absl::EqualsIgnoreCase(av.value, "None")) {
        a.same_site = SameSite::kNone;
      } else {
        a.same_site = SameSite::kUnset;
      }
    }
  }
  return a;
}

// Expiry: Max-Age over Expires, both capped at 400 days (§5.6.1, §5.6.2).
int64_t Expiry(const Attributes& a, int64_t now) {
  if (a.max_age) {
    if (*a.max_age <= 0) return kCookieExpiredUnixS;
    return now + std::min(*a.max_age, kMaxCookieLifetimeS);
  }
  if (a.expires) {
    if (*a.expires <= 0) return kCookieExpiredUnixS;  // 0 would read as "session"
    return std::min(*a.expires, now + kMaxCookieLifetimeS);
  }
  return 0;
}

// ApplyDomain sets domain and host_only (§5.7 steps 9-11).
absl::Status ApplyDomain(const std::optional<std::string>& domain, const std::string& host, Cookie& c) {
  c.host_only = true;
  c.domain = host;
  if (!domain || domain->empty()) return absl::OkStatus();
  if (*domain == host) {
    // Equal to the host: a domain cookie unless the host cannot have
    // subdomains that share it (an IP) or is itself a public suffix.
    c.host_only = IsIpLiteral(host) || IsPublicSuffix(host);
    return absl::OkStatus();
  }
  if (IsIpLiteral(host)) {
    return absl::PermissionDeniedError(absl::StrCat("Set-Cookie Domain=", absl::CHexEscape(*domain),
                                                    " refused: the request host ", host,
                                                    " is an IP address, only Domain=", host, " is allowed"));
  }
  if (IsPublicSuffix(*domain)) {
    return absl::PermissionDeniedError(absl::StrCat("Set-Cookie Domain=", absl::CHexEscape(*domain),
                                                    " refused: it is a public suffix (a supercookie for every site under it)"));
  }
  if (!CookieDomainMatches(host, *domain)) {
    return absl::PermissionDeniedError(absl::StrCat("Set-Cookie Domain=", absl::CHexEscape(*domain),
                                                    " refused: it does not domain-match the request host ", host));
  }
  c.host_only = false;
  c.domain = *domain;
  return absl::OkStatus();
}

// CheckPrefixes (§4.1.3): what __Secure- and __Host- names promise.
absl::Status CheckPrefixes(const Cookie& c, const Attributes& a) {
  // A nameless cookie whose value looks like a prefixed name would be sent
  // as one ("__Host-x=1" as the whole value), so it is refused too.
  absl::string_view name = c.name.empty() ? absl::string_view(c.value) : absl::string_view(c.name);
  const bool secure_prefix = absl::StartsWithIgnoreCase(name, "__Secure-");
  const bool host_prefix = absl::StartsWithIgnoreCase(name, "__Host-");
  if (!secure_prefix && !host_prefix) return absl::OkStatus();
  if (c.name.empty()) {
    return absl::PermissionDeniedError("Set-Cookie refused: a nameless cookie's value may not start with __Secure- or __Host-");
  }
  if (!c.secure) {
    return absl::PermissionDeniedError(absl::StrCat("Set-Cookie ", c.name, " refused: its prefix requires Secure"));
  }
  if (host_prefix && (a.domain.has_value() || !a.path.has_value() || c.path != "/")) {
    return absl::PermissionDeniedError(
        absl::StrCat("Set-Cookie ", c.name, " refused: __Host- requires Path=/ and no Domain"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Cookie> ParseSetCookie(absl::string_view header_value, const CookieUrl& request,
                                      int64_t now_unix_s) {
  absl::StatusOr<SetCookieSyntax> syntax = LexSetCookie(header_value);
  if (!syntax.ok()) return syntax.status();
  const Attributes a = ReadAttributes(*syntax);

  Cookie c;
  c.name = std::move(syntax->name);
  c.value = std::move(syntax->value);
  c.expires_unix_s = Expiry(a, now_unix_s);
  if (absl::Status s = ApplyDomain(a.domain, absl::AsciiStrToLower(request.host), c); !s.ok()) return s;
  if (a.path && !a.path->empty() && a.path->front() == '/') {
    c.path = *a.path;
  } else {
    c.path = DefaultCookiePath(CookieRequestPath(request.path));
  }
  c.secure = a.secure;
  c.http_only = a.http_only;
  c.same_site = a.same_site;
  c.creation_unix_s = now_unix_s;
  c.last_access_unix_s = now_unix_s;

  // 6265bis §5.7 step 13: only a secure origin may set a Secure cookie,
  // else http could plant cookies that https pages then trust.
  if (c.secure && !IsSecureCookieScheme(absl::AsciiStrToLower(request.scheme))) {
    return absl::PermissionDeniedError(absl::StrCat("Set-Cookie ", absl::CHexEscape(c.name),
                                                    " refused: Secure cookies are only accepted over https, not ",
                                                    absl::CHexEscape(request.scheme)));
  }
  if (absl::Status s = CheckPrefixes(c, a); !s.ok()) return s;
  if (absl::Status s = ValidateCookie(c); !s.ok()) return s;
  return c;
}

}  // namespace strata
