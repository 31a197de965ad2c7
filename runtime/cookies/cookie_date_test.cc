#include "runtime/cookies/cookie_date.h"

#include "gtest/gtest.h"

namespace strata {
namespace {

constexpr int64_t k1994 = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(CookieDate, Rfc9110_5_6_7_ThreeHttpDateFormats) {
  EXPECT_EQ(ParseCookieDate("Sun, 06 Nov 1994 08:49:37 GMT"), k1994);   // IMF-fixdate
  EXPECT_EQ(ParseCookieDate("Sunday, 06-Nov-94 08:49:37 GMT"), k1994);  // RFC 850
  EXPECT_EQ(ParseCookieDate("Sun Nov  6 08:49:37 1994"), k1994);        // asctime
}

TEST(CookieDate, Rfc6265_5_1_1_TwoDigitYears) {
  EXPECT_EQ(ParseCookieDate("Wed, 09 Jun 38 10:18:14 GMT"), 2159691494);  // 00-69: 20xx
  EXPECT_EQ(ParseCookieDate("31 Dec 99 23:59:59"), 946684799);            // 70-99: 19xx
  EXPECT_EQ(ParseCookieDate("1 Jan 69 00:00:00"), 3124224000);
  EXPECT_EQ(ParseCookieDate("1 Jan 70 00:00:00"), 0);
}

TEST(CookieDate, Rfc6265_5_1_1_TokensInAnyOrderAndExtraText) {
  EXPECT_EQ(ParseCookieDate("1994 Nov 6 08:49:37"), k1994);
  EXPECT_EQ(ParseCookieDate("08:49:37 06 november 1994"), k1994);  // month: first three letters
  EXPECT_EQ(ParseCookieDate("06 NOV 1994 08:49:37 +0000 (UTC)"), k1994);
  EXPECT_EQ(ParseCookieDate("6th Nov 1994 08:49:37xyz"), k1994);  // digits then a non-digit
  EXPECT_EQ(ParseCookieDate("Sun,06-Nov-1994/08:49:37"), k1994);
  EXPECT_EQ(ParseCookieDate("8:9:7 6 Nov 1994"), 784109347);  // one-digit time fields
}

TEST(CookieDate, Rfc6265_5_1_1_FailsWhenAPartIsMissing) {
  EXPECT_EQ(ParseCookieDate(""), std::nullopt);
  EXPECT_EQ(ParseCookieDate("Sun, 06 Nov 1994"), std::nullopt);      // no time
  EXPECT_EQ(ParseCookieDate("06 1994 08:49:37"), std::nullopt);      // no month
  EXPECT_EQ(ParseCookieDate("Nov 1994 08:49:37"), std::nullopt);     // "1994" is not a day
  EXPECT_EQ(ParseCookieDate("06 Nov 08:49:37"), std::nullopt);       // no year
  EXPECT_EQ(ParseCookieDate("06 Nov 19945 08:49:37"), std::nullopt);  // five digits are no year
  EXPECT_EQ(ParseCookieDate("not a date at all"), std::nullopt);
}

TEST(CookieDate, Rfc6265_5_1_1_FailsOutOfRange) {
  EXPECT_EQ(ParseCookieDate("32 Jan 2020 00:00:00"), std::nullopt);
  EXPECT_EQ(ParseCookieDate("0 Jan 2020 00:00:00"), std::nullopt);
  EXPECT_EQ(ParseCookieDate("1 Jan 2020 24:00:00"), std::nullopt);
  EXPECT_EQ(ParseCookieDate("1 Jan 2020 23:60:00"), std::nullopt);
  EXPECT_EQ(ParseCookieDate("1 Jan 2020 23:59:60"), std::nullopt);
  EXPECT_EQ(ParseCookieDate("31 Dec 1600 23:59:59"), std::nullopt);
  EXPECT_EQ(ParseCookieDate("1 Jan 1601 00:00:00"), -11644473600);
}

TEST(CookieDate, DaysTheMonthDoesNotHaveAreRefused) {
  EXPECT_EQ(ParseCookieDate("29 Feb 2000 12:00:00"), 951825600);  // a leap year
  EXPECT_EQ(ParseCookieDate("29 Feb 1900 12:00:00"), std::nullopt);
  EXPECT_EQ(ParseCookieDate("31 Apr 2021 12:00:00"), std::nullopt);
}

}  // namespace
}  // namespace strata
