// set_cookie_syntax.h — a Set-Cookie field value split into its name,
// value and attributes (RFC 6265bis §5.6 steps 1-5 and the attribute loop),
// before any attribute is understood.
//
// The split does not depend on the request, so the parser and the jar
// reader (which needs a line's Domain before it has a URL) share it.
#ifndef STRATA_RUNTIME_COOKIES_SET_COOKIE_SYNTAX_H_
#define STRATA_RUNTIME_COOKIES_SET_COOKIE_SYNTAX_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace strata {

struct SetCookieAttribute {
  std::string name;   // as written, whitespace-trimmed; compare case-insensitively
  std::string value;  // whitespace-trimmed; empty for "Secure"
};

struct SetCookieSyntax {
  std::string name;  // empty for a nameless cookie ("Set-Cookie: token")
  std::string value;
  std::vector<SetCookieAttribute> attributes;  // in order; unknown ones too

  // Find returns the value of the last attribute named |name| (the one
  // that counts, §5.7), or nullptr.
  const std::string* Find(absl::string_view name) const;
};

// LexSetCookie splits |header_value|: the name-value pair is split on its
// first '=' (no '=' at all: the whole pair is the value of a nameless
// cookie), whitespace around names and values is trimmed, attributes with a
// value over kMaxCookieAttributeValueBytes are dropped. InvalidArgument,
// saying why, for: a control character other than HTAB anywhere, an HTAB
// inside the name or value, an empty name and value, name + value over
// kMaxCookieNameValueBytes.
absl::StatusOr<SetCookieSyntax> LexSetCookie(absl::string_view header_value);

}  // namespace strata

#endif  // STRATA_RUNTIME_COOKIES_SET_COOKIE_SYNTAX_H_
