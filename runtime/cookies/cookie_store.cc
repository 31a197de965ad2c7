#include "runtime/cookies/cookie_store.h"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "runtime/cookies/cookie_match.h"
#include "runtime/cookies/public_suffix.h"
#include "runtime/cookies/set_cookie_parser.h"

namespace strata {
namespace {

bool SameSiteAllows(SameSite same_site, SiteContext context) {
  switch (context) {
    case SiteContext::kSameSite:
      return true;
    case SiteContext::kCrossSiteNavigation:
      return same_site != SameSite::kStrict;
    case SiteContext::kCrossSite:
      return same_site != SameSite::kStrict && same_site != SameSite::kLax;
  }
  return false;
}

// §5.8.3 step 2: longer paths first, then earlier creation.
bool SendsBefore(const Cookie* a, const Cookie* b) {
  return std::make_tuple(-static_cast<int64_t>(a->path.size()), a->creation_unix_s, a->creation_seq) <
         std::make_tuple(-static_cast<int64_t>(b->path.size()), b->creation_unix_s, b->creation_seq);
}

}  // namespace

absl::Status CookieStore::SetFromHeader(absl::string_view set_cookie, const CookieUrl& url, int64_t now) {
  absl::StatusOr<Cookie> cookie = ParseSetCookie(set_cookie, url, now);
  if (!cookie.ok()) return cookie.status();
  if (!cookie->secure && !IsSecureCookieScheme(url.scheme) && ShadowsSecureCookie(*cookie)) {
    return absl::PermissionDeniedError(absl::StrCat("Set-Cookie ", cookie->name, " from ", url.scheme, "://", url.host,
                                                    " refused: it would overwrite or shadow a Secure cookie"));
  }
  Store(*std::move(cookie), now);
  return absl::OkStatus();
}

absl::Status CookieStore::Add(Cookie cookie, int64_t now) {
  if (absl::Status s = ValidateCookie(cookie); !s.ok()) return s;
  if (!cookie.host_only && (IsIpLiteral(cookie.domain) || IsPublicSuffix(cookie.domain))) cookie.host_only = true;
  if (cookie.creation_unix_s == 0) cookie.creation_unix_s = now;
  if (cookie.last_access_unix_s == 0) cookie.last_access_unix_s = now;
  Store(std::move(cookie), now);
  return absl::OkStatus();
}

// 6265bis §5.7 step 16: http may not set a cookie that https would then
// receive in place of (or next to) a Secure one of the same name.
bool CookieStore::ShadowsSecureCookie(const Cookie& cookie) const {
  for (const auto& [domain, bucket] : buckets_) {
    if (!CookieDomainMatches(domain, cookie.domain) && !CookieDomainMatches(cookie.domain, domain)) continue;
    for (const Cookie& old : bucket.cookies) {
      if (old.secure && old.name == cookie.name && CookiePathMatches(cookie.path, old.path)) return true;
    }
  }
  return false;
}

void CookieStore::Store(Cookie cookie, int64_t now) {
  auto it = buckets_.find(cookie.domain);
  bool replaced = false;
  if (it != buckets_.end()) {
    auto& cookies = it->second.cookies;
    for (size_t i = 0; i < cookies.size(); ++i) {
      if (!cookies[i].SameKey(cookie)) continue;
      cookie.creation_unix_s = cookies[i].creation_unix_s;
      cookie.creation_seq = cookies[i].creation_seq;
      Remove(it, i);
      replaced = true;
      break;
    }
  }
  if (cookie.Expired(now)) return;  // it only deleted its predecessor
  std::string site = CookieSite(cookie.domain);
  if (!replaced) {
    cookie.creation_seq = next_seq_++;
    MakeRoom(site, now);
  }
  Bucket& bucket = buckets_[cookie.domain];
  bucket.site = site;
  bucket.cookies.push_back(std::move(cookie));
  ++site_counts_[site];
  ++total_;
}

void CookieStore::MakeRoom(const std::string& site, int64_t now) {
  const size_t max_per_site = std::max<size_t>(1, limits_.max_per_site);
  const size_t max_total = std::max<size_t>(1, limits_.max_total);
  auto count = [&] {
    auto it = site_counts_.find(site);
    return it == site_counts_.end() ? size_t{0} : it->second;
  };
  if (count() >= max_per_site) RemoveExpired(&site, now);
  while (count() >= max_per_site) RemoveLeastRecentlyUsed(&site);
  if (total_ >= max_total) RemoveExpired(nullptr, now);
  while (total_ >= max_total) RemoveLeastRecentlyUsed(nullptr);
}

void CookieStore::RemoveExpired(const std::string* site, int64_t now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    auto next = std::next(it);
    if (site == nullptr || it->second.site == *site) RemoveIf(it, [now](const Cookie& c) { return c.Expired(now); });
    it = next;
  }
}

