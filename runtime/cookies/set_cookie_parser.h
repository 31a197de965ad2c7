// set_cookie_parser.h — a Set-Cookie field value turned into the cookie a
// user agent would store (RFC 6265bis §5.6, §5.7 steps 1-19), or the
// reason it must not be stored.
//
// The parser looks at one header and its request only; what depends on
// cookies already stored (replacement, the rule that http may not shadow a
// Secure cookie, limits) is CookieStore's job.
#ifndef STRATA_RUNTIME_COOKIES_SET_COOKIE_PARSER_H_
#define STRATA_RUNTIME_COOKIES_SET_COOKIE_PARSER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/cookies/cookie.h"

namespace strata {

// ParseSetCookie parses |header_value| received in the response to
// |request| at |now_unix_s|. The cookie's creation and last-access times
// are |now_unix_s|; creation_seq is left 0 for the store to fill in.
//
// Attributes (names case-insensitive; the last valid one of each counts):
//   Max-Age  wins over Expires; <= 0 gives an already-expired cookie
//            (expires_unix_s == kCookieExpiredUnixS), which deletes a
//            stored one; capped at kMaxCookieLifetimeS, like Expires.
//   Expires  a cookie date (cookie_date.h); unparsable ones are ignored.
//   Domain   leading '.' dropped, lower-cased; must domain-match the
//            request host. A public suffix ("co.uk") equal to the host
//            gives a host-only cookie; any other public suffix is refused.
//            An IP host accepts only a Domain equal to itself (host-only).
//   Path     must start with '/', else the default path of the request.
//   Secure, HttpOnly, SameSite=Strict|Lax|None (anything else: unset).
//
// Errors: InvalidArgument for a malformed header (LexSetCookie's reasons,
// ValidateCookie's); PermissionDenied for a cookie the request may not set:
// Domain not matching the host, a public-suffix Domain ("supercookie"),
// Secure from a non-secure scheme, a broken __Secure- or __Host- prefix.
// The message says which.
absl::StatusOr<Cookie> ParseSetCookie(absl::string_view header_value, const CookieUrl& request,
                                      int64_t now_unix_s);

}  // namespace strata

#endif  // STRATA_RUNTIME_COOKIES_SET_COOKIE_PARSER_H_
