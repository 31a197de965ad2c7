// connect_to.h — curl's --connect-to: "HOST1:PORT1:HOST2:PORT2" sends a
// connection meant for HOST1:PORT1 to HOST2:PORT2 instead, while everything
// above the socket (Host header, TLS SNI and certificate checks, cookies)
// stays with the URL's host. Pure functions, no I/O.
//
// As curl 7.88 (lib/url.c parse_connect_to_slist):
//   - an empty HOST1 or PORT1 matches any host or port; HOST1 compares
//     case-insensitively, an IPv6 literal in brackets ("[::1]:443:...");
//   - an empty HOST2 or PORT2 keeps the original host or port;
//   - the first entry that matches and changes something wins;
//   - a target equal to the original is no redirection at all.
// Unlike curl, which looks at an entry only when it matches, every entry is
// checked when it is set (ParseConnectTo), so a typo is reported at once
// with curl's wording rather than ignored.
#ifndef STRATA_RUNTIME_CLIENT_CONNECT_TO_H_
#define STRATA_RUNTIME_CLIENT_CONNECT_TO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace strata {

struct ConnectToEntry {
  std::string host;                // lower case, no brackets; "" = any
  std::optional<uint16_t> port;    // nullopt = any
  std::string to_host;             // no brackets; "" = keep the URL's
  std::optional<uint16_t> to_port; // nullopt = keep the URL's
};

struct ConnectTarget {
  std::string host;  // no brackets
  uint16_t port = 0;
};

// ParseConnectTo parses one entry. InvalidArgument carries curl's message:
// "No valid port number in connect to host string (abc)", "Invalid IPv6
// address format", or, for a first half curl would never match, "Invalid
// connect to entry 'x' (expected HOST1:PORT1:HOST2:PORT2)".
absl::StatusOr<ConnectToEntry> ParseConnectTo(absl::string_view entry);

// FindConnectTarget returns where a connection to |host|:|port| goes, or
// nullopt when no entry redirects it.
std::optional<ConnectTarget> FindConnectTarget(const std::vector<ConnectToEntry>& entries,
                                               absl::string_view host, uint16_t port);

// FindConnectTarget on unparsed entries (RequestOptions keeps them as
// given); entries that do not parse are skipped: they were refused when
// set.
std::optional<ConnectTarget> FindConnectTarget(const std::vector<std::string>& entries,
                                               absl::string_view host, uint16_t port);

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_CONNECT_TO_H_
