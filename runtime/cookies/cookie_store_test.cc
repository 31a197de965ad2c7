#include "runtime/cookies/cookie_store.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime/cookies/cookie_match.h"

namespace strata {
namespace {

constexpr int64_t kNow = 1796599096;

CookieUrl Https(absl::string_view host, absl::string_view path = "/") {
  return CookieUrl{"https", std::string(host), std::string(path)};
}
CookieUrl Http(absl::string_view host, absl::string_view path = "/") {
  return CookieUrl{"http", std::string(host), std::string(path)};
}

void Set(CookieStore& store, absl::string_view header, const CookieUrl& url, int64_t now = kNow) {
  absl::Status s = store.SetFromHeader(header, url, now);
  EXPECT_TRUE(s.ok()) << header << ": " << s;
}

TEST(CookieMatch, Rfc6265bis_5_1_3_DomainMatch) {
  EXPECT_TRUE(CookieDomainMatches("example.com", "example.com"));
  EXPECT_TRUE(CookieDomainMatches("www.example.com", "example.com"));
  EXPECT_TRUE(CookieDomainMatches("a.b.example.com", "example.com"));
  EXPECT_FALSE(CookieDomainMatches("badexample.com", "example.com"));
  EXPECT_FALSE(CookieDomainMatches("example.com", "www.example.com"));
  EXPECT_FALSE(CookieDomainMatches("1.2.3.4", "2.3.4"));  // IP literals only match themselves
  EXPECT_TRUE(CookieDomainMatches("1.2.3.4", "1.2.3.4"));
}

TEST(CookieMatch, Rfc6265bis_5_1_4_PathMatch) {
  EXPECT_TRUE(CookiePathMatches("/", "/"));
  EXPECT_TRUE(CookiePathMatches("/a/b", "/"));
  EXPECT_TRUE(CookiePathMatches("/a", "/a"));
  EXPECT_TRUE(CookiePathMatches("/a/b", "/a"));
  EXPECT_TRUE(CookiePathMatches("/a/b", "/a/"));
  EXPECT_FALSE(CookiePathMatches("/ab", "/a"));
  EXPECT_FALSE(CookiePathMatches("/a", "/a/"));
  EXPECT_FALSE(CookiePathMatches("/A", "/a"));  // case-sensitive
  EXPECT_EQ(DefaultCookiePath("/a/b/c"), "/a/b");
  EXPECT_EQ(DefaultCookiePath("/a/"), "/a");
  EXPECT_EQ(DefaultCookiePath("/a"), "/");
  EXPECT_EQ(DefaultCookiePath("x"), "/");
}

TEST(CookieStore, HostOnlyCookiesGoToTheirHostOnly) {
  CookieStore store;
  Set(store, "h=1", Https("www.example.com"));
  EXPECT_EQ(store.CookieHeaderFor(Https("www.example.com"), kNow), "h=1");
  EXPECT_EQ(store.CookieHeaderFor(Https("sub.www.example.com"), kNow), "");
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow), "");
  EXPECT_EQ(store.CookieHeaderFor(Https("other.com"), kNow), "");
}

TEST(CookieStore, HostsCompareCaseInsensitively) {
  CookieStore store;
  Set(store, "h=1", Https("WWW.Example.com"));
  EXPECT_EQ(store.CookieHeaderFor(Https("www.EXAMPLE.com"), kNow), "h=1");
  EXPECT_EQ(store.CookieHeaderFor(CookieUrl{"HTTPS", "www.example.com", "/"}, kNow), "h=1");
}

TEST(CookieStore, DomainCookiesGoToSubdomains) {
  CookieStore store;
  Set(store, "d=1; Domain=example.com", Https("www.example.com"));
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow), "d=1");
  EXPECT_EQ(store.CookieHeaderFor(Https("www.example.com"), kNow), "d=1");
  EXPECT_EQ(store.CookieHeaderFor(Https("a.b.example.com"), kNow), "d=1");
  EXPECT_EQ(store.CookieHeaderFor(Https("notexample.com"), kNow), "");
  EXPECT_EQ(store.CookieHeaderFor(Https("example.org"), kNow), "");
}

TEST(CookieStore, HostOnlyAndDomainCookieOfTheSameNameAreTwoCookies) {
  CookieStore store;
  Set(store, "x=host", Https("example.com"));
  Set(store, "x=domain; Domain=example.com", Https("example.com"));
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow), "x=host; x=domain");
  EXPECT_EQ(store.CookieHeaderFor(Https("www.example.com"), kNow), "x=domain");
}

