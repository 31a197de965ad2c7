#include "runtime/client/retry_policy.h"

#include "gtest/gtest.h"

namespace strata {
namespace {

TEST(RetryPolicy, IdempotentMethodsFollowRfc9110) {
  for (const char* m : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) EXPECT_TRUE(IdempotentMethod(m)) << m;
  for (const char* m : {"POST", "PATCH", "CONNECT", "get", "LOCK"}) EXPECT_FALSE(IdempotentMethod(m)) << m;
}

TEST(RetryPolicy, RetryableStatusesAreCurls) {
  for (int s : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(RetryableStatus(s)) << s;
  for (int s : {200, 301, 400, 404, 501, 505, 599}) EXPECT_FALSE(RetryableStatus(s)) << s;
}

TEST(RetryPolicy, FailureClasses) {
  const int64_t d = kDefaultRetryOn;
  EXPECT_EQ(FailureRetryClass(STRATA_E_TIMEOUT, false, d), "timeout");
  EXPECT_EQ(FailureRetryClass(STRATA_E_RESOLVE, false, d), "timeout");
  EXPECT_EQ(FailureRetryClass(STRATA_E_CONNECT, false, d), "connection refused");
  EXPECT_EQ(FailureRetryClass(STRATA_E_CLOSED, false, d), "transient error");
  EXPECT_EQ(FailureRetryClass(STRATA_E_NOT_PROCESSED, false, d), "transient error");
  // Once the response started, a reset is not transient: it may have
  // been processed, and bytes may have been delivered.
  EXPECT_EQ(FailureRetryClass(STRATA_E_CLOSED, true, d), std::nullopt);
  for (strata_status s : {STRATA_E_TLS_VERIFY, STRATA_E_PROTOCOL, STRATA_E_HTTP_STATUS, STRATA_E_URL}) {
    EXPECT_EQ(FailureRetryClass(s, false, d), std::nullopt) << s;
  }
  // curl's --retry without --retry-connrefused: timeouts only.
  EXPECT_EQ(FailureRetryClass(STRATA_E_CONNECT, false, STRATA_RETRY_ON_TIMEOUT | STRATA_RETRY_ON_HTTP), std::nullopt);
  EXPECT_EQ(FailureRetryClass(STRATA_E_TLS_VERIFY, false, STRATA_RETRY_ON_ALL_ERRORS), "(retrying all errors)");
  // Never a cancel, never a success.
  EXPECT_EQ(FailureRetryClass(STRATA_E_CANCELLED, false, STRATA_RETRY_ON_ALL_ERRORS), std::nullopt);
  EXPECT_EQ(FailureRetryClass(STRATA_OK, false, STRATA_RETRY_ON_ALL_ERRORS), std::nullopt);
}

TEST(RetryPolicy, RetryAfterSecondsAndDates) {
  const int64_t now = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), 120);
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), 0);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", now), 10);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now), 0);  // past
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", now), int64_t{1} << 40);  // saturates
  for (const char* bad : {"", "soon", "-5", "1.5", "12s", "Sunday, 06-Nov-94 08:49:37 GMT"}) {
    EXPECT_EQ(ParseRetryAfter(bad, now), std::nullopt) << bad;
  }
}

TEST(RetryPolicy, BackoffDoublesToTenMinutes) {
  RetryOptions o;
  o.on |= STRATA_RETRY_NO_JITTER;
  EXPECT_EQ(RetryWaitMs(o, 1, std::nullopt, 0.9), 1000);
  EXPECT_EQ(RetryWaitMs(o, 2, std::nullopt, 0.9), 2000);
  EXPECT_EQ(RetryWaitMs(o, 3, std::nullopt, 0.9), 4000);
  EXPECT_EQ(RetryWaitMs(o, 10, std::nullopt, 0.9), 512000);
  EXPECT_EQ(RetryWaitMs(o, 11, std::nullopt, 0.9), kMaxRetryWaitMs);
  EXPECT_EQ(RetryWaitMs(o, 1000, std::nullopt, 0.9), kMaxRetryWaitMs);
}

TEST(RetryPolicy, JitterShortensBackoffByUpToHalf) {
  RetryOptions o;
  EXPECT_EQ(RetryWaitMs(o, 3, std::nullopt, 0.0), 4000);
  EXPECT_EQ(RetryWaitMs(o, 3, std::nullopt, 0.5), 3000);
  EXPECT_LE(RetryWaitMs(o, 3, std::nullopt, 0.999999), 2001);
  EXPECT_GE(RetryWaitMs(o, 3, std::nullopt, 0.999999), 2000);
  // A fixed delay has no jitter.
  o.delay_ms = 250;
  EXPECT_EQ(RetryWaitMs(o, 7, std::nullopt, 0.7), 250);
}

TEST(RetryPolicy, RetryAfterReplacesTheWaitAndIsCapped) {
  RetryOptions o;
  o.on |= STRATA_RETRY_NO_JITTER;
  EXPECT_EQ(RetryWaitMs(o, 1, 3, 0), 3000);
  EXPECT_EQ(RetryWaitMs(o, 4, 3, 0), 3000);      // shorter than the backoff: still the server's
  EXPECT_EQ(RetryWaitMs(o, 4, 0, 0), 8000);      // 0: no advice
  EXPECT_EQ(RetryWaitMs(o, 1, 86400, 0), kMaxRetryWaitMs);
  o.delay_ms = 100;
  EXPECT_EQ(RetryWaitMs(o, 1, 1, 0), 1000);
}

}  // namespace
}  // namespace strata
