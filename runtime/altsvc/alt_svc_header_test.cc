#include "runtime/altsvc/alt_svc_header.h"

#include <string>

#include "gtest/gtest.h"

namespace strata {
namespace {

TEST(AltSvcHeader, AlternativesWithParameters) {
  AltSvcField f = ParseAltSvc("h3=\":443\"; ma=3600, h2=\"alt.example.com:8443\"; persist=1; foo=bar");
  EXPECT_FALSE(f.clear);
  ASSERT_EQ(f.alternatives.size(), 2u) << (f.dropped.empty() ? "" : f.dropped[0]);
  EXPECT_EQ(f.alternatives[0].protocol_id, "h3");
  EXPECT_EQ(f.alternatives[0].host, "");
  EXPECT_EQ(f.alternatives[0].port, 443);
  EXPECT_EQ(f.alternatives[0].max_age_seconds, 3600u);
  EXPECT_FALSE(f.alternatives[0].persist);
  EXPECT_EQ(f.alternatives[1].protocol_id, "h2");
  EXPECT_EQ(f.alternatives[1].host, "alt.example.com");
  EXPECT_EQ(f.alternatives[1].port, 8443);
  EXPECT_EQ(f.alternatives[1].max_age_seconds, kAltSvcDefaultMaxAgeSeconds);
  EXPECT_TRUE(f.alternatives[1].persist);
  EXPECT_TRUE(f.dropped.empty());
}

TEST(AltSvcHeader, Clear) {
  EXPECT_TRUE(ParseAltSvc("clear").clear);
  EXPECT_TRUE(ParseAltSvc("  Clear ").clear);
  // "clear" only as the whole value.
  AltSvcField f = ParseAltSvc("clear, h3=\":1\"");
  EXPECT_FALSE(f.clear);
}

TEST(AltSvcHeader, PercentEncodedProtocolIdAndQuotedPairs) {
  AltSvcField f = ParseAltSvc("w%3Dx%25y=\":8000\", h3=\"a\\.b:9\"; ma=\"60\"");
  ASSERT_EQ(f.alternatives.size(), 2u);
  EXPECT_EQ(f.alternatives[0].protocol_id, "w=x%y");
  EXPECT_EQ(f.alternatives[1].host, "a.b");
  EXPECT_EQ(f.alternatives[1].max_age_seconds, 60u);
}

TEST(AltSvcHeader, Ipv6Literal) {
  AltSvcField f = ParseAltSvc("h3=\"[::1]:4433\"");
  ASSERT_EQ(f.alternatives.size(), 1u);
  EXPECT_EQ(f.alternatives[0].host, "[::1]");
  EXPECT_EQ(f.alternatives[0].port, 4433);
}

// Hostile and malformed values: a bad element is dropped with a reason and
// the good ones around it are kept.
TEST(AltSvcHeader, MalformedElementsAreDroppedNotTheField) {
  AltSvcField f = ParseAltSvc(
      "h3=\":99999\", h3=\":0\", h3=\":-1\", h3=\"noport\", h3=:443, =\":1\", h3=\"ho st:1\", "
      "h3=\"[zz]:1\", h3=\":1\"; ma=abc, h3=\":1\"; ma=99999999999999999999, h3=\"unterminated:1, h2=\":8443\"");
  // The unterminated quote swallows the rest of the value, so only the
  // elements before it can survive: none of them is valid.
  EXPECT_TRUE(f.alternatives.empty());
  EXPECT_GE(f.dropped.size(), 10u);
  bool saw_range = false;
  for (const std::string& d : f.dropped) saw_range |= d.find("port out of range") != std::string::npos;
  EXPECT_TRUE(saw_range);

  AltSvcField g = ParseAltSvc("h3=\":99999\", h2=\":8443\",, h3=\"x.test:1\"; ma=5");
  ASSERT_EQ(g.alternatives.size(), 2u);
  EXPECT_EQ(g.alternatives[0].protocol_id, "h2");
  EXPECT_EQ(g.alternatives[1].host, "x.test");
  ASSERT_EQ(g.dropped.size(), 1u);
  EXPECT_NE(g.dropped[0].find("h3=\":99999\""), std::string::npos) << g.dropped[0];
}

TEST(AltSvcHeader, MaxAgeIsCapped) {
  AltSvcField f = ParseAltSvc("h3=\":1\"; ma=9999999999");
  ASSERT_EQ(f.alternatives.size(), 1u);
  EXPECT_EQ(f.alternatives[0].max_age_seconds, kAltSvcMaxMaxAgeSeconds);
}

TEST(AltSvcHeader, LimitsOnWhatAPeerControls) {
  std::string many;
  for (int i = 1; i <= 40; ++i) many += (i > 1 ? ", " : "") + std::string("h3=\":") + std::to_string(i) + "\"";
  AltSvcField f = ParseAltSvc(many);
  EXPECT_EQ(f.alternatives.size(), kAltSvcMaxAlternatives);
  EXPECT_FALSE(f.dropped.empty());

  AltSvcField big = ParseAltSvc(std::string(kAltSvcMaxFieldBytes + 1, 'a'));
  EXPECT_TRUE(big.alternatives.empty());
  ASSERT_EQ(big.dropped.size(), 1u);

  AltSvcField long_host = ParseAltSvc("h3=\"" + std::string(300, 'a') + ":1\"");
  EXPECT_TRUE(long_host.alternatives.empty());

  AltSvcField long_id = ParseAltSvc(std::string(100, 'h') + "=\":1\"");
  EXPECT_TRUE(long_id.alternatives.empty());

  // Control characters inside the quoted authority.
  AltSvcField ctl = ParseAltSvc(std::string("h3=\"a\x01:1\""));
  EXPECT_TRUE(ctl.alternatives.empty());
}

TEST(AltSvcHeader, EmptyAndGarbage) {
  EXPECT_TRUE(ParseAltSvc("").alternatives.empty());
  EXPECT_TRUE(ParseAltSvc(",,, ,").alternatives.empty());
  EXPECT_TRUE(ParseAltSvc("\"\"\"").alternatives.empty());
  EXPECT_TRUE(ParseAltSvc(std::string("\0\0\0", 3)).alternatives.empty());
}

}  // namespace
}  // namespace strata
