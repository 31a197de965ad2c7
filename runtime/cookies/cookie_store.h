// cookie_store.h — the cookies of one client: what Set-Cookie stored, what
// a request sends back in its Cookie header (RFC 6265bis §5.7, §5.8.3).
//
// OWNERSHIP: a CookieStore is a plain object owned by one runtime and used
// from its thread only (not thread-safe). It keeps copies of the cookies;
// nothing it returns points into it. Time is always passed in (Unix
// seconds), so tests and the runtime decide what "now" is.
//
// The per-domain limit counts a site's cookies together (its registrable
// domain, public_suffix.h), so "a.example.com" and "b.example.com" cannot
// each bring 50.
#ifndef STRATA_RUNTIME_COOKIES_COOKIE_STORE_H_
#define STRATA_RUNTIME_COOKIES_COOKIE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "runtime/cookies/cookie.h"

namespace strata {

// A per-site or total limit below 1 counts as 1.
struct CookieStoreLimits {
  size_t max_per_site = 50;  // RFC 6265 §6.1 asks for at least 50 per domain
  size_t max_total = 3000;   // and 3000 in all
  // The Cookie header stops growing at this many bytes (servers commonly
  // refuse request header fields over 8 KiB).
  size_t max_header_bytes = 8190;
};

// SiteContext says how the request relates to the site that caused it,
// for SameSite (RFC 6265bis §5.8.3.1). A command-line client has no
// "site for cookies": it, like curl, sends everything as kSameSite.
enum class SiteContext {
  kSameSite,             // every cookie may go
  kCrossSiteNavigation,  // a cross-site top-level GET: Strict cookies stay home
  kCrossSite,            // any other cross-site request: Strict and Lax stay home
};

class CookieStore {
 public:
  explicit CookieStore(CookieStoreLimits limits = {}) : limits_(limits) {}

  // SetFromHeader parses one Set-Cookie field value received from |url|
  // and stores the cookie: a cookie with the same name, domain, path and
  // host-only flag is replaced (keeping its creation time, so it keeps its
  // place in the Cookie header and the jar); an already-expired cookie
  // only deletes that one. Errors: ParseSetCookie's, and PermissionDenied
  // when a non-secure request tries to set a cookie that would shadow a
  // stored Secure one (6265bis §5.7 step 16).
  absl::Status SetFromHeader(absl::string_view set_cookie, const CookieUrl& url, int64_t now);

  // Add stores a cookie from elsewhere (a jar file) as SetFromHeader stores
  // a parsed one: it replaces the same key (taking over its creation time
  // and creation_seq), else gets the next creation_seq; creation_unix_s and
  // last_access_unix_s of 0 become |now|. A domain cookie for a public
  // suffix or an IP (".com" in a hand-edited jar) is made host-only. An
  // expired cookie only deletes the same key. InvalidArgument from
  // ValidateCookie.
  absl::Status Add(Cookie cookie, int64_t now);

  // CookieHeaderFor returns the Cookie header value for a request to |url|
  // ("a=1; b=2", a nameless cookie as its value alone), or "" when no
  // cookie applies. Cookies with longer paths come first, then older ones
  // (§5.8.3 step 2). Secure ones go only to https, expired ones are
  // dropped; the header stops before a cookie that would take it past
  // max_header_bytes. Sent cookies get last_access = |now|.
  std::string CookieHeaderFor(const CookieUrl& url, int64_t now, SiteContext context = SiteContext::kSameSite);

  // List returns the cookies not expired at |now|, oldest first
  // (creation_seq order).
  std::vector<Cookie> List(int64_t now) const;

  void Clear();
  // DropSessionCookies forgets every cookie without an expiry time, as if
  // the previous session had ended (curl -j / --junk-session-cookies).
  void DropSessionCookies();

  size_t size() const { return total_; }

 private:
  // Cookies live in buckets by their domain, so a request looks up its
  // host and each parent domain instead of scanning every cookie. A
  // bucket remembers its domain's site for the per-site count.
  struct Bucket {
    std::string site;
    std::vector<Cookie> cookies;
  };
  using Buckets = std::map<std::string, Bucket>;

  // Store puts a validated cookie in place: the shared tail of
  // SetFromHeader and Add.
  void Store(Cookie cookie, int64_t now);
  // MakeRoom evicts so that one more cookie fits in |site| and overall:
  // expired cookies first, then the least recently used.
  void MakeRoom(const std::string& site, int64_t now);
  // RemoveExpired drops expired cookies, of |site| only when it is not null.
  void RemoveExpired(const std::string* site, int64_t now);
  // RemoveLeastRecentlyUsed drops one cookie, of |site| only when not null.
  void RemoveLeastRecentlyUsed(const std::string* site);
  // RemoveIf drops the bucket's cookies that |drop| picks; false when
  // that emptied the bucket (|bucket| is then gone).
  bool RemoveIf(Buckets::iterator bucket, absl::FunctionRef<bool(const Cookie&)> drop);
  void Remove(Buckets::iterator bucket, size_t index);
  bool ShadowsSecureCookie(const Cookie& cookie) const;

  CookieStoreLimits limits_;
  Buckets buckets_;                             // cookie domain -> its cookies
  std::map<std::string, size_t> site_counts_;  // site -> cookies of its domains
  size_t total_ = 0;
  uint64_t next_seq_ = 1;
};

}  // namespace strata

#endif  // STRATA_RUNTIME_COOKIES_COOKIE_STORE_H_
