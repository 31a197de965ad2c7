// cookie_match.h — which requests a cookie belongs to: domain-match,
// path-match and the default path (RFC 6265bis §5.1.3, §5.1.4).
//
// Pure functions over strings, shared by the parser (may this response set
// a cookie for that domain?) and the store (which cookies does this request
// get?).
#ifndef STRATA_RUNTIME_COOKIES_COOKIE_MATCH_H_
#define STRATA_RUNTIME_COOKIES_COOKIE_MATCH_H_

#include <string>

#include "absl/strings/string_view.h"
#include "runtime/cookies/cookie.h"

namespace strata {

// IsIpLiteral: |host| is an IPv4 address in dotted-quad form or an IPv6
// address, with or without brackets. An IP host never domain-matches
// anything but itself.
bool IsIpLiteral(absl::string_view host);

// CookieDomainMatches (§5.1.3): |host| equals |domain|, or |host| is a host
// name (not an IP literal) ending in "." + |domain|. Both lower-case.
bool CookieDomainMatches(absl::string_view host, absl::string_view domain);

// CookieRequestPath is the path part of a request path: up to a '?' or '#',
// and "/" when that is empty.
absl::string_view CookieRequestPath(absl::string_view path);

// CookiePathMatches (§5.1.4): |cookie_path| equals the request path, or is
// a prefix of it that ends in '/' or is followed by '/' in it.
bool CookiePathMatches(absl::string_view request_path, absl::string_view cookie_path);

// DefaultCookiePath (§5.1.4): the request path up to, not including, its
// last '/'; "/" when that leaves nothing or the path does not start with '/'.
// ("/dir/page" gives "/dir"; curl 7.88 keeps the slash, "/dir/".)
std::string DefaultCookiePath(absl::string_view request_path);

// CookieMatchesUrl: |cookie| may be sent with a request to |url|: its
// domain matches (exactly when host-only), its path matches, and a Secure
// cookie only goes to a secure scheme. Expiry and SameSite are the
// store's business.
bool CookieMatchesUrl(const Cookie& cookie, const CookieUrl& url);

}  // namespace strata

#endif  // STRATA_RUNTIME_COOKIES_COOKIE_MATCH_H_
