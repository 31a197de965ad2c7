// curl's --connect-to syntax and matching rules (lib/url.c
// parse_connect_to_slist in 7.88).
#include "runtime/client/connect_to.h"

#include "gtest/gtest.h"

namespace strata {
namespace {

std::optional<ConnectTarget> Find(const std::vector<std::string>& entries, const std::string& host,
                                  uint16_t port) {
  for (const std::string& e : entries) EXPECT_TRUE(ParseConnectTo(e).ok()) << e;
  return FindConnectTarget(entries, host, port);
}

std::string Text(const std::optional<ConnectTarget>& t) {
  return t ? t->host + ":" + std::to_string(t->port) : "none";
}

TEST(ConnectTo, FullEntryAppliesToItsHostAndPortOnly) {
  std::vector<std::string> e = {"example.com:443:127.0.0.1:8443"};
  EXPECT_EQ(Text(Find(e, "example.com", 443)), "127.0.0.1:8443");
  EXPECT_EQ(Text(Find(e, "EXAMPLE.com", 443)), "127.0.0.1:8443");
  EXPECT_EQ(Text(Find(e, "example.com", 80)), "none");
  EXPECT_EQ(Text(Find(e, "example.org", 443)), "none");
}

TEST(ConnectTo, EmptyHalvesMatchAnyAndKeepTheOriginal) {
  EXPECT_EQ(Text(Find({"::127.0.0.1:9"}, "a.test", 80)), "127.0.0.1:9");
  EXPECT_EQ(Text(Find({":80:other.test:"}, "a.test", 80)), "other.test:80");
  EXPECT_EQ(Text(Find({"a.test:::8080"}, "a.test", 443)), "a.test:8080");
  EXPECT_EQ(Text(Find({"a.test::other.test"}, "a.test", 443)), "other.test:443");
}

TEST(ConnectTo, FirstEntryThatChangesSomethingWins) {
  EXPECT_EQ(Text(Find({"a.test:80::", "a.test:80:b.test:81", "::c.test:82"}, "a.test", 80)), "b.test:81");
  EXPECT_EQ(Text(Find({"x.test:80:b.test:81", "::c.test:82"}, "a.test", 80)), "c.test:82");
}

TEST(ConnectTo, ATargetEqualToTheOriginalIsNoRedirection) {
  EXPECT_EQ(Text(Find({"::a.test:80"}, "a.test", 80)), "none");
}

TEST(ConnectTo, Ipv6LiteralsInBrackets) {
  EXPECT_EQ(Text(Find({"[::1]:443:[::2]:8443"}, "::1", 443)), "::2:8443");
  ConnectToEntry e = *ParseConnectTo("[::1]:443:[fe80::1]:");
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.to_host, "fe80::1");
  EXPECT_FALSE(e.to_port.has_value());
}

TEST(ConnectTo, CurlsMessagesForBadTargets) {
  EXPECT_EQ(ParseConnectTo("::127.0.0.1:abc").status().message(),
            "No valid port number in connect to host string (abc)");
  EXPECT_EQ(ParseConnectTo("::127.0.0.1:70000").status().message(),
            "No valid port number in connect to host string (70000)");
  EXPECT_EQ(ParseConnectTo("::[::1:80").status().message(), "Invalid IPv6 address format");
}

TEST(ConnectTo, MalformedFirstHalvesAreRefused) {
  for (const char* bad : {"", "foo", "a.test", "a.test:80", "a.test:x:b:1", "[::1:80:b:1", "a.test:99999:b:1"}) {
    absl::StatusOr<ConnectToEntry> e = ParseConnectTo(bad);
    EXPECT_FALSE(e.ok()) << bad;
  }
}

}  // namespace
}  // namespace strata
