#include "plugins/tcp/address_overrides.h"

#include "gtest/gtest.h"

namespace strata::tcp {
namespace {

std::string Addresses(const AddressOverride& entry) { return JoinEndpoints(entry.addresses); }

TEST(AddressOverrideTest, ParsesHostPortAndOneAddress) {
  absl::StatusOr<AddressOverride> entry = ParseAddressOverride("example.com:443:127.0.0.1");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->host, "example.com");
  EXPECT_EQ(entry->port, 443);
  EXPECT_EQ(Addresses(*entry), "127.0.0.1:443");
}

TEST(AddressOverrideTest, ParsesSeveralAddressesWithBracketedIpv6InOrder) {
  absl::StatusOr<AddressOverride> entry =
      ParseAddressOverride("Example.COM:8080:[::1],127.0.0.1,[2001:db8::5]");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->host, "example.com");  // host names compare case-insensitively
  EXPECT_EQ(Addresses(*entry), "[::1]:8080, 127.0.0.1:8080, [2001:db8::5]:8080");
}

TEST(AddressOverrideTest, AcceptsWildcardPlusPrefixAndBracketedHost) {
  absl::StatusOr<AddressOverride> wildcard = ParseAddressOverride("*:80:127.0.0.1");
  ASSERT_TRUE(wildcard.ok());
  EXPECT_EQ(wildcard->host, "*");
  absl::StatusOr<AddressOverride> plus = ParseAddressOverride("+a.test:80:127.0.0.1");
  ASSERT_TRUE(plus.ok());
  EXPECT_EQ(plus->host, "a.test");
  absl::StatusOr<AddressOverride> v6host = ParseAddressOverride("[::1]:80:127.0.0.1");
  ASSERT_TRUE(v6host.ok()) << v6host.status();
  EXPECT_EQ(v6host->host, "::1");
}

TEST(AddressOverrideTest, RejectsMalformedEntriesNamingTheEntry) {
  for (const char* bad : {"", "example.com", "example.com:80", "example.com:80:",
                          "example.com:0:127.0.0.1", "example.com:65536:127.0.0.1",
                          "example.com:8x:127.0.0.1", ":80:127.0.0.1",
                          "example.com:80:not-an-ip", "example.com:80:127.0.0.1,,::1",
                          "-example.com:80", "[::1:80:127.0.0.1"}) {
    absl::StatusOr<AddressOverride> entry = ParseAddressOverride(bad);
    EXPECT_FALSE(entry.ok()) << "accepted '" << bad << "'";
    if (!entry.ok()) {
      EXPECT_NE(entry.status().message().find(std::string("'") + bad + "'"), absl::string_view::npos)
          << entry.status();
    }
  }
}

TEST(AddressOverridesTest, ParsesJsonArrayAndSingleEntries) {
  absl::StatusOr<std::vector<AddressOverride>> list =
      ParseAddressOverrides(R"(["a.test:80:127.0.0.1", "b.test:443:[::1]"])");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].host, "b.test");

  // A string option reaches the layer unquoted.
  absl::StatusOr<std::vector<AddressOverride>> bare = ParseAddressOverrides("a.test:80:127.0.0.1");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->size(), 1u);

  absl::StatusOr<std::vector<AddressOverride>> empty = ParseAddressOverrides("[]");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(AddressOverridesTest, RejectsNonStringsAndBadEntriesEvenIfTheyWouldNotMatch) {
  EXPECT_FALSE(ParseAddressOverrides("[1]").ok());
  EXPECT_FALSE(ParseAddressOverrides("{\"a\": 1}").ok());
  EXPECT_FALSE(ParseAddressOverrides(R"(["a.test:80:127.0.0.1", "broken"])").ok());
}

TEST(FindAddressOverrideTest, MatchesHostAndPortExactBeforeWildcard) {
  absl::StatusOr<std::vector<AddressOverride>> list = ParseAddressOverrides(
      R"(["*:80:127.0.0.9", "a.test:80:127.0.0.1", "a.test:81:127.0.0.2", "a.test:80:127.0.0.3"])");
  ASSERT_TRUE(list.ok());
  const AddressOverride* exact = FindAddressOverride(*list, "A.test", 80);
  ASSERT_NE(exact, nullptr);
  EXPECT_EQ(Addresses(*exact), "127.0.0.1:80");  // the first exact entry wins
  const AddressOverride* other_port = FindAddressOverride(*list, "a.test", 81);
  ASSERT_NE(other_port, nullptr);
  EXPECT_EQ(Addresses(*other_port), "127.0.0.2:81");
  const AddressOverride* wildcard = FindAddressOverride(*list, "b.test", 80);
  ASSERT_NE(wildcard, nullptr);
  EXPECT_EQ(Addresses(*wildcard), "127.0.0.9:80");
  EXPECT_EQ(FindAddressOverride(*list, "b.test", 82), nullptr);
}

}  // namespace
}  // namespace strata::tcp
