#include "runtime/cookies/set_cookie_parser.h"

#include <string>

#include "gtest/gtest.h"
#include "runtime/cookies/public_suffix.h"

namespace strata {
namespace {

constexpr int64_t kNow = 1796599096;  // 2026-12-06

const CookieUrl kHttps{"https", "www.example.com", "/dir/page"};
const CookieUrl kHttp{"http", "www.example.com", "/dir/page"};

Cookie Parse(absl::string_view header, const CookieUrl& url = kHttps) {
  absl::StatusOr<Cookie> c = ParseSetCookie(header, url, kNow);
  EXPECT_TRUE(c.ok()) << header << ": " << c.status();
  return c.ok() ? *c : Cookie{};
}

absl::Status Refusal(absl::string_view header, const CookieUrl& url = kHttps) {
  return ParseSetCookie(header, url, kNow).status();
}

TEST(SetCookieParser, PlainCookieIsHostOnlyWithDefaultPath) {
  Cookie c = Parse("sid=abc123");
  EXPECT_EQ(c.name, "sid");
  EXPECT_EQ(c.value, "abc123");
  EXPECT_EQ(c.domain, "www.example.com");
  EXPECT_TRUE(c.host_only);
  EXPECT_EQ(c.path, "/dir");  // §5.1.4: up to, not including, the last '/'
  EXPECT_FALSE(c.secure);
  EXPECT_FALSE(c.http_only);
  EXPECT_EQ(c.same_site, SameSite::kUnset);
  EXPECT_EQ(c.expires_unix_s, 0);
  EXPECT_TRUE(c.session());
  EXPECT_EQ(c.creation_unix_s, kNow);
  EXPECT_EQ(c.last_access_unix_s, kNow);
}

TEST(SetCookieParser, Rfc6265bis_5_6_NameValueSplitAndTrim) {
  Cookie c = Parse("  a b = c d ; Path=/");
  EXPECT_EQ(c.name, "a b");
  EXPECT_EQ(c.value, "c d");
  c = Parse("k=v=w");  // the first '=' splits
  EXPECT_EQ(c.name, "k");
  EXPECT_EQ(c.value, "v=w");
  c = Parse("empty=");
  EXPECT_EQ(c.name, "empty");
  EXPECT_EQ(c.value, "");
  c = Parse("\tq=\"quoted\"\t");
  EXPECT_EQ(c.value, "\"quoted\"");  // quotes are part of the value
}

TEST(SetCookieParser, Rfc6265bis_5_6_NamelessCookies) {
  Cookie c = Parse("token");
  EXPECT_EQ(c.name, "");
  EXPECT_EQ(c.value, "token");
  c = Parse("=value");
  EXPECT_EQ(c.name, "");
  EXPECT_EQ(c.value, "value");
  c = Parse("=a=b");
  EXPECT_EQ(c.name, "");
  EXPECT_EQ(c.value, "a=b");
  EXPECT_TRUE(absl::IsInvalidArgument(Refusal("=")));
  EXPECT_TRUE(absl::IsInvalidArgument(Refusal("")));
  EXPECT_TRUE(absl::IsInvalidArgument(Refusal("  ; Path=/")));
}

TEST(SetCookieParser, Rfc6265bis_5_6_ControlCharactersRefuseTheCookie) {
  for (std::string bad : {std::string("a=b\x01"), std::string("a=b\rc"), std::string("a=b\nSet-Cookie: c=d"),
                          std::string("a=b; Path=/\x7f"), std::string("a\0b=c", 5)}) {
    absl::Status s = Refusal(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
    EXPECT_NE(s.message().find("control character"), absl::string_view::npos) << s;
  }
  // HTAB is whitespace around fields, but not allowed inside one.
  EXPECT_EQ(Parse("a=b\t;\tPath=/x\t").path, "/x");
  EXPECT_TRUE(absl::IsInvalidArgument(Refusal("a=b\tc")));
  EXPECT_TRUE(absl::IsInvalidArgument(Refusal("a=b; Path=/x\ty")));  // the path could not be written to a jar
}

TEST(SetCookieParser, Rfc6265bis_5_6_SizeLimits) {
  EXPECT_EQ(Parse(std::string(4000, 'n') + "=" + std::string(96, 'v')).value.size(), 96u);
  EXPECT_TRUE(absl::IsInvalidArgument(Refusal(std::string(4000, 'n') + "=" + std::string(97, 'v'))));
  EXPECT_TRUE(absl::IsInvalidArgument(Refusal(std::string(4097, 'v'))));
  // An attribute value over 1024 bytes is ignored, not the cookie.
  Cookie c = Parse("a=b; Path=/" + std::string(1023, 'p'));
  EXPECT_EQ(c.path.size(), 1024u);
  c = Parse("a=b; Path=/" + std::string(1024, 'p'));
  EXPECT_EQ(c.path, "/dir");
  c = Parse("a=b; Domain=" + std::string(1100, 'x') + ".example.com");
  EXPECT_TRUE(c.host_only);
}

TEST(SetCookieParser, Rfc6265bis_5_6_1_Expires) {
  Cookie c = Parse("a=b; Expires=Wed, 09 Jun 2027 10:18:14 GMT");
  EXPECT_EQ(c.expires_unix_s, 1812536294);
  c = Parse("a=b; expires=Sunday, 06-Jun-27 08:49:37 GMT");  // RFC 850, two-digit year
  EXPECT_EQ(c.expires_unix_s, 1812271777);
  c = Parse("a=b; EXPIRES=Sun Jun  6 08:49:37 2027");  // asctime
  EXPECT_EQ(c.expires_unix_s, 1812271777);
  c = Parse("a=b; Expires=someday");  // unparsable: ignored, a session cookie
  EXPECT_EQ(c.expires_unix_s, 0);
  c = Parse("a=b; Expires=Wed, 09 Jun 2027 10:18:14 GMT; Expires=bogus");  // the last valid one counts
  EXPECT_EQ(c.expires_unix_s, 1812536294);
  c = Parse("a=b; Expires=Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_TRUE(c.Expired(kNow));
  c = Parse("a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT");  // 0 must not mean "session"
  EXPECT_EQ(c.expires_unix_s, kCookieExpiredUnixS);
}

TEST(SetCookieParser, Rfc6265bis_5_6_1_ExpiresIsCappedAt400Days) {
  Cookie c = Parse("a=b; Expires=Wed, 09 Jun 2038 10:18:14 GMT");
  EXPECT_EQ(c.expires_unix_s, kNow + 400 * 86400);
}

TEST(SetCookieParser, Rfc6265bis_5_6_2_MaxAge) {
  EXPECT_EQ(Parse("a=b; Max-Age=3600").expires_unix_s, kNow + 3600);
  EXPECT_EQ(Parse("a=b; max-age=0").expires_unix_s, kCookieExpiredUnixS);
  EXPECT_EQ(Parse("a=b; Max-Age=-5").expires_unix_s, kCookieExpiredUnixS);
  EXPECT_EQ(Parse("a=b; Max-Age=99999999999999999999999").expires_unix_s, kNow + kMaxCookieLifetimeS);
  EXPECT_EQ(Parse("a=b; Max-Age=1e3").expires_unix_s, 0);   // not digits: ignored
  EXPECT_EQ(Parse("a=b; Max-Age=+10").expires_unix_s, 0);
  EXPECT_EQ(Parse("a=b; Max-Age=").expires_unix_s, 0);
  EXPECT_EQ(Parse("a=b; Max-Age=-").expires_unix_s, 0);
  EXPECT_EQ(Parse("a=b; Max-Age=60; Max-Age=x").expires_unix_s, kNow + 60);
}

TEST(SetCookieParser, Rfc6265bis_5_6_2_MaxAgeWinsOverExpiresInEitherOrder) {
  EXPECT_EQ(Parse("a=b; Max-Age=60; Expires=Wed, 09 Jun 2027 10:18:14 GMT").expires_unix_s, kNow + 60);
  EXPECT_EQ(Parse("a=b; Expires=Wed, 09 Jun 2027 10:18:14 GMT; Max-Age=60").expires_unix_s, kNow + 60);
  EXPECT_TRUE(Parse("a=b; Expires=Wed, 09 Jun 2027 10:18:14 GMT; Max-Age=0").Expired(kNow));
}

TEST(SetCookieParser, Rfc6265bis_5_6_3_Domain) {
  Cookie c = Parse("a=b; Domain=example.com");
  EXPECT_EQ(c.domain, "example.com");
  EXPECT_FALSE(c.host_only);
  c = Parse("a=b; domain=.EXAMPLE.com");  // leading dot dropped, lower-cased
  EXPECT_EQ(c.domain, "example.com");
  EXPECT_FALSE(c.host_only);
  c = Parse("a=b; Domain=www.example.com");  // the host itself: still a domain cookie
  EXPECT_EQ(c.domain, "www.example.com");
  EXPECT_FALSE(c.host_only);
  c = Parse("a=b; Domain=");  // empty: ignored
  EXPECT_TRUE(c.host_only);
  c = Parse("a=b; Domain=.");
  EXPECT_TRUE(c.host_only);
  EXPECT_EQ(c.domain, "www.example.com");
  c = Parse("a=b", CookieUrl{"https", "WWW.Example.COM", "/"});
  EXPECT_EQ(c.domain, "www.example.com");
}

TEST(SetCookieParser, Rfc6265bis_5_7_DomainMustDomainMatchTheHost) {
  for (const char* bad : {"a=b; Domain=other.com", "a=b; Domain=sub.www.example.com", "a=b; Domain=ample.com",
                          "a=b; Domain=example.com.", "a=b; Domain=w.example.com"}) {
    absl::Status s = Refusal(bad);
    EXPECT_TRUE(absl::IsPermissionDenied(s)) << bad << ": " << s;
  }
}

TEST(SetCookieParser, Rfc6265bis_5_7_PublicSuffixDomainsAreRefused) {
  ASSERT_TRUE(IsPublicSuffix("co.uk"));
  absl::Status s = Refusal("a=b; Domain=com");
  EXPECT_TRUE(absl::IsPermissionDenied(s));
  EXPECT_NE(s.message().find("public suffix"), absl::string_view::npos) << s;
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("a=b; Domain=co.uk", {"https", "www.bbc.co.uk", "/"})));
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("a=b; Domain=.github.io", {"https", "strata.github.io", "/"})));
  // One label more than the suffix is a site: fine.
  Cookie c = Parse("a=b; Domain=bbc.co.uk", {"https", "www.bbc.co.uk", "/"});
  EXPECT_EQ(c.domain, "bbc.co.uk");
  EXPECT_FALSE(c.host_only);
  c = Parse("a=b; Domain=strata.github.io", {"https", "strata.github.io", "/"});
  EXPECT_FALSE(c.host_only);
}