TEST(CookieStore, PathMatchingAndLongerPathsFirst) {
  CookieStore store;
  Set(store, "root=1; Path=/", Https("example.com"));
  Set(store, "docs=2; Path=/docs", Https("example.com"));
  Set(store, "deep=3; Path=/docs/api/", Https("example.com"));
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com", "/"), kNow), "root=1");
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com", "/docs"), kNow), "docs=2; root=1");
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com", "/docs/api/x?q=1"), kNow), "deep=3; docs=2; root=1");
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com", "/docsx"), kNow), "root=1");
}

TEST(CookieStore, Rfc6265bis_5_8_3_EqualPathsInCreationOrder) {
  CookieStore store;
  Set(store, "b=1; Path=/", Https("example.com"), kNow);
  Set(store, "a=2; Path=/", Https("example.com"), kNow);
  Set(store, "c=3; Path=/", Https("example.com"), kNow - 10);  // created earlier by the clock
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow), "c=3; b=1; a=2");
}

TEST(CookieStore, ReplacementKeepsCreationTimeAndPlace) {
  CookieStore store;
  Set(store, "a=1; Path=/", Https("example.com"), kNow);
  Set(store, "b=1; Path=/", Https("example.com"), kNow + 1);
  Set(store, "a=2; Path=/; HttpOnly", Https("example.com"), kNow + 2);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow + 3), "a=2; b=1");
  std::vector<Cookie> list = store.List(kNow + 3);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "a");
  EXPECT_EQ(list[0].creation_unix_s, kNow);
  EXPECT_TRUE(list[0].http_only);
}

TEST(CookieStore, DifferentPathIsADifferentCookie) {
  CookieStore store;
  Set(store, "a=1; Path=/", Https("example.com"));
  Set(store, "a=2; Path=/x", Https("example.com"));
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com", "/x/y"), kNow), "a=2; a=1");
}

TEST(CookieStore, ExpiredCookieDeletesTheStoredOne) {
  CookieStore store;
  Set(store, "a=1; Path=/", Https("example.com"));
  Set(store, "a=gone; Path=/; Max-Age=0", Https("example.com"));
  EXPECT_EQ(store.size(), 0u);
  Set(store, "b=1; Path=/", Https("example.com"));
  Set(store, "b=gone; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT", Https("example.com"));
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow), "");
  // An expired cookie alone is not stored.
  Set(store, "c=1; Max-Age=-1", Https("example.com"));
  EXPECT_EQ(store.size(), 0u);
}

TEST(CookieStore, CookiesExpireWithTime) {
  CookieStore store;
  Set(store, "short=1; Max-Age=10", Https("example.com"));
  Set(store, "session=1", Https("example.com"));
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow + 9), "short=1; session=1");
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow + 10), "session=1");
  EXPECT_EQ(store.List(kNow + 10).size(), 1u);
}

TEST(CookieStore, SecureCookiesGoOnlyToHttps) {
  CookieStore store;
  Set(store, "s=1; Secure", Https("example.com"));
  Set(store, "p=2", Https("example.com"));
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow), "s=1; p=2");
  EXPECT_EQ(store.CookieHeaderFor(Http("example.com"), kNow), "p=2");
}

TEST(CookieStore, Rfc6265bis_5_7_Step16_HttpCannotShadowASecureCookie) {
  CookieStore store;
  Set(store, "sid=secret; Secure; Domain=example.com; Path=/", Https("www.example.com"));
  // Same name over http, for a matching domain and a path under the
  // secure cookie's: refused, whether host-only or not.
  for (const char* header : {"sid=evil; Path=/", "sid=evil; Domain=example.com; Path=/",
                             "sid=evil; Path=/account", "sid=evil; Max-Age=0; Domain=example.com; Path=/"}) {
    absl::Status s = store.SetFromHeader(header, Http("www.example.com"), kNow);
    EXPECT_TRUE(absl::IsPermissionDenied(s)) << header << ": " << s;
  }
  EXPECT_EQ(store.CookieHeaderFor(Https("www.example.com"), kNow), "sid=secret");
  // Another name, or over https, is fine.
  Set(store, "other=1; Path=/", Http("www.example.com"));
  Set(store, "sid=new; Secure; Domain=example.com; Path=/", Https("www.example.com"));
  EXPECT_EQ(store.CookieHeaderFor(Https("www.example.com"), kNow), "sid=new; other=1");
  // A different site is not concerned.
  Set(store, "sid=x; Path=/", Http("example.org"));
}

