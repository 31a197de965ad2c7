// public_suffix.h — the Public Suffix List (https://publicsuffix.org), from
// Debian's libpsl, for refusing "supercookies" (RFC 6265bis §5.7 step 9) and
// for grouping cookies by site in the store's per-domain limit.
//
// The list is loaded once per process: the newest one installed
// (/usr/share/publicsuffix, updated by the publicsuffix package), else the
// copy built into libpsl. Lookups are read-only and thread-safe.
#ifndef STRATA_RUNTIME_COOKIES_PUBLIC_SUFFIX_H_
#define STRATA_RUNTIME_COOKIES_PUBLIC_SUFFIX_H_

#include <string>

#include "absl/strings/string_view.h"

namespace strata {

// IsPublicSuffix: |domain| (lower-case) is a public suffix, e.g. "com",
// "co.uk", "github.io". The list's implicit "*" rule applies: a name whose
// last label is no known top-level domain (e.g. "localhost", "corp") is a
// public suffix too, so nobody sets a cookie for all of "*.corp".
bool IsPublicSuffix(absl::string_view domain);

// CookieSite is |domain|'s registrable domain (one label more than its
// public suffix: "www.example.co.uk" gives "example.co.uk"), or |domain|
// itself when it has none (it is an IP literal or a public suffix).
std::string CookieSite(absl::string_view domain);

}  // namespace strata

#endif  // STRATA_RUNTIME_COOKIES_PUBLIC_SUFFIX_H_
