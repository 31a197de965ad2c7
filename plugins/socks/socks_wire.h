// socks_wire.h — the bytes of the client's SOCKS messages (RFC 1928 §3–4,
// RFC 1929 §2, SOCKS4 and its 4a extension) and the names of the codes a
// proxy answers with. No I/O, no state.
#ifndef STRATA_PLUGINS_SOCKS_SOCKS_WIRE_H_
#define STRATA_PLUGINS_SOCKS_SOCKS_WIRE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace strata::socks {

// RFC 1928 address types (ATYP).
enum AddressType : uint8_t {
  kAtypIpv4 = 0x01,
  kAtypDomain = 0x03,
  kAtypIpv6 = 0x04,
};

// RFC 1928 §3 authentication methods the client knows.
enum Method : uint8_t {
  kMethodNone = 0x00,
  kMethodUsernamePassword = 0x02,
  kMethodNoAcceptable = 0xff,
};

// SocksAddress is a destination as it goes on the wire: an IPv4 or IPv6
// address, or a host name the proxy resolves.
struct SocksAddress {
  AddressType type = kAtypDomain;
  std::array<uint8_t, 16> ip{};  // 4 or 16 bytes used
  std::string domain;            // kAtypDomain only
  // Text is "example.com", "192.0.2.1" or "2001:db8::1" (no brackets).
  std::string Text() const;
};

// ParseIpLiteral reads a numeric IPv4 or IPv6 address ("192.0.2.1",
// "2001:db8::1", also in brackets); nullopt for anything else.
std::optional<SocksAddress> ParseIpLiteral(std::string_view host);

// DestinationFor is |host| as an address when it is an IP literal, else as
// a name. InvalidArgument for a name that cannot be sent: empty, longer
// than 255 bytes (RFC 1928's one-byte length), or with control bytes,
// spaces or a NUL (which would end a SOCKS4a name early).
absl::StatusOr<SocksAddress> DestinationFor(std::string_view host);

// Authority is "host:port", an IPv6 literal in brackets.
std::string Authority(std::string_view host, uint16_t port);

// Socks5Greeting offers no authentication, and username/password (RFC
// 1929) when |offer_password| (curl offers the same).
std::string Socks5Greeting(bool offer_password);
// Socks5AuthRequest is RFC 1929's request; both fields at most 255 bytes.
std::string Socks5AuthRequest(std::string_view username, std::string_view password);
// Socks5ConnectRequest is CMD CONNECT (0x01) to |dest|:|port|.
std::string Socks5ConnectRequest(const SocksAddress& dest, uint16_t port);
// Socks4aConnectRequest is SOCKS4 CONNECT with |user_id|; a name goes after
// the user id with the 4a marker address 0.0.0.1. |dest| must not be IPv6.
std::string Socks4aConnectRequest(const SocksAddress& dest, uint16_t port,
                                  std::string_view user_id);

// MethodName: "no authentication", "username/password", "GSSAPI", ...
std::string MethodName(uint8_t method);
// Socks5ReplyText names an RFC 1928 §6 REP code: "connection refused".
std::string Socks5ReplyText(uint8_t code);
// Socks4ReplyText names a SOCKS4 CD code: "request rejected or failed".
std::string Socks4ReplyText(uint8_t code);

// Hex is "0x05".
std::string Hex(uint8_t byte);
// Printable renders at most |max| bytes of peer-controlled |s| with bytes
// outside printable ASCII as \xNN.
std::string Printable(std::string_view s, size_t max = 80);

}  // namespace strata::socks

#endif  // STRATA_PLUGINS_SOCKS_SOCKS_WIRE_H_
