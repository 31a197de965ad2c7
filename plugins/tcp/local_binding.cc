#include "plugins/tcp/local_binding.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "plugins/tcp/socket_address.h"

namespace strata::tcp {
namespace {

constexpr absl::string_view kInterfacePrefix = "if!";
constexpr absl::string_view kHostPrefix = "host!";

enum class Lookup { kFound, kNotFound, kWrongFamily };

// InterfaceAddress is curl's Curl_if2ip: the address of |family| that the
// interface named |name| (case-insensitive) has.
Lookup InterfaceAddress(const std::string& name, int family, sockaddr_storage* out) {
  ifaddrs* all = nullptr;
  if (getifaddrs(&all) != 0) return Lookup::kNotFound;
  Lookup result = Lookup::kNotFound;
  for (ifaddrs* i = all; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || !absl::EqualsIgnoreCase(i->ifa_name, name)) continue;
    if (i->ifa_addr->sa_family != family) {
      result = Lookup::kWrongFamily;
      continue;
    }
    std::memcpy(out, i->ifa_addr, family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
    result = Lookup::kFound;
    break;
  }
  freeifaddrs(all);
  return result;
}

// HostAddress resolves |name| (an address or a host name) as curl does for
// --interface: the first address; a different family is kWrongFamily.
Lookup HostAddress(const std::string& name, int family, sockaddr_storage* out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) return Lookup::kNotFound;
  // Prefer an address of the socket's family, as curl's resolver does when
  // it asks for that family only.
  addrinfo* pick = nullptr;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (a->ai_family == family) {
      pick = a;
      break;
    }
  }
  Lookup result = Lookup::kWrongFamily;
  if (pick != nullptr) {
    std::memcpy(out, pick->ai_addr, pick->ai_addrlen);
    result = Lookup::kFound;
  }
  freeaddrinfo(found);
  return result;
}

void SetPort(sockaddr_storage* address, uint16_t port) {
  if (address->ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(address)->sin_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in6*>(address)->sin6_port = htons(port);
  }
}

}  // namespace

absl::Status ParseInterface(absl::string_view text, LocalBinding* binding) {
  absl::string_view name = text;
  binding->kind = LocalBinding::DeviceKind::kEither;
  if (absl::StartsWith(name, kInterfacePrefix)) {
    name.remove_prefix(kInterfacePrefix.size());
    binding->kind = LocalBinding::DeviceKind::kInterface;
  } else if (absl::StartsWith(name, kHostPrefix)) {
    name.remove_prefix(kHostPrefix.size());
    binding->kind = LocalBinding::DeviceKind::kHost;
  }
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("option 'interface' must name an interface, address or host, found \"", text, "\""));
  }
  if (name.size() >= 255 || name.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("option 'interface' is too long or contains NUL (", name.size(), " bytes)"));
  }
  binding->device = std::string(name);
  return absl::OkStatus();
}

absl::Status ParseLocalPort(absl::string_view text, LocalBinding* binding) {
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "option 'local_port' must be a port or a range \"N-M\" within 1-65535, found \"", text, "\""));
  };
  absl::string_view first = text, last;
  if (size_t dash = text.find('-'); dash != absl::string_view::npos) {
    first = absl::StripAsciiWhitespace(text.substr(0, dash));
    last = absl::StripAsciiWhitespace(text.substr(dash + 1));
    if (last.empty()) return bad();
  }
  auto digits = [](absl::string_view s) {
    return !s.empty() && s.size() <= 5 && s.find_first_not_of("0123456789") == absl::string_view::npos;
  };
  uint32_t from = 0, to = 0;
  if (!digits(first) || !absl::SimpleAtoi(first, &from) || from == 0 || from > 65535) return bad();
  to = from;
  if (!last.empty() && (!digits(last) || !absl::SimpleAtoi(last, &to) || to < from || to > 65535)) return bad();
  binding->port = static_cast<uint16_t>(from);
  binding->port_count = to - from + 1;
  return absl::OkStatus();
}

std::optional<std::string> BindLocal(int fd, int family, const LocalBinding& binding,
                                     const std::function<void(const std::string&)>& log) {
  if (binding.empty()) return std::nullopt;
  sockaddr_storage address{};
  address.ss_family = static_cast<sa_family_t>(family);  // the wildcard address
  if (!binding.device.empty()) {
    const std::string& dev = binding.device;
    bool found = false;
    if (binding.kind != LocalBinding::DeviceKind::kHost) {
      // As curl: an interface name binds the device itself when allowed
      // (root or CAP_NET_RAW), and then nothing else is bound.
      if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev.c_str(),
                     static_cast<socklen_t>(dev.size() + 1)) == 0) {
        log(absl::StrCat("bound to device ", dev));
        return std::nullopt;
      }
      switch (InterfaceAddress(dev, family, &address)) {
        case Lookup::kFound:
          found = true;
          break;
        case Lookup::kWrongFamily:
          return absl::StrCat("Couldn't bind to '", dev, "': the interface has no ",
                              family == AF_INET ? "IPv4" : "IPv6", " address");
        case Lookup::kNotFound:
          if (binding.kind == LocalBinding::DeviceKind::kInterface) {
            return absl::StrCat("Couldn't bind to interface '", dev, "'");
          }
          break;
      }
    }
    if (!found) {
      switch (HostAddress(dev, family, &address)) {
        case Lookup::kFound:
          break;
        case Lookup::kWrongFamily:
          return absl::StrCat("Couldn't bind to '", dev, "': it has no ", family == AF_INET ? "IPv4" : "IPv6",
                              " address");
        case Lookup::kNotFound:
          return absl::StrCat("Couldn't bind to '", dev, "'");
      }
    }
    std::optional<SocketAddress> shown =
        SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&address), sizeof(address));
    log(absl::StrCat("Local Interface ", dev, " is ip ", shown ? shown->HostText() : "?"));
    int on = 1;
    // Without a port the kernel picks one at connect() time, so the same
    // local address can serve many connections (as curl does).
    if (binding.port == 0) setsockopt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof(on));
  }
  const socklen_t len = family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  uint32_t port = binding.port;
  uint32_t left = binding.port_count == 0 ? 1 : binding.port_count;
  int error = 0;
  for (;;) {
    SetPort(&address, static_cast<uint16_t>(port));
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), len) == 0) {
      if (binding.port != 0) log(absl::StrCat("Local port: ", port));
      return std::nullopt;
    }
    error = errno;
    if (--left == 0 || ++port > 65535) break;
    log(absl::StrCat("Bind to local port ", port - 1, " failed, trying next"));
  }
  return absl::StrCat("bind failed with errno ", error, ": ", std::strerror(error));
}

}  // namespace strata::tcp
