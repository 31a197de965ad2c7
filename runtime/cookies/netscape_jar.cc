#include "runtime/cookies/netscape_jar.h"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/cookies/set_cookie_parser.h"
#include "runtime/cookies/set_cookie_syntax.h"

namespace strata {
namespace {

constexpr absl::string_view kHttpOnlyPrefix = "#HttpOnly_";
constexpr absl::string_view kSetCookiePrefix = "Set-Cookie:";

std::optional<bool> ParseFlag(absl::string_view field) {
  if (absl::EqualsIgnoreCase(field, "TRUE")) return true;
  if (absl::EqualsIgnoreCase(field, "FALSE")) return false;
  return std::nullopt;
}

// ParseCookieLine reads one seven-field line (without "#HttpOnly_").
std::optional<Cookie> ParseCookieLine(absl::string_view line, bool http_only) {
  std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
  if (fields.size() == 6) fields.push_back("");  // curl writes no value as "name\t"; some tools drop the tab
  if (fields.size() != 7) return std::nullopt;
  Cookie c;
  absl::string_view domain = fields[0];
  const bool dotted = absl::ConsumePrefix(&domain, ".");
  std::optional<bool> subdomains = ParseFlag(fields[1]);
  std::optional<bool> secure = ParseFlag(fields[3]);
  int64_t expires = 0;
  if (!subdomains || !secure) return std::nullopt;
  if (fields[4].empty() || !absl::c_all_of(fields[4], absl::ascii_isdigit) || !absl::SimpleAtoi(fields[4], &expires)) {
    return std::nullopt;
  }
  c.domain = absl::AsciiStrToLower(domain);
  c.host_only = !dotted && !*subdomains;
  c.path = std::string(fields[2]);
  c.secure = *secure;
  c.expires_unix_s = expires;
  c.name = std::string(fields[5]);
  c.value = std::string(fields[6]);
  c.http_only = http_only;
  return c;
}

// ParseSetCookieLine reads "Set-Cookie: ..." (prefix removed) as if
// https://<its Domain>/ had sent it.
std::optional<Cookie> ParseSetCookieLine(absl::string_view header, int64_t now) {
  absl::StatusOr<SetCookieSyntax> syntax = LexSetCookie(header);
  if (!syntax.ok()) return std::nullopt;
  const std::string* domain = syntax->Find("Domain");
  if (domain == nullptr) return std::nullopt;
  absl::string_view host = *domain;
  absl::ConsumePrefix(&host, ".");
  absl::StatusOr<Cookie> c = ParseSetCookie(header, CookieUrl{"https", absl::AsciiStrToLower(host), "/"}, now);
  if (!c.ok()) return std::nullopt;
  return *std::move(c);
}

std::string FormatLine(const Cookie& c) {
  return absl::StrCat(c.http_only ? kHttpOnlyPrefix : "", c.host_only ? "" : ".", c.domain, "\t",
                      c.host_only ? "FALSE" : "TRUE", "\t", c.path, "\t", c.secure ? "TRUE" : "FALSE", "\t",
                      c.expires_unix_s, "\t", c.name, "\t", c.value, "\n");
}

}  // namespace

JarLoadStats LoadNetscapeJar(CookieStore& store, absl::string_view text, int64_t now) {
  JarLoadStats stats;
  std::vector<Cookie> cookies;  // in file order
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::ConsumeSuffix(&line, "\r");
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    std::optional<Cookie> cookie;
    if (absl::StartsWithIgnoreCase(line, kSetCookiePrefix)) {
      cookie = ParseSetCookieLine(line.substr(kSetCookiePrefix.size()), now);
    } else if (absl::ConsumePrefix(&line, kHttpOnlyPrefix)) {
      cookie = ParseCookieLine(line, /*http_only=*/true);
    } else if (line.front() == '#') {
      continue;
    } else {
      cookie = ParseCookieLine(line, /*http_only=*/false);
    }
    if (cookie) {
      cookies.push_back(*std::move(cookie));
    } else {
      ++stats.malformed;
    }
  }
  // Bottom-up: the file lists the newest cookie first. Of repeated
  // cookies the last line counts, so it is the one kept.
  std::set<std::tuple<std::string, std::string, std::string, bool>> seen;
  for (auto it = cookies.rbegin(); it != cookies.rend(); ++it) {
    if (!seen.emplace(it->name, it->domain, it->path, it->host_only).second) continue;
    if (it->Expired(now)) {
      ++stats.expired;
    } else if (store.Add(*std::move(it), now).ok()) {
      ++stats.loaded;
    } else {
      ++stats.malformed;
    }
  }
  return stats;
}

std::string FormatNetscapeJar(const std::vector<Cookie>& cookies) {
  std::vector<const Cookie*> order;
  for (const Cookie& c : cookies) {
    if (ValidateCookie(c).ok()) order.push_back(&c);
  }
  std::sort(order.begin(), order.end(), [](const Cookie* a, const Cookie* b) { return a->creation_seq > b->creation_seq; });
  std::string out(kNetscapeJarHeader);
  for (const Cookie* c : order) out += FormatLine(*c);
  return out;
}

std::string SaveNetscapeJar(const CookieStore& store, int64_t now) { return FormatNetscapeJar(store.List(now)); }

}  // namespace strata