TEST(CookieStore, PublicSuffixSupercookiesAreRefused) {
  CookieStore store;
  for (const auto& [header, host] : std::vector<std::pair<const char*, const char*>>{
           {"a=1; Domain=co.uk", "shop.example.co.uk"},
           {"a=1; Domain=com", "www.example.com"},
           {"a=1; Domain=github.io", "strata.github.io"},
           {"a=1; Domain=.uk", "www.bbc.co.uk"}}) {
    absl::Status s = store.SetFromHeader(header, Https(host), kNow);
    EXPECT_TRUE(absl::IsPermissionDenied(s)) << header << " from " << host << ": " << s;
  }
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.CookieHeaderFor(Https("other.co.uk"), kNow), "");
  // The site itself may set a cookie for all of itself.
  Set(store, "ok=1; Domain=example.co.uk", Https("shop.example.co.uk"));
  EXPECT_EQ(store.CookieHeaderFor(Https("www.example.co.uk"), kNow), "ok=1");
  EXPECT_EQ(store.CookieHeaderFor(Https("other.co.uk"), kNow), "");
  // A public suffix that is the host gets a host-only cookie.
  Set(store, "gh=1; Domain=github.io", Https("github.io"));
  EXPECT_EQ(store.CookieHeaderFor(Https("github.io"), kNow), "gh=1");
  EXPECT_EQ(store.CookieHeaderFor(Https("strata.github.io"), kNow), "");
}

TEST(CookieStore, AddDemotesAPublicSuffixDomainCookieToHostOnly) {
  CookieStore store;
  Cookie c;
  c.name = "super";
  c.value = "1";
  c.domain = "com";
  c.path = "/";
  c.host_only = false;
  ASSERT_TRUE(store.Add(c, kNow).ok());
  EXPECT_EQ(store.CookieHeaderFor(Https("www.example.com"), kNow), "");
  EXPECT_EQ(store.CookieHeaderFor(Https("com"), kNow), "super=1");
  c.domain = "Bad Domain";
  EXPECT_TRUE(absl::IsInvalidArgument(store.Add(c, kNow)));
}

TEST(CookieStore, IpHosts) {
  CookieStore store;
  Set(store, "a=1", Http("127.0.0.1"));
  Set(store, "b=2; Domain=127.0.0.1", Http("127.0.0.1"));
  EXPECT_EQ(store.CookieHeaderFor(Http("127.0.0.1"), kNow), "a=1; b=2");
  EXPECT_EQ(store.CookieHeaderFor(Http("1.127.0.0.1"), kNow), "");
  EXPECT_EQ(store.CookieHeaderFor(Http("0.0.1"), kNow), "");
}

TEST(CookieStore, NamelessCookieIsSentAsItsValue) {
  CookieStore store;
  Set(store, "a=1; Path=/", Https("example.com"));
  Set(store, "token; Path=/", Https("example.com"));
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow), "a=1; token");
}

TEST(CookieStore, SameSiteContext) {
  CookieStore store;
  Set(store, "s=1; SameSite=Strict", Https("example.com"));
  Set(store, "l=2; SameSite=Lax", Https("example.com"));
  Set(store, "n=3; SameSite=None; Secure", Https("example.com"));
  Set(store, "u=4", Https("example.com"));
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow), "s=1; l=2; n=3; u=4");
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow, SiteContext::kCrossSiteNavigation), "l=2; n=3; u=4");
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow, SiteContext::kCrossSite), "n=3; u=4");
}

TEST(CookieStore, HeaderStopsAtTheLengthCap) {
  CookieStore store(CookieStoreLimits{.max_header_bytes = 20});
  Set(store, "a=12345; Path=/", Https("example.com"));  // 7 bytes
  Set(store, "b=12345; Path=/", Https("example.com"));  // 9 with "; ": 16
  Set(store, "c=12345; Path=/", Https("example.com"));  // would be 25
  Set(store, "d=1; Path=/", Https("example.com"));      // would fit, but the header stops
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow), "a=12345; b=12345");
}

TEST(CookieStore, DefaultHeaderCapIs8190Bytes) {
  CookieStore store;
  for (int i = 0; i < 10; ++i) {
    Set(store, absl::StrCat("c", i, "=", std::string(1000, 'v'), "; Path=/"), Https("example.com"));
  }
  std::string header = store.CookieHeaderFor(Https("example.com"), kNow);
  EXPECT_LE(header.size(), 8190u);
  EXPECT_EQ(header.size(), 8 * 1003u + 7 * 2u);  // eight cookies of "cN=" + 1000
}

