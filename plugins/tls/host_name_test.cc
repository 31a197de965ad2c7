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
}

// HOSTILE A.3: the tcp layer connects to "127.1" as the address 127.0.0.1
// (getaddrinfo with AI_NUMERICHOST takes every inet_aton spelling), so the
// tls layer must verify it as that address, not as a DNS name that a
// "DNS:127.1" entry could vouch for, and must send no SNI for it. Before
// this, PeerNameFor judged by inet_pton and called these DNS names.
TEST(PeerName, HostileA3_EveryIpv4SpellingIsTheCanonicalAddress) {
  struct Case {
    const char* host;
    const char* address;
  };
  for (const Case& c : {Case{"127.1", "127.0.0.1"}, Case{"2130706433", "127.0.0.1"},
                        Case{"0x7f.0.0.1", "127.0.0.1"}, Case{"0X7F000001", "127.0.0.1"},
                        Case{"0177.0.0.1", "127.0.0.1"}, Case{"127.0.0.01", "127.0.0.1"},
                        Case{"010.0.0.1", "8.0.0.1"}, Case{"1.2.3", "1.2.0.3"}}) {
    PeerName p = PeerNameFor(c.host);
    EXPECT_TRUE(p.ip_literal) << c.host;
    EXPECT_EQ(p.name, c.address) << c.host;
  }
}

// Not addresses to getaddrinfo either, so the tcp layer resolves them as
// names and they stay DNS names here.
TEST(PeerName, NumericLookingNamesThatAreNoAddressStayNames) {
  for (const char* host : {"256.1", "1.2.3.4.5", "08.0.0.1", "0x", "1.2.3.4x", "127.0.0.1.nip.io"}) {
    PeerName p = PeerNameFor(host);
    EXPECT_FALSE(p.ip_literal) << host;
    EXPECT_EQ(p.name, host) << host;
  }
}

// IPv6 addresses are canonical too (inet_ntop), and a zone id, which no
// certificate can list, is dropped.
TEST(PeerName, Ipv6AddressesAreCanonical) {
  EXPECT_EQ(PeerNameFor("[2001:0DB8:0:0::1]").name, "2001:db8::1");
  EXPECT_EQ(PeerNameFor("0:0:0:0:0:0:0:1").name, "::1");
  PeerName zoned = PeerNameFor("fe80::1%lo");
  EXPECT_TRUE(zoned.ip_literal);
  EXPECT_EQ(zoned.name, "fe80::1");
}

// HOSTILE A.3: "127.0.0.1." spells the address 127.0.0.1 (the tcp layer
// resolves it as a name, through an override or DNS). It used to lose its
// dot and then be checked as the DNS name "127.0.0.1", which a
// "DNS:127.0.0.1" entry vouched for, with SNI "127.0.0.1".
TEST(PeerName, HostileA3_AddressWithTrailingDotIsStillAnAddress) {
  PeerName p = PeerNameFor("127.0.0.1.");
  EXPECT_TRUE(p.ip_literal);
  EXPECT_EQ(p.name, "127.0.0.1");
  EXPECT_TRUE(PeerNameFor("127.1.").ip_literal);
}

// HOSTILE A.4 / RFC 6066 §3: no SNI ends in a dot, however many the host
// has ("a.test.." used to send "a.test.").
TEST(PeerName, HostileA4_EveryTrailingDotGoes) {
  EXPECT_EQ(PeerNameFor("x.a.test..").name, "x.a.test");
  EXPECT_EQ(PeerNameFor("X.A.Test...").name, "x.a.test");
  EXPECT_FALSE(PeerNameFor("x.a.test..").ip_literal);
}

}  // namespace
}  // namespace strata::tls
