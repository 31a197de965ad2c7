#include "runtime/cookies/cookie_match.h"

#include <arpa/inet.h>

#include "absl/strings/match.h"

namespace strata {

bool IsIpLiteral(absl::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host.size() > 63) return false;
  std::string text(host);  // inet_pton wants a terminated string
  unsigned char addr[16];
  return inet_pton(AF_INET, text.c_str(), addr) == 1 || inet_pton(AF_INET6, text.c_str(), addr) == 1;
}

bool CookieDomainMatches(absl::string_view host, absl::string_view domain) {
  if (host == domain) return true;
  if (domain.empty() || host.size() <= domain.size()) return false;
  if (!absl::EndsWith(host, domain) || host[host.size() - domain.size() - 1] != '.') return false;
  return !IsIpLiteral(host);
}

absl::string_view CookieRequestPath(absl::string_view path) {
  path = path.substr(0, path.find_first_of("?#"));
  return path.empty() ? "/" : path;
}

bool CookiePathMatches(absl::string_view request_path, absl::string_view cookie_path) {
  if (request_path == cookie_path) return true;
  if (!absl::StartsWith(request_path, cookie_path)) return false;
  return (!cookie_path.empty() && cookie_path.back() == '/') || request_path[cookie_path.size()] == '/';
}

std::string DefaultCookiePath(absl::string_view request_path) {
  if (request_path.empty() || request_path.front() != '/') return "/";
  size_t last = request_path.rfind('/');
  if (last == 0) return "/";
  return std::string(request_path.substr(0, last));
}

bool CookieMatchesUrl(const Cookie& cookie, const CookieUrl& url) {
  if (cookie.host_only ? url.host != cookie.domain : !CookieDomainMatches(url.host, cookie.domain)) return false;
  if (cookie.secure && !IsSecureCookieScheme(url.scheme)) return false;
  return CookiePathMatches(CookieRequestPath(url.path), cookie.path);
}

}  // namespace strata
