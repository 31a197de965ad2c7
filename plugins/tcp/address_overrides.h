// address_overrides.h — curl-style `--resolve` entries ("host:port:addr[,addr]")
// that pin a host and port to fixed addresses, bypassing name resolution.
//
// Syntax, as curl accepts it:
//   example.com:443:127.0.0.1
//   example.com:443:[::1],127.0.0.1     IPv6 addresses in brackets
//   *:443:127.0.0.1                     any host on port 443
//   +example.com:443:127.0.0.1          "+" (curl: entry may time out) is accepted
// Removal entries ("-host:port") are rejected: a pipeline option is a fixed
// list, so there is nothing earlier to remove.
#ifndef STRATA_PLUGINS_TCP_ADDRESS_OVERRIDES_H_
#define STRATA_PLUGINS_TCP_ADDRESS_OVERRIDES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plugins/tcp/socket_address.h"

namespace strata::tcp {

struct AddressOverride {
  std::string host;  // lower case, no brackets; "*" matches any host
  uint16_t port = 0;
  std::vector<SocketAddress> addresses;  // in the order given, port filled in
};

// ParseAddressOverride parses one entry. InvalidArgument names the entry and
// what is wrong with it.
absl::StatusOr<AddressOverride> ParseAddressOverride(absl::string_view entry);

// ParseAddressOverrides parses the `resolve` option: a JSON array of entry
// strings (a single JSON string or bare entry text is accepted too). Every
// entry is validated, also those that will not match this connection.
absl::StatusOr<std::vector<AddressOverride>> ParseAddressOverrides(
    absl::string_view option_text);

// FindAddressOverride returns the entry that applies to |host|:|port|, or
// nullptr. An exact host match (case-insensitive) beats "*"; among equal
// matches the first listed wins. The pointer borrows from |overrides|.
const AddressOverride* FindAddressOverride(
    const std::vector<AddressOverride>& overrides, absl::string_view host,
    uint16_t port);

}  // namespace strata::tcp

#endif  // STRATA_PLUGINS_TCP_ADDRESS_OVERRIDES_H_