TEST(SetCookieParser, Rfc6265bis_5_7_Step9_PublicSuffixEqualToTheHostIsHostOnly) {
  Cookie c = Parse("a=b; Domain=github.io", {"https", "github.io", "/"});
  EXPECT_EQ(c.domain, "github.io");
  EXPECT_TRUE(c.host_only);
  c = Parse("a=b; Domain=localhost", {"http", "localhost", "/"});  // "*" rule: an unknown TLD
  EXPECT_TRUE(c.host_only);
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("a=b; Domain=localhost", {"http", "app.localhost", "/"})));
}

TEST(SetCookieParser, Rfc6265bis_5_1_3_IpHostsOnlyAcceptThemselves) {
  const CookieUrl v4{"http", "127.0.0.1", "/"};
  Cookie c = Parse("a=b; Domain=127.0.0.1", v4);
  EXPECT_TRUE(c.host_only);
  EXPECT_EQ(c.domain, "127.0.0.1");
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("a=b; Domain=0.0.1", v4)));
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("a=b; Domain=.0.1", v4)));
  const CookieUrl v6{"http", "[::1]", "/"};
  c = Parse("a=b; Domain=[::1]", v6);
  EXPECT_TRUE(c.host_only);
  EXPECT_EQ(Parse("a=b", v6).domain, "[::1]");
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("a=b; Domain=1]", v6)));
}

