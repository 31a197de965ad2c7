#include "plugins/tcp/socket_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

namespace strata::tcp {

std::optional<SocketAddress> SocketAddress::FromIpLiteral(absl::string_view text,
                                                          uint16_t port) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty()) return std::nullopt;
  // getaddrinfo with AI_NUMERICHOST never touches the network and, unlike
  // inet_pton, understands IPv6 zone ids ("fe80::1%eth0").
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* result = nullptr;
  std::string host(text);
  std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &result) != 0) {
    return std::nullopt;
  }
  std::optional<SocketAddress> out;
  if (result != nullptr) out = FromSockaddr(result->ai_addr, result->ai_addrlen);
  freeaddrinfo(result);
  return out;
}

std::optional<SocketAddress> SocketAddress::FromSockaddr(const sockaddr* addr,
                                                         socklen_t len) {
  if (addr == nullptr) return std::nullopt;
  socklen_t expected = 0;
  if (addr->sa_family == AF_INET) expected = sizeof(sockaddr_in);
  if (addr->sa_family == AF_INET6) expected = sizeof(sockaddr_in6);
  if (expected == 0 || len < expected) return std::nullopt;
  SocketAddress out;
  std::memcpy(&out.storage_, addr, expected);
  out.len_ = expected;
  return out;
}

uint16_t SocketAddress::port() const {
  if (family() == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
}

std::string SocketAddress::HostText() const {
  char host[NI_MAXHOST];
  if (getnameinfo(get(), len_, host, sizeof(host), nullptr, 0, NI_NUMERICHOST) != 0) {
    return "?";
  }
  if (family() == AF_INET6) return "[" + std::string(host) + "]";
  return host;
}

std::string SocketAddress::ToString() const {
  return HostText() + ":" + std::to_string(port());
}

bool operator==(const SocketAddress& a, const SocketAddress& b) {
  return a.len_ == b.len_ && std::memcmp(&a.storage_, &b.storage_, a.len_) == 0;
}

std::string JoinHosts(const std::vector<SocketAddress>& addresses) {
  std::string out;
  for (const SocketAddress& a : addresses) {
    if (!out.empty()) out += ", ";
    out += a.HostText();
  }
  return out;
}

std::string JoinEndpoints(const std::vector<SocketAddress>& addresses) {
  std::string out;
  for (const SocketAddress& a : addresses) {
    if (!out.empty()) out += ", ";
    out += a.ToString();
  }
  return out;
}

std::string HostPortText(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

}  // namespace strata::tcp
