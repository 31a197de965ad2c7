#include "plugins/tcp/happy_eyeballs.h"

#include "gtest/gtest.h"

namespace strata::tcp {
namespace {

std::vector<SocketAddress> Parse(std::initializer_list<const char*> literals) {
  std::vector<SocketAddress> out;
  for (const char* l : literals) out.push_back(*SocketAddress::FromIpLiteral(l, 443));
  return out;
}

std::string Order(const std::vector<SocketAddress>& addresses) { return JoinHosts(addresses); }

TEST(InterleaveFamiliesTest, Rfc8305_4_AlternatesStartingWithTheFirstFamily) {
  EXPECT_EQ(Order(InterleaveFamilies(Parse({"::1", "::2", "::3", "10.0.0.1", "10.0.0.2"}))),
            "[::1], 10.0.0.1, [::2], 10.0.0.2, [::3]");
  EXPECT_EQ(Order(InterleaveFamilies(Parse({"10.0.0.1", "10.0.0.2", "::1", "::2"}))),
            "10.0.0.1, [::1], 10.0.0.2, [::2]");
}

TEST(InterleaveFamiliesTest, Rfc8305_4_KeepsTheOrderWithinAFamily) {
  EXPECT_EQ(Order(InterleaveFamilies(Parse({"::1", "10.0.0.3", "10.0.0.1", "::2", "10.0.0.2"}))),
            "[::1], 10.0.0.3, [::2], 10.0.0.1, 10.0.0.2");
}

TEST(InterleaveFamiliesTest, SingleFamilyAndEmptyListsAreUnchanged) {
  EXPECT_EQ(Order(InterleaveFamilies(Parse({"10.0.0.2", "10.0.0.1"}))), "10.0.0.2, 10.0.0.1");
  EXPECT_TRUE(InterleaveFamilies({}).empty());
}

TEST(SocketAddressTest, FormatsIpv4AndBracketedIpv6) {
  EXPECT_EQ(SocketAddress::FromIpLiteral("127.0.0.1", 8080)->ToString(), "127.0.0.1:8080");
  EXPECT_EQ(SocketAddress::FromIpLiteral("::1", 8080)->ToString(), "[::1]:8080");
  EXPECT_EQ(SocketAddress::FromIpLiteral("[::1]", 80)->ToString(), "[::1]:80");
  EXPECT_FALSE(SocketAddress::FromIpLiteral("localhost", 80).has_value());
  EXPECT_FALSE(SocketAddress::FromIpLiteral("", 80).has_value());
}

TEST(ConnectionRaceTest, EmptyAddressListFailsAtOnce) {
  ConnectionRace race({}, 250, {[](int) {}, [](int) {}, [](const std::string&) {}});
  EXPECT_EQ(race.Step(0), ConnectionRace::Outcome::kAllFailed);
  EXPECT_EQ(race.NextAttemptMs(), 0u);
}

}  // namespace
}  // namespace strata::tcp
