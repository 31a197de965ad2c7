#include "plugins/connect_tunnel/connect_request.h"

#include "gtest/gtest.h"

namespace strata::connect_tunnel {
namespace {

TEST(ConnectRequestTest, AuthorityBracketsIpv6Only) {
  EXPECT_EQ(Authority("example.com", 443), "example.com:443");
  EXPECT_EQ(Authority("10.0.0.1", 80), "10.0.0.1:80");
  EXPECT_EQ(Authority("::1", 8080), "[::1]:8080");
}

TEST(ConnectRequestTest, TargetHostRefusesBytesThatBreakTheRequestLine) {
  EXPECT_TRUE(IsValidTargetHost("example.com"));
  EXPECT_TRUE(IsValidTargetHost("fe80::1%25eth0"));
  EXPECT_FALSE(IsValidTargetHost(""));
  EXPECT_FALSE(IsValidTargetHost("a b"));
  EXPECT_FALSE(IsValidTargetHost("a\r\nb"));
  EXPECT_FALSE(IsValidTargetHost("user@host"));
  EXPECT_FALSE(IsValidTargetHost("[::1]"));
}

TEST(ConnectRequestTest, RedactedCopyHidesOnlyTheCredentials) {
  ConnectRequest r = BuildConnectRequest("h:1", "Basic abc", "ua");
  EXPECT_EQ(r.bytes,
            "CONNECT h:1 HTTP/1.1\r\nHost: h:1\r\nProxy-Authorization: Basic abc\r\n"
            "User-Agent: ua\r\n\r\n");
  EXPECT_EQ(r.redacted,
            "CONNECT h:1 HTTP/1.1\r\nHost: h:1\r\nProxy-Authorization: <redacted>\r\n"
            "User-Agent: ua\r\n\r\n");
}

TEST(ConnectRequestTest, PrintableEscapesAndTruncates) {
  EXPECT_EQ(Printable("ok\x01"), "ok\\x01");
  EXPECT_EQ(Printable("abcdef", 3), "abc...");
}

}  // namespace
}  // namespace strata::connect_tunnel
