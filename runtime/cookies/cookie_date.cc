#include "runtime/cookies/cookie_date.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace strata {
namespace {

// delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
bool IsDelimiter(unsigned char c) {
  return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) || (c >= 0x5b && c <= 0x60) ||
         (c >= 0x7b && c <= 0x7e);
}

// LeadingDigits reads |min|..|max| digits from the front of |token| into
// |out|. The digits must be followed by the end or by a non-digit (the
// grammar's "( non-digit *OCTET )"); returns how many were read, 0 if the
// token does not fit.
size_t LeadingDigits(absl::string_view token, size_t min, size_t max, int* out) {
  size_t n = 0;
  int v = 0;
  while (n < token.size() && absl::ascii_isdigit(token[n])) {
    if (++n > max) return 0;
    v = v * 10 + (token[n - 1] - '0');
  }
  if (n < min) return 0;
  *out = v;
  return n;
}

// time = hms-time ( non-digit *OCTET ); hms-time = time-field ":" time-field ":" time-field
bool ParseTime(absl::string_view token, int* h, int* m, int* s) {
  size_t n = LeadingDigits(token, 1, 2, h);
  if (n == 0 || n >= token.size() || token[n] != ':') return false;
  token.remove_prefix(n + 1);
  n = LeadingDigits(token, 1, 2, m);
  if (n == 0 || n >= token.size() || token[n] != ':') return false;
  token.remove_prefix(n + 1);
  return LeadingDigits(token, 1, 2, s) != 0;
}

int ParseMonth(absl::string_view token) {
  static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
  if (token.size() < 3) return 0;
  for (int i = 0; i < 12; ++i) {
    if (absl::EqualsIgnoreCase(token.substr(0, 3), kMonths[i])) return i + 1;
  }
  return 0;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// DaysFromCivil counts days since 1970-01-01 in the proleptic Gregorian
// calendar (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

std::optional<int64_t> ParseCookieDate(absl::string_view text) {
  bool have_time = false, have_day = false, have_month = false, have_year = false;
  int hour = 0, minute = 0, second = 0, day = 0, month = 0, year = 0;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsDelimiter(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsDelimiter(text[i])) ++i;
    absl::string_view token = text.substr(start, i - start);
    if (token.empty()) continue;
    // The order of these checks is the RFC's: a token is used for the
    // first part it fits that is still missing.
    if (!have_time && ParseTime(token, &hour, &minute, &second)) {
      have_time = true;
    } else if (!have_day && LeadingDigits(token, 1, 2, &day) != 0) {
      have_day = true;
    } else if (!have_month && (month = ParseMonth(token)) != 0) {
      have_month = true;
    } else if (!have_year && LeadingDigits(token, 2, 4, &year) != 0) {
      have_year = true;
    }
  }
  if (!have_time || !have_day || !have_month || !have_year) return std::nullopt;
  if (year >= 70 && year <= 99) year += 1900;
  if (year >= 0 && year <= 69) year += 2000;
  if (year < 1601 || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  if (day < 1 || day > DaysInMonth(year, month)) return std::nullopt;
  return DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

}  // namespace strata
