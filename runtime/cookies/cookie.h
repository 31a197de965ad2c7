// cookie.h — one HTTP cookie as a cookie store keeps it (RFC 6265bis §5.7),
// and the request a cookie is set from or sent with.
//
// A Cookie is a plain value: the parser makes one, the store and the jar
// copy it. Every field is already normalised (domain lower-case without a
// leading dot, path starting with '/'), so comparing fields compares cookies.
#ifndef STRATA_RUNTIME_COOKIES_COOKIE_H_
#define STRATA_RUNTIME_COOKIES_COOKIE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace strata {

// RFC 6265bis §5.6: name + value longer than this is refused; a longer
// attribute value is ignored (the attribute only, not the cookie).
inline constexpr size_t kMaxCookieNameValueBytes = 4096;
inline constexpr size_t kMaxCookieAttributeValueBytes = 1024;

// RFC 6265bis §5.6.1/§5.6.2: Expires and Max-Age are capped at 400 days.
inline constexpr int64_t kMaxCookieLifetimeS = int64_t{400} * 24 * 3600;

// expires_unix_s of a cookie that is expired from the start (Max-Age=0, an
// Expires in the past): curl writes the same 1. 0 means a session cookie.
inline constexpr int64_t kCookieExpiredUnixS = 1;

enum class SameSite { kUnset, kNone, kLax, kStrict };

struct Cookie {
  std::string name;    // may be empty (a nameless cookie, "Set-Cookie: value")
  std::string value;
  std::string domain;  // lower-case, no leading '.'; the host for a host-only cookie
  std::string path;    // starts with '/'
  bool host_only = true;  // sent to |domain| exactly, not to its subdomains
  bool secure = false;    // sent over secure schemes only
  bool http_only = false;
  SameSite same_site = SameSite::kUnset;
  int64_t expires_unix_s = 0;  // 0 = session cookie (gone when the client ends)

  // Bookkeeping of the store (RFC 6265bis §5.7 creation-time and
  // last-access-time). creation_seq orders cookies created in the same
  // second and is what the Netscape jar is written by, as curl does.
  int64_t creation_unix_s = 0;
  uint64_t creation_seq = 0;
  int64_t last_access_unix_s = 0;

  bool session() const { return expires_unix_s == 0; }
  bool Expired(int64_t now_unix_s) const { return expires_unix_s != 0 && expires_unix_s <= now_unix_s; }
  // SameKey: the fields that make two cookies the same one (RFC 6265bis
  // §5.7 step 22): a new cookie with the same key replaces the old one.
  bool SameKey(const Cookie& other) const {
    return name == other.name && domain == other.domain && path == other.path && host_only == other.host_only;
  }
};

// CookieUrl is the request a cookie comes from or goes to.
struct CookieUrl {
  std::string scheme;  // lower-case: "http", "https"
  std::string host;    // lower-case; IP literals as written, IPv6 with or without brackets
  std::string path;    // the request target's path; a "?query" or "#fragment" is ignored
};

// IsSecureCookieScheme says whether |scheme| may receive and set Secure
// cookies ("https", "wss"). Unlike curl, http://localhost is not secure.
bool IsSecureCookieScheme(absl::string_view scheme);

// ValidateCookie checks what every stored cookie must satisfy whatever it
// came from (Set-Cookie, a jar, a caller): name + value within
// kMaxCookieNameValueBytes, no control character (HTAB included: the jar
// separates fields with it) in any field, no ';' in name or value and no
// '=' in the name (a Cookie header could not carry them back), a non-empty
// name or value, a domain that is an IP literal or a lower-case host name
// (letters, digits, '-', '_', '.', UTF-8) without a leading '.', a path
// starting with '/'. InvalidArgument names the field otherwise.
absl::Status ValidateCookie(const Cookie& cookie);

}  // namespace strata

#endif  // STRATA_RUNTIME_COOKIES_COOKIE_H_
