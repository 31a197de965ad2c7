#include "plugins/fault/token_bucket.h"

#include "gtest/gtest.h"

namespace strata::fault {
namespace {

TEST(TokenBucket, StartsFullWithATenthOfASecond) {
  TokenBucket b(10000, 0);
  EXPECT_EQ(b.capacity(), 1000u);
  EXPECT_EQ(b.Available(0), 1000u);
}

TEST(TokenBucket, RefillsAtTheRateAndNeverAboveCapacity) {
  TokenBucket b(10000, 0);  // 10 bytes per ms
  b.Take(1000);
  EXPECT_EQ(b.Available(0), 0u);
  EXPECT_EQ(b.MsUntilAvailable(), 1u);
  EXPECT_EQ(b.Available(5), 50u);
  EXPECT_EQ(b.Available(1000000), 1000u);
}

TEST(TokenBucket, SlowRatesAccumulateFractions) {
  TokenBucket b(100, 0);  // one byte every 10 ms; capacity 10
  EXPECT_EQ(b.capacity(), 10u);
  b.Take(10);
  EXPECT_EQ(b.MsUntilAvailable(), 10u);
  EXPECT_EQ(b.Available(9), 0u);
  EXPECT_EQ(b.Available(10), 1u);
}

TEST(TokenBucket, ASecondAtTheRateCarriesTheRate) {
  TokenBucket b(5000, 0);
  uint64_t passed = 0;
  for (uint64_t ms = 0; ms <= 1000; ++ms) {
    uint64_t n = b.Available(ms);
    b.Take(n);
    passed += n;
  }
  // The first burst (500) plus one second's refill (5000).
  EXPECT_EQ(passed, 5500u);
}

TEST(TokenBucket, TinyRateStillPassesOneByte) {
  TokenBucket b(1, 0);
  EXPECT_EQ(b.capacity(), 1u);
  EXPECT_EQ(b.Available(0), 1u);
  b.Take(1);
  EXPECT_EQ(b.MsUntilAvailable(), 1000u);
  EXPECT_EQ(b.Available(999), 0u);
  EXPECT_EQ(b.Available(1000), 1u);
}

}  // namespace
}  // namespace strata::fault
