// socks_options.h — the socks layer's pipeline options, parsed and
// validated.
//
//   version             "5"  "5" (RFC 1928) or "4a" (SOCKS4 with the 4a
//                            host name extension)
//   resolve        "remote"  "remote": the proxy resolves the origin's name
//                            (socks5h); "local": this layer resolves it and
//                            sends an address (socks5). SOCKS4a always sends
//                            the name, so "local" is refused with "4a".
//   family          "any"  resolve "local" only: "any" takes the first address
//                            the system's resolver sorts first (RFC 6724),
//                            "ipv4" / "ipv6" only that family
//   username, password   ""  RFC 1929 credentials (SOCKS4a: the user id;
//                            it has no password field). Never logged or
//                            quoted back.
//   proxy_authorization  ""  "Basic base64(user:password)", as the runtime
//                            fills it in for every tunnel layer from the
//                            proxy's credentials; used when username is not
//                            set
//   connect_timeout_ms 30000 from the moment the layer below is up to the
//                            proxy's final reply (local resolution
//                            included); 0 = none
#ifndef STRATA_PLUGINS_SOCKS_SOCKS_OPTIONS_H_
#define STRATA_PLUGINS_SOCKS_SOCKS_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace strata::socks {

enum class SocksVersion { k5, k4a };
enum class Resolve { kRemote, kLocal };
enum class Family { kAny, kIpv4, kIpv6 };

struct Credentials {
  std::string username;
  std::string password;
};

struct SocksOptions {
  SocksVersion version = SocksVersion::k5;
  Resolve resolve = Resolve::kRemote;
  Family family = Family::kAny;
  std::optional<Credentials> credentials;
  // Where the credentials came from, for messages: "username/password" or
  // "proxy_authorization".
  std::string credentials_source;
  uint64_t connect_timeout_ms = 30000;
};

// OptionLookup returns an option's text (strings without quotes, other
// values as JSON text, as host->option_get gives them), or nullopt when the
// option is absent.
using OptionLookup = std::function<std::optional<std::string>(const char* key)>;

// ParseSocksOptions reads every option through |lookup|. InvalidArgument
// names the option and what was expected; a credential's value is never
// part of the message.
absl::StatusOr<SocksOptions> ParseSocksOptions(const OptionLookup& lookup);

// KindName is "socks5h", "socks5" or "socks4a": the curl scheme that means
// the same, used in traces and messages.
const char* KindName(const SocksOptions& options);

}  // namespace strata::socks

#endif  // STRATA_PLUGINS_SOCKS_SOCKS_OPTIONS_H_
