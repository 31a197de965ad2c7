// origin.h — the origin (scheme, host, port) of an absolute http(s) URL, as
// RFC 6454 compares them: scheme and host case-insensitive, default ports
// made explicit.
#ifndef STRATA_PLUGINS_POLICY_ALLOWLIST_ORIGIN_H_
#define STRATA_PLUGINS_POLICY_ALLOWLIST_ORIGIN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace strata::policy_allowlist {

struct Origin {
  std::string scheme;  // lower case
  std::string host;    // lower case, IPv6 without brackets
  uint16_t port = 0;
  bool operator==(const Origin& o) const { return scheme == o.scheme && host == o.host && port == o.port; }
  // ToString: "https://example.com:443" (IPv6 in brackets).
  std::string ToString() const;
};

// ParseOrigin reads the origin of |url| ("https://h:8443/path" or just
// "https://h"); nullopt if it is not an absolute URL with a host.
std::optional<Origin> ParseOrigin(absl::string_view url);

}  // namespace strata::policy_allowlist

#endif  // STRATA_PLUGINS_POLICY_ALLOWLIST_ORIGIN_H_
