#include "plugins/policy_allowlist/origin.h"

#include "gtest/gtest.h"

namespace strata::policy_allowlist {
namespace {

TEST(Origin, DefaultPortsAndCaseAreNormalised) {
  std::optional<Origin> a = ParseOrigin("HTTPS://Example.COM/path?q#f");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ToString(), "https://example.com:443");
  std::optional<Origin> b = ParseOrigin("https://example.com:443");
  ASSERT_TRUE(b);
  EXPECT_TRUE(*a == *b);
  std::optional<Origin> c = ParseOrigin("http://user:pw@127.0.0.1:8080/x");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ToString(), "http://127.0.0.1:8080");
}

TEST(Origin, Ipv6HostsKeepTheirBrackets) {
  std::optional<Origin> o = ParseOrigin("http://[::1]:9000/");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->host, "::1");
  EXPECT_EQ(o->ToString(), "http://[::1]:9000");
}

TEST(Origin, WhatIsNotAnHttpOriginIsRefused) {
  EXPECT_FALSE(ParseOrigin("example.com"));
  EXPECT_FALSE(ParseOrigin("ftp://example.com"));  // no default port known
  EXPECT_FALSE(ParseOrigin("https://"));
  EXPECT_FALSE(ParseOrigin("https://h:0/"));
  EXPECT_FALSE(ParseOrigin("https://h:70000/"));
  EXPECT_FALSE(ParseOrigin("https://[::1/"));
  EXPECT_FALSE(ParseOrigin("https://h:x/"));
}

}  // namespace
}  // namespace strata::policy_allowlist
