// connect_request.h — the bytes of an HTTP/1.1 CONNECT request (RFC 9110
// §9.3.6, RFC 9112 §3.2.3) and the text helpers the tunnel's messages use.
#ifndef STRATA_PLUGINS_CONNECT_TUNNEL_CONNECT_REQUEST_H_
#define STRATA_PLUGINS_CONNECT_TUNNEL_CONNECT_REQUEST_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::connect_tunnel {

// Authority renders "host:port" for the request target and Host header; an
// IPv6 literal (any host containing ':') goes in brackets.
std::string Authority(std::string_view host, uint16_t port);

// IsValidTargetHost is false for hosts that cannot appear in a request
// target: empty, or containing whitespace, control bytes, '/', '@' or
// brackets (the caller passes hosts without brackets). A host that slipped
// through with a CR or LF would let the caller inject request lines.
bool IsValidTargetHost(std::string_view host);

struct ConnectRequest {
  std::string bytes;     // what goes on the wire
  std::string redacted;  // the same head for logs, credentials replaced
};

// BuildConnectRequest serializes the CONNECT request for |authority|.
// |proxy_authorization| and |user_agent| are sent when non-empty; both must
// already be free of CR, LF and NUL (tunnel_options.h checks).
ConnectRequest BuildConnectRequest(const std::string& authority,
                                   const std::string& proxy_authorization,
                                   const std::string& user_agent);

// Printable renders at most |max| bytes of peer-controlled |s| with bytes
// outside printable ASCII as \xNN, so a proxy's reason phrase cannot put
// control characters into a message or a terminal.
std::string Printable(std::string_view s, size_t max = 80);

}  // namespace strata::connect_tunnel

#endif  // STRATA_PLUGINS_CONNECT_TUNNEL_CONNECT_REQUEST_H_
