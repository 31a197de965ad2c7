#include "runtime/url/url.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(Url, ParsesAndNormalises) {
  absl::StatusOr<Url> u = ParseUrl("HTTP://Example.COM/a/b?c=d#frag");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 80);
  EXPECT_FALSE(u->port_explicit);
  EXPECT_EQ(u->path, "/a/b?c=d");
  EXPECT_EQ(u->fragment, "frag");
  EXPECT_EQ(u->Authority(), "example.com");
}

TEST(Url, EmptyPathBecomesSlashAndQueryKeepsIt) {
  EXPECT_EQ(ParseUrl("https://h")->path, "/");
  EXPECT_EQ(ParseUrl("https://h?x=1")->path, "/?x=1");
  EXPECT_EQ(ParseUrl("https://h")->port, 443);
}

TEST(Url, Ipv6LiteralAndPort) {
  absl::StatusOr<Url> u = ParseUrl("http://[::1]:8080/x");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->Authority(), "[::1]:8080");
  EXPECT_EQ(u->HostPort(), "[::1]:8080");
}

TEST(Url, UserinfoIsSeparated) {
  absl::StatusOr<Url> u = ParseUrl("http://user:pw@h:81/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->userinfo, "user:pw");
  EXPECT_EQ(u->host, "h");
  EXPECT_EQ(u->ToString(), "http://h:81/");
}

// docs/hostile-peers.md case 80: strict parse of hostile authorities.
TEST(Url, Hostile80_RejectsPercentEncodedHost) {
  EXPECT_FALSE(ParseUrl("http://example.com%2F.evil.com/").ok());
}
TEST(Url, Hostile80_RejectsEmptyHost) {
  EXPECT_FALSE(ParseUrl("http:///path").ok());
  EXPECT_FALSE(ParseUrl("http://:80/").ok());
}
TEST(Url, Hostile80_RejectsControlsSpacesAndBackslash) {
  EXPECT_FALSE(ParseUrl("http://h/a b").ok());
  EXPECT_FALSE(ParseUrl("http://h/a\r\nX: y").ok());
  EXPECT_FALSE(ParseUrl("http://h\\@evil/").ok());
  EXPECT_FALSE(ParseUrl("http://h/%zz").ok());
}
TEST(Url, RejectsBadPorts) {
  EXPECT_FALSE(ParseUrl("http://h:0/").ok());
  EXPECT_FALSE(ParseUrl("http://h:65536/").ok());
  EXPECT_FALSE(ParseUrl("http://h:+80/").ok());
  EXPECT_FALSE(ParseUrl("http://h:8a/").ok());
  EXPECT_FALSE(ParseUrl("http://[::1/").ok());
  EXPECT_FALSE(ParseUrl("http://[zz]/").ok());
}
TEST(Url, RejectsMissingSchemeOrAuthority) {
  EXPECT_FALSE(ParseUrl("example.com/x").ok());
  EXPECT_FALSE(ParseUrl("mailto:x@y").ok());
  EXPECT_FALSE(ParseUrl("").ok());
}

TEST(Url, Rfc3986_5_4_ResolvesReferences) {
  Url base = *ParseUrl("http://a/b/c/d;p?q");
  struct Case {
    const char* ref;
    const char* want;
  } cases[] = {
      {"g", "http://a/b/c/g"},         {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},       {"/g", "http://a/g"},
      {"//g", "http://g/"},            {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},     {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},     {"..", "http://a/b/"},
      {"../g", "http://a/b/g"},        {"../..", "http://a/"},
      {"../../g", "http://a/g"},       {"../../../g", "http://a/g"},
      {"/./g", "http://a/g"},          {"g.", "http://a/b/c/g."},
      {"./../g", "http://a/b/g"},      {"g;x=1/../y", "http://a/b/c/y"},
      {"https://other:444/x", "https://other:444/x"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Url> r = ResolveReference(base, c.ref);
    ASSERT_TRUE(r.ok()) << c.ref << ": " << r.status();
    EXPECT_EQ(r->ToString(), c.want) << c.ref;
  }
}

TEST(Url, Rfc9110_10_2_2_FragmentIsInherited) {
  Url base = *ParseUrl("http://a/x#keep");
  EXPECT_EQ(ResolveReference(base, "/y")->ToString(), "http://a/y#keep");
  EXPECT_EQ(ResolveReference(base, "/y#new")->ToString(), "http://a/y#new");
}

TEST(Url, Hostile80_ResolvedHostHostileIsRefused) {
  Url base = *ParseUrl("http://a/x");
  EXPECT_FALSE(ResolveReference(base, "http://a%2Fb/").ok());
  EXPECT_FALSE(ResolveReference(base, "http:///x").ok());
  EXPECT_FALSE(ResolveReference(base, "/a b").ok());
}

// Found by tests/fuzz/url_fuzzer (corpus file regression_ipv6_nul): the
// IPv6 literal was checked with inet_pton on a C string, so bytes after a NUL
// were ignored and kept in the host.
TEST(Url, Hostile80_RejectsNulAndJunkInIpv6Literal) {
  const char with_nuls[] = "http://[::1\0\0]/x";
  EXPECT_FALSE(ParseUrl(std::string(with_nuls, sizeof(with_nuls) - 1)).ok());
  const char with_name[] = "http://[::1\0evil.com]/";
  EXPECT_FALSE(ParseUrl(std::string(with_name, sizeof(with_name) - 1)).ok());
  EXPECT_FALSE(ParseUrl("http://[::1%25eth0]/").ok());
  EXPECT_FALSE(ParseUrl("http://[v1.fe80::a]/").ok());
  absl::StatusOr<Url> ok = ParseUrl("http://[::FFFF:1.2.3.4]:8080/");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->host, "::ffff:1.2.3.4");
}

}  // namespace
}  // namespace strata
