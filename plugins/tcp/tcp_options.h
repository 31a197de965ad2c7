// tcp_options.h — the tcp layer's pipeline options, parsed and validated.
//
//   connect_timeout_ms       30000  whole setup (resolve + connect); 0 = none
//   happy_eyeballs_delay_ms    250  RFC 8305 "Connection Attempt Delay"
//   resolve                     []  curl --resolve entries (address_overrides.h)
//   nodelay                   true  set TCP_NODELAY on the connected socket
//   family                   "any"  "any" | "ipv4" | "ipv6"
//   interface                   ""  curl --interface: name, address or host (local_binding.h)
//   local_port                  ""  curl --local-port: N or "N-M" (local_binding.h)
#ifndef STRATA_PLUGINS_TCP_TCP_OPTIONS_H_
#define STRATA_PLUGINS_TCP_TCP_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/tcp/address_overrides.h"
#include "plugins/tcp/local_binding.h"

namespace strata::tcp {

enum class AddressFamily { kAny, kIpv4, kIpv6 };

struct TcpOptions {
  uint64_t connect_timeout_ms = 30000;
  uint64_t happy_eyeballs_delay_ms = 250;
  std::vector<AddressOverride> overrides;
  bool nodelay = true;
  AddressFamily family = AddressFamily::kAny;
  LocalBinding local;  // interface and local_port
};

// OptionLookup returns an option's text (strings without quotes, other
// values as JSON text), or nullopt when the option is absent.
using OptionLookup = std::function<std::optional<std::string>(const char* key)>;

// ParseTcpOptions reads every option through |lookup|. InvalidArgument names
// the option, what was expected and what was found.
absl::StatusOr<TcpOptions> ParseTcpOptions(const OptionLookup& lookup);

// FamilyAllows is true when |sa_family| (AF_INET/AF_INET6) may be used.
bool FamilyAllows(AddressFamily family, int sa_family);
// FamilyName is the option spelling: "any", "ipv4", "ipv6".
const char* FamilyName(AddressFamily family);

}  // namespace strata::tcp

#endif  // STRATA_PLUGINS_TCP_TCP_OPTIONS_H_
