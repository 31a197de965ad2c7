// The winner memory on a fake clock.
#include "runtime/client/winner_memory.h"

#include "gtest/gtest.h"

namespace strata {
namespace {

TEST(WinnerMemory, RemembersUntilExpiry) {
  WinnerMemory m;
  m.Remember("http://a:80\nlist", 2, 1000, 500);
  ASSERT_TRUE(m.Lookup("http://a:80\nlist", 1499).has_value());
  EXPECT_EQ(m.Lookup("http://a:80\nlist", 1499)->index, 2u);
  EXPECT_EQ(m.Lookup("http://a:80\nlist", 1499)->expires_ms, 1500u);
  EXPECT_FALSE(m.Lookup("http://a:80\nlist", 1500).has_value());
  EXPECT_EQ(m.size(), 0u) << "an expired winner is forgotten";
}

TEST(WinnerMemory, KeysAreSeparate) {
  WinnerMemory m;
  m.Remember("http://a:80", 1, 0, 100);
  EXPECT_FALSE(m.Lookup("http://b:80", 0).has_value());
  EXPECT_FALSE(m.Lookup("https://a:443", 0).has_value());
}

TEST(WinnerMemory, ForgetAndZeroDuration) {
  WinnerMemory m;
  m.Remember("k", 1, 0, 100);
  m.Forget("k");
  EXPECT_FALSE(m.Lookup("k", 1).has_value());
  m.Remember("k", 1, 0, 100);
  m.Remember("k", 2, 0, 0);
  EXPECT_FALSE(m.Lookup("k", 1).has_value()) << "remember_ms 0 remembers nothing";
}

TEST(WinnerMemory, ALaterWinnerReplacesTheEarlier) {
  WinnerMemory m;
  m.Remember("k", 1, 0, 100);
  m.Remember("k", 0, 50, 100);
  EXPECT_EQ(m.Lookup("k", 120)->index, 0u);
}

TEST(WinnerMemory, ExpiredEntriesAreSweptWhenMany) {
  WinnerMemory m;
  for (int i = 0; i < 2000; ++i) m.Remember("k" + std::to_string(i), 0, 0, 10);
  m.Remember("fresh", 0, 100, 10);
  EXPECT_LT(m.size(), 1100u);
}

TEST(WinnerMemory, NeverMoreThanItsBoundEvenUnexpired) {
  WinnerMemory m;
  for (int i = 0; i < 10000; ++i) m.Remember("k" + std::to_string(i), 0, 0, 1000000 + i);
  EXPECT_LE(m.size(), 4096u);
  EXPECT_TRUE(m.Lookup("k9999", 0).has_value()) << "the newest stays";
  EXPECT_FALSE(m.Lookup("k0", 0).has_value()) << "the one expiring first went";
}

}  // namespace
}  // namespace strata
