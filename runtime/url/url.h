// url.h — a strict parser for absolute http(s) URLs (RFC 3986 §3, RFC 9110 §4.2).
//
// Strict means: anything a lenient parser might read two ways is refused
// (docs/hostile-peers.md case 80): control characters and spaces anywhere, backslashes,
// a '%' in the host (CVE-2022-27780), empty hosts ("http:///x"), ports out of
// range. The parsed URL is normalised: scheme and host lowercased, default
// port filled in, empty path replaced by "/".
#ifndef STRATA_RUNTIME_URL_URL_H_
#define STRATA_RUNTIME_URL_URL_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace strata {

struct Url {
  std::string scheme;    // "http" or "https" (lowercase)
  std::string userinfo;  // "user:pass" as written (percent-encoded), may be empty
  std::string host;      // lowercase; IPv6 literals without brackets
  uint16_t port = 0;     // explicit or the scheme's default
  bool port_explicit = false;
  std::string path;      // path + "?" + query, never empty ("/")
  std::string fragment;  // without '#'

  bool host_is_ipv6() const;
  // Authority as sent in Host / :authority: host (bracketed if IPv6) plus
  // ":port" unless it is the scheme's default.
  std::string Authority() const;
  // HostPort is "host:port" with brackets for IPv6, always with the port.
  std::string HostPort() const;
  // ToString renders the URL without userinfo and fragment unless asked.
  std::string ToString(bool with_fragment = true) const;
  // SameOrigin compares scheme, host and port (RFC 6454).
  bool SameOrigin(const Url& other) const;
};

// DefaultPort returns 80 for http, 443 for https, 0 otherwise.
uint16_t DefaultPort(absl::string_view scheme);

// ParseUrl parses an absolute URL. Any scheme is accepted syntactically;
// callers check which schemes they allow.
absl::StatusOr<Url> ParseUrl(absl::string_view text);

// ResolveReference resolves |reference| (e.g. a Location header value)
// against |base| per RFC 3986 §5.2, then strictly re-parses the result. A
// fragment-less reference inherits the base's fragment (RFC 9110 §10.2.2).
absl::StatusOr<Url> ResolveReference(const Url& base, absl::string_view reference);

}  // namespace strata

#endif  // STRATA_RUNTIME_URL_URL_H_
