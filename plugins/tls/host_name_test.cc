#include "plugins/tls/host_name.h"

#include "gtest/gtest.h"

namespace strata::tls {
namespace {

// HOSTILE A.4 / RFC 6066 §3: SNI has no trailing dot.
TEST(PeerName, DnsNameLosesTrailingDotAndCase) {
  PeerName p = PeerNameFor("WWW.Example.COM.");
  EXPECT_EQ(p.name, "www.example.com");
  EXPECT_FALSE(p.ip_literal);
}

// HOSTILE A.3: IP literals get no SNI and iPAddress matching.
TEST(PeerName, IpLiteralsAreRecognized) {
  EXPECT_TRUE(PeerNameFor("127.0.0.1").ip_literal);
  EXPECT_TRUE(PeerNameFor("::1").ip_literal);
  PeerName v6 = PeerNameFor("[2001:DB8::1]");
  EXPECT_TRUE(v6.ip_literal);
  EXPECT_EQ(v6.name, "2001:db8::1");
  EXPECT_FALSE(PeerNameFor("127.0.0.1.nip.io").ip_literal);
  EXPECT_FALSE(PeerNameFor("1.2.3").ip_literal);  // inet_pton is strict: a name
}

}  // namespace
}  // namespace strata::tls