TEST(CookieStore, PerSiteLimitEvictsLeastRecentlyUsed) {
  CookieStore store(CookieStoreLimits{.max_per_site = 3});
  Set(store, "a=1", Https("a.example.com"), kNow);
  Set(store, "b=1", Https("b.example.com"), kNow + 1);
  Set(store, "c=1", Https("example.com"), kNow + 2);
  store.CookieHeaderFor(Https("a.example.com"), kNow + 3);  // a is used: b is now the oldest
  Set(store, "d=1", Https("d.example.com"), kNow + 4);     // same site: b goes
  EXPECT_EQ(store.size(), 3u);
  EXPECT_EQ(store.CookieHeaderFor(Https("b.example.com"), kNow + 5), "");
  EXPECT_EQ(store.CookieHeaderFor(Https("a.example.com"), kNow + 5), "a=1");
  // Another site is counted on its own.
  Set(store, "x=1", Https("example.org"), kNow + 6);
  EXPECT_EQ(store.size(), 4u);
}

TEST(CookieStore, EvictionTakesExpiredCookiesFirst) {
  CookieStore store(CookieStoreLimits{.max_per_site = 3});
  Set(store, "old=1", Https("example.com"), kNow);
  Set(store, "soon=1; Max-Age=5", Https("example.com"), kNow + 1);
  Set(store, "new=1", Https("example.com"), kNow + 2);
  Set(store, "more=1", Https("example.com"), kNow + 10);  // soon has expired: it goes, old stays
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow + 10), "old=1; new=1; more=1");
}

TEST(CookieStore, TotalLimit) {
  CookieStore store(CookieStoreLimits{.max_total = 3});
  Set(store, "a=1", Https("a.com"), kNow);
  Set(store, "b=1", Https("b.com"), kNow + 1);
  Set(store, "c=1", Https("c.com"), kNow + 2);
  Set(store, "d=1", Https("d.com"), kNow + 3);
  EXPECT_EQ(store.size(), 3u);
  EXPECT_EQ(store.CookieHeaderFor(Https("a.com"), kNow + 4), "");
  EXPECT_EQ(store.CookieHeaderFor(Https("d.com"), kNow + 4), "d=1");
}

TEST(CookieStore, DefaultLimitsAre50PerSiteAnd3000) {
  CookieStore store;
  for (int i = 0; i < 60; ++i) Set(store, absl::StrCat("n", i, "=v"), Https(absl::StrCat("h", i, ".example.com")));
  EXPECT_EQ(store.size(), 50u);
  for (int i = 0; i < 3100; ++i) Set(store, absl::StrCat("n=v"), Https(absl::StrCat("site", i, ".com")));
  EXPECT_EQ(store.size(), 3000u);
}

TEST(CookieStore, ReplacingDoesNotEvict) {
  CookieStore store(CookieStoreLimits{.max_per_site = 2});
  Set(store, "a=1", Https("example.com"));
  Set(store, "b=1", Https("example.com"));
  Set(store, "a=2", Https("example.com"));
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow), "a=2; b=1");
}

TEST(CookieStore, ClearAndDropSessionCookies) {
  CookieStore store;
  Set(store, "session=1", Https("example.com"));
  Set(store, "kept=1; Max-Age=100", Https("example.com"));
  Set(store, "s2=1", Https("example.org"));
  store.DropSessionCookies();
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.CookieHeaderFor(Https("example.com"), kNow), "kept=1");
  EXPECT_EQ(store.CookieHeaderFor(Https("example.org"), kNow), "");
  store.Clear();
  EXPECT_EQ(store.size(), 0u);
  EXPECT_TRUE(store.List(kNow).empty());
  Set(store, "again=1", Https("example.com"));
  EXPECT_EQ(store.size(), 1u);
}

TEST(CookieStore, ListIsOldestFirstAndSkipsExpired) {
  CookieStore store;
  Set(store, "a=1; Max-Age=5", Https("example.com"));
  Set(store, "b=1", Https("example.org"));
  Set(store, "c=1", Https("example.com"));
  std::vector<Cookie> list = store.List(kNow);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "a");
  EXPECT_EQ(list[1].name, "b");
  EXPECT_EQ(list[2].name, "c");
  EXPECT_LT(list[0].creation_seq, list[1].creation_seq);
  EXPECT_EQ(store.List(kNow + 5).size(), 2u);
}

}  // namespace
}  // namespace strata
