// socket_address.h — one IPv4 or IPv6 endpoint (address + port) as the tcp
// layer passes it to connect(), and its text form for logs and queries.
//
// A SocketAddress is a plain value: it owns a copy of the sockaddr bytes.
#ifndef STRATA_PLUGINS_TCP_SOCKET_ADDRESS_H_
#define STRATA_PLUGINS_TCP_SOCKET_ADDRESS_H_

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace strata::tcp {

class SocketAddress {
 public:
  // FromIpLiteral parses a numeric IPv4 or IPv6 address ("127.0.0.1", "::1",
  // "[::1]", "fe80::1%eth0") and pairs it with |port|. Never does DNS.
  // Returns nullopt when |text| is not an IP literal.
  static std::optional<SocketAddress> FromIpLiteral(absl::string_view text,
                                                    uint16_t port);
  // FromSockaddr copies an AF_INET or AF_INET6 address; nullopt otherwise.
  static std::optional<SocketAddress> FromSockaddr(const sockaddr* addr,
                                                   socklen_t len);

  int family() const { return storage_.ss_family; }
  const sockaddr* get() const {
    return reinterpret_cast<const sockaddr*>(&storage_);
  }
  socklen_t size() const { return len_; }
  uint16_t port() const;

  // HostText is the address alone, IPv6 in brackets: "127.0.0.1", "[::1]".
  std::string HostText() const;
  // ToString is "127.0.0.1:8080" or "[::1]:8080".
  std::string ToString() const;

  friend bool operator==(const SocketAddress& a, const SocketAddress& b);

 private:
  SocketAddress() = default;
  sockaddr_storage storage_{};
  socklen_t len_ = 0;
};

// JoinHosts formats addresses for a log line: "[::1], 127.0.0.1".
std::string JoinHosts(const std::vector<SocketAddress>& addresses);
// JoinEndpoints formats addresses with ports: "[::1]:80, 127.0.0.1:80".
std::string JoinEndpoints(const std::vector<SocketAddress>& addresses);
// HostPortText formats a configured peer for messages: "host:443",
// "[::1]:443" (an IPv6 literal, given without brackets, gets them).
std::string HostPortText(const std::string& host, uint16_t port);

}  // namespace strata::tcp

#endif  // STRATA_PLUGINS_TCP_SOCKET_ADDRESS_H_
