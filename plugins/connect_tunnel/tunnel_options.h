// tunnel_options.h — the connect-tunnel layer's pipeline options, parsed and
// validated.
//
//   connect_timeout_ms    30000  CONNECT sent → proxy's final reply; 0 = none
//   max_reply_bytes       65536  the proxy's reply (1xx heads, final head and
//                                a drained 407 body), per CONNECT sent
//   proxy_authorization      ""  full Proxy-Authorization value
//                                ("Basic dXNlcjpwYXNz"); "" = no credentials
//   auth           "preemptive"  "preemptive": send the credentials with the
//                                first CONNECT; "on_challenge": only after a
//                                407 asks for them (one retry)
//   user_agent               ""  User-Agent of the CONNECT request; "" = none
#ifndef STRATA_PLUGINS_CONNECT_TUNNEL_TUNNEL_OPTIONS_H_
#define STRATA_PLUGINS_CONNECT_TUNNEL_TUNNEL_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace strata::connect_tunnel {

enum class AuthMode { kPreemptive, kOnChallenge };

struct TunnelOptions {
  uint64_t connect_timeout_ms = 30000;
  uint64_t max_reply_bytes = 64 * 1024;
  std::string proxy_authorization;
  AuthMode auth = AuthMode::kPreemptive;
  std::string user_agent;
};

// OptionLookup returns an option's text (strings without quotes, other
// values as JSON text, as host->option_get gives them), or nullopt when the
// option is absent.
using OptionLookup = std::function<std::optional<std::string>(const char* key)>;

// ParseTunnelOptions reads every option through |lookup|. InvalidArgument
// names the option, what was expected and what was found — except for
// proxy_authorization, whose value is a secret and never quoted back.
absl::StatusOr<TunnelOptions> ParseTunnelOptions(const OptionLookup& lookup);

}  // namespace strata::connect_tunnel

#endif  // STRATA_PLUGINS_CONNECT_TUNNEL_TUNNEL_OPTIONS_H_
