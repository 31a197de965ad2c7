// cookie_date.h — the Expires attribute's date (RFC 6265bis §5.1.1).
//
// Servers send dates in every format HTTP ever had, so the RFC's algorithm
// does not parse a grammar: it splits the text into tokens and picks the
// first token that looks like a time, a day of month, a month name and a
// year, in any order. IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850
// ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37
// 1994") all parse; the weekday and the zone name are ignored (GMT is
// assumed).
#ifndef STRATA_RUNTIME_COOKIES_COOKIE_DATE_H_
#define STRATA_RUNTIME_COOKIES_COOKIE_DATE_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace strata {

// ParseCookieDate returns the date as Unix seconds (negative before 1970),
// or nullopt when a part is missing or out of range (a day the month does
// not have, a year before 1601, 24:00:00). Two-digit years 70-99 are 19xx,
// 00-69 are 20xx.
std::optional<int64_t> ParseCookieDate(absl::string_view text);

}  // namespace strata

#endif  // STRATA_RUNTIME_COOKIES_COOKIE_DATE_H_
