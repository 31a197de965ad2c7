#include "plugins/tls/host_name.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"

namespace strata::tls {
namespace {

// CanonicalAddress returns the canonical text of |text| ("127.0.0.1",
// "2001:db8::1") if it is an IP address in any spelling the tcp layer
// connects to as one, else nullopt.
//
// The tcp layer (SocketAddress::FromIpLiteral) takes a host as an address
// when getaddrinfo(AI_NUMERICHOST) does, and glibc's getaddrinfo accepts
// every inet_aton form: "127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1".
// inet_pton accepts only the dotted quad, so judging by it let such a host
// connect to an address while being verified as a DNS name, against DNS
// SANs, with an SNI (HOSTILE A.3). Using the same parser here keeps both
// layers of one opinion. A zone id ("fe80::1%eth0") selects an interface and
// is not part of the address a certificate can list, so it is dropped.
std::optional<std::string> CanonicalAddress(const std::string& text) {
  if (text.empty()) return std::nullopt;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* result = nullptr;
  if (getaddrinfo(text.c_str(), nullptr, &hints, &result) != 0 || result == nullptr) {
    if (result) freeaddrinfo(result);
    return std::nullopt;
  }
  char out[INET6_ADDRSTRLEN] = "";
  const char* ok = nullptr;
  if (result->ai_family == AF_INET) {
    ok = inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(result->ai_addr)->sin_addr, out, sizeof(out));
  } else if (result->ai_family == AF_INET6) {
    ok = inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(result->ai_addr)->sin6_addr, out,
                   sizeof(out));
  }
  freeaddrinfo(result);
  if (!ok) return std::nullopt;
  return std::string(out);
}

}  // namespace

PeerName PeerNameFor(absl::string_view host) {
  PeerName out;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  // "example.com." is the same host; the dot is never sent (RFC 6066 §3)
  // and never compared. Every trailing dot goes, so that no SNI ever ends
  // in one ("a.test.." would otherwise send "a.test.").
  absl::string_view name = host;
  while (absl::ConsumeSuffix(&name, ".")) {
  }
  std::string text = absl::AsciiStrToLower(name);
  // An address stays an address with a trailing dot ("127.0.0.1." is
  // 127.0.0.1 to a URL parser): it is never checked as a DNS name, which a
  // "DNS:127.0.0.1" entry could vouch for (HOSTILE A.3).
  if (std::optional<std::string> address = CanonicalAddress(text)) {
    out.name = *std::move(address);
    out.ip_literal = true;
    return out;
  }
  out.name = std::move(text);
  return out;
}

}  // namespace strata::tls
