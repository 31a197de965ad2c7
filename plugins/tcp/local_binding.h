// local_binding.h — the local end of a connection, as curl's --interface and
// --local-port choose it: which interface or address to bind to, and which
// local ports to try, before connect().
//
// The `interface` option takes what curl's --interface takes:
//   eth0 / lo          an interface name (or, failing that, a host name)
//   127.0.0.1 / ::1    an address
//   host.example       a host name, resolved (blocking: getaddrinfo)
//   if!eth0            an interface name only
//   host!127.0.0.1     a host name or address only
// The `local_port` option is a port or a range: 40000, "40000" or
// "40000-40010".
//
// BindLocal follows curl 7.88 (lib/cf-socket.c bindlocal) step for step, so
// both bind the same way on the same machine: a name that is not "host!"
// is first tried with SO_BINDTODEVICE (which needs CAP_NET_RAW; when it
// works curl binds nothing else, not even the local port); otherwise an
// interface of that name lends its address of the socket's family; then
// (unless "if!") the text is resolved as a host. Ports are tried one after
// the other until bind() succeeds.
#ifndef STRATA_PLUGINS_TCP_LOCAL_BINDING_H_
#define STRATA_PLUGINS_TCP_LOCAL_BINDING_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace strata::tcp {

struct LocalBinding {
  enum class DeviceKind {
    kEither,     // no prefix: interface first, then host
    kInterface,  // "if!": interface only
    kHost,       // "host!": host name or address only
  };
  std::string device;  // without its prefix; "" = no interface given
  DeviceKind kind = DeviceKind::kEither;
  uint16_t port = 0;        // first local port; 0 = any
  uint32_t port_count = 1;  // how many ports from |port| on may be tried

  bool empty() const { return device.empty() && port == 0; }
};

// ParseInterface splits the `interface` option into device and kind.
// InvalidArgument for an empty name (or one of 255 bytes or more, which
// curl ignores silently and we refuse).
absl::Status ParseInterface(absl::string_view text, LocalBinding* binding);

// ParseLocalPort reads "N" or "N-M" (1 <= N <= M <= 65535; spaces around
// '-' allowed, as curl's sscanf does) into port and port_count.
absl::Status ParseLocalPort(absl::string_view text, LocalBinding* binding);

// BindLocal binds the fresh, unconnected socket |fd| of |family| (AF_INET
// or AF_INET6) as |binding| says. Returns nullopt on success, else curl's
// error text: "Couldn't bind to interface 'eth9'", "Couldn't bind to
// 'nowhere'", "bind failed with errno 98: Address already in use". |log|
// receives curl's info lines ("Local port: 40001").
std::optional<std::string> BindLocal(int fd, int family, const LocalBinding& binding,
                                     const std::function<void(const std::string&)>& log);

}  // namespace strata::tcp

#endif  // STRATA_PLUGINS_TCP_LOCAL_BINDING_H_