TEST(SetCookieParser, Rfc6265bis_5_6_4_Path) {
  EXPECT_EQ(Parse("a=b; Path=/").path, "/");
  EXPECT_EQ(Parse("a=b; path=/x/y/").path, "/x/y/");
  EXPECT_EQ(Parse("a=b; Path=relative").path, "/dir");  // not starting with '/': default
  EXPECT_EQ(Parse("a=b; Path=").path, "/dir");
  EXPECT_EQ(Parse("a=b; Path=/a; Path=/b").path, "/b");
  EXPECT_EQ(Parse("a=b", {"https", "h.example", "/"}).path, "/");
  EXPECT_EQ(Parse("a=b", {"https", "h.example", "/page"}).path, "/");
  EXPECT_EQ(Parse("a=b", {"https", "h.example", "/a/b/c?x=/y/z"}).path, "/a/b");  // the query is not path
  EXPECT_EQ(Parse("a=b", {"https", "h.example", ""}).path, "/");
}

TEST(SetCookieParser, Rfc6265bis_5_7_SecureOnlyFromSecureSchemes) {
  EXPECT_TRUE(Parse("a=b; Secure").secure);
  EXPECT_TRUE(Parse("a=b; secure=ignored-value").secure);
  absl::Status s = Refusal("a=b; Secure", kHttp);
  EXPECT_TRUE(absl::IsPermissionDenied(s));
  EXPECT_NE(s.message().find("https"), absl::string_view::npos) << s;
  // Unlike curl 7.88, loopback over http is no exception.
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("a=b; Secure", {"http", "localhost", "/"})));
  EXPECT_TRUE(Parse("a=b; Secure", {"wss", "www.example.com", "/"}).secure);
}