bool CookieStore::RemoveIf(Buckets::iterator bucket, absl::FunctionRef<bool(const Cookie&)> drop) {
  // Backwards, so a removal does not skip the next cookie; the bucket
  // itself goes away with its last cookie.
  for (size_t i = bucket->second.cookies.size(); i-- > 0;) {
    if (!drop(bucket->second.cookies[i])) continue;
    const bool last = bucket->second.cookies.size() == 1;
    Remove(bucket, i);
    if (last) return false;
  }
  return true;
}

void CookieStore::RemoveLeastRecentlyUsed(const std::string* site) {
  Buckets::iterator victim_bucket = buckets_.end();
  size_t victim = 0;
  for (auto it = buckets_.begin(); it != buckets_.end(); ++it) {
    if (site != nullptr && it->second.site != *site) continue;
    for (size_t i = 0; i < it->second.cookies.size(); ++i) {
      const Cookie& c = it->second.cookies[i];
      if (victim_bucket != buckets_.end()) {
        const Cookie& v = victim_bucket->second.cookies[victim];
        if (std::tie(c.last_access_unix_s, c.creation_seq) >= std::tie(v.last_access_unix_s, v.creation_seq)) continue;
      }
      victim_bucket = it;
      victim = i;
    }
  }
  if (victim_bucket != buckets_.end()) Remove(victim_bucket, victim);
}

void CookieStore::Remove(Buckets::iterator bucket, size_t index) {
  auto& cookies = bucket->second.cookies;
  cookies.erase(cookies.begin() + static_cast<std::ptrdiff_t>(index));
  auto site = site_counts_.find(bucket->second.site);
  if (site != site_counts_.end() && --site->second == 0) site_counts_.erase(site);
  --total_;
  if (cookies.empty()) buckets_.erase(bucket);
}

std::string CookieStore::CookieHeaderFor(const CookieUrl& url, int64_t now, SiteContext context) {
  // Stored domains are lower-case; so is what they are compared with.
  CookieUrl request = url;
  absl::AsciiStrToLower(&request.scheme);
  absl::AsciiStrToLower(&request.host);
  // The host and each parent domain: the only domains whose cookies can
  // domain-match it. An IP host has no parents.
  std::vector<Cookie*> sent;
  absl::string_view domain = request.host;
  while (!domain.empty()) {
    auto it = buckets_.find(std::string(domain));
    if (it != buckets_.end() && RemoveIf(it, [now](const Cookie& c) { return c.Expired(now); })) {
      for (Cookie& c : it->second.cookies) {
        if (CookieMatchesUrl(c, request) && SameSiteAllows(c.same_site, context)) sent.push_back(&c);
      }
    }
    const size_t dot = domain.find('.');
    if (dot == absl::string_view::npos || IsIpLiteral(request.host)) break;
    domain.remove_prefix(dot + 1);
  }
  std::sort(sent.begin(), sent.end(), SendsBefore);
  std::string header;
  const size_t max_bytes = limits_.max_header_bytes;
  for (Cookie* c : sent) {
    const size_t piece = (header.empty() ? 0 : 2) + c->name.size() + (c->name.empty() ? 0 : 1) + c->value.size();
    if (header.size() + piece > max_bytes) break;
    if (!header.empty()) header += "; ";
    if (!c->name.empty()) absl::StrAppend(&header, c->name, "=");
    header += c->value;
    c->last_access_unix_s = now;
  }
  return header;
}

std::vector<Cookie> CookieStore::List(int64_t now) const {
  std::vector<Cookie> out;
  for (const auto& [domain, bucket] : buckets_) {
    for (const Cookie& c : bucket.cookies) {
      if (!c.Expired(now)) out.push_back(c);
    }
  }
  std::sort(out.begin(), out.end(), [](const Cookie& a, const Cookie& b) { return a.creation_seq < b.creation_seq; });
  return out;
}

void CookieStore::Clear() {
  buckets_.clear();
  site_counts_.clear();
  total_ = 0;
}

void CookieStore::DropSessionCookies() {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    auto next = std::next(it);
    RemoveIf(it, [](const Cookie& c) { return c.session(); });
    it = next;
  }
}

}  // namespace strata
