#include "runtime/cookies/cookie.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "runtime/cookies/cookie_match.h"

namespace strata {
namespace {

// HTAB counts too: RFC 6265bis allows it inside a value, but the Netscape
// jar could not write such a cookie back.
bool HasControl(absl::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// A domain is a host name (lower-case letters, digits, '-', '_', '.',
// UTF-8 bytes of an IDN) or an IP literal. Nothing else, so that no domain
// turns a jar line into a comment or a "Set-Cookie:" line.
absl::Status CheckDomain(absl::string_view domain) {
  if (domain.empty()) return absl::InvalidArgumentError("cookie has an empty domain");
  if (IsIpLiteral(domain)) return absl::OkStatus();
  if (domain.front() == '.') {
    return absl::InvalidArgumentError(absl::StrCat("cookie domain '", absl::CHexEscape(domain), "' starts with '.'"));
  }
  for (unsigned char c : domain) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c >= 0x80)) {
      return absl::InvalidArgumentError(absl::StrCat("cookie domain '", absl::CHexEscape(domain),
                                                     "' is neither a lower-case host name nor an IP address"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsSecureCookieScheme(absl::string_view scheme) { return scheme == "https" || scheme == "wss"; }

absl::Status ValidateCookie(const Cookie& cookie) {
  if (cookie.name.size() + cookie.value.size() > kMaxCookieNameValueBytes) {
    return absl::InvalidArgumentError(absl::StrCat("cookie name and value are ",
                                                   cookie.name.size() + cookie.value.size(), " bytes; at most ",
                                                   kMaxCookieNameValueBytes, " are kept"));
  }
  if (cookie.name.empty() && cookie.value.empty()) {
    return absl::InvalidArgumentError("cookie has neither a name nor a value");
  }
  if (HasControl(cookie.name) || HasControl(cookie.value)) {
    return absl::InvalidArgumentError("cookie name or value has a control character");
  }
  if (cookie.name.find_first_of("=;") != std::string::npos) {
    return absl::InvalidArgumentError("cookie name has '=' or ';'");
  }
  if (cookie.value.find(';') != std::string::npos) return absl::InvalidArgumentError("cookie value has ';'");
  if (absl::Status s = CheckDomain(cookie.domain); !s.ok()) return s;
  if (cookie.path.empty() || cookie.path.front() != '/') {
    return absl::InvalidArgumentError(absl::StrCat("cookie path '", absl::CHexEscape(cookie.path), "' does not start with '/'"));
  }
  if (HasControl(cookie.path) || cookie.path.find(';') != std::string::npos) {
    return absl::InvalidArgumentError("cookie path has a control character or ';'");
  }
  return absl::OkStatus();
}

}  // namespace strata