TEST(SetCookieParser, HttpOnlyAndSameSite) {
  EXPECT_TRUE(Parse("a=b; HttpOnly").http_only);
  EXPECT_TRUE(Parse("a=b; httponly").http_only);
  EXPECT_EQ(Parse("a=b; SameSite=Strict").same_site, SameSite::kStrict);
  EXPECT_EQ(Parse("a=b; samesite=lax").same_site, SameSite::kLax);
  EXPECT_EQ(Parse("a=b; SameSite=NONE").same_site, SameSite::kNone);
  EXPECT_EQ(Parse("a=b; SameSite=Bogus").same_site, SameSite::kUnset);
  EXPECT_EQ(Parse("a=b; SameSite").same_site, SameSite::kUnset);
  EXPECT_EQ(Parse("a=b; SameSite=Lax; SameSite=Strict").same_site, SameSite::kStrict);
}

TEST(SetCookieParser, UnknownAttributesAndStrayseparatorsAreIgnored) {
  Cookie c = Parse("a=b;;; Priority=High; Partitioned; =x; Path=/p;");
  EXPECT_EQ(c.value, "b");
  EXPECT_EQ(c.path, "/p");
}

TEST(SetCookieParser, Rfc6265bis_4_1_3_SecurePrefix) {
  EXPECT_TRUE(Parse("__Secure-id=1; Secure").secure);
  EXPECT_TRUE(Parse("__Secure-id=1; Secure; Domain=example.com; Path=/x").secure);
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("__Secure-id=1")));
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("__secure-id=1")));  // case-insensitive
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("__Secure-id=1; Secure", kHttp)));
}

TEST(SetCookieParser, Rfc6265bis_4_1_3_HostPrefix) {
  Cookie c = Parse("__Host-id=1; Secure; Path=/");
  EXPECT_TRUE(c.host_only);
  EXPECT_EQ(c.path, "/");
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("__Host-id=1; Path=/")));                    // no Secure
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("__Host-id=1; Secure")));                    // no Path
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("__Host-id=1; Secure; Path=/dir")));         // Path not /
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("__HOST-id=1; Secure; Path=/; Domain=www.example.com")));
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("__Host-id=1; Secure; Path=/", kHttp)));
}

TEST(SetCookieParser, NamelessCookiesCannotImitatePrefixes) {
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("__Host-id=1")));  // this one has a name: no Secure
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("=__Host-id=1; Secure; Path=/")));
  EXPECT_TRUE(absl::IsPermissionDenied(Refusal("__Secure-id; Secure")));
}

}  // namespace
}  // namespace strata
