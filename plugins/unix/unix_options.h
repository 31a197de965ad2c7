// unix_options.h — the unix layer's pipeline options, parsed and validated.
//
//   path                      (required)  the socket's file system path, or
//                                         its name when abstract
//   abstract                       false  a Linux abstract socket: the name
//                                         is not a file (curl's
//                                         --abstract-unix-socket)
//   connect_timeout_ms             30000  connection setup; 0 = none
#ifndef STRATA_PLUGINS_UNIX_UNIX_OPTIONS_H_
#define STRATA_PLUGINS_UNIX_UNIX_OPTIONS_H_

#include <sys/socket.h>
#include <sys/un.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace strata::unix_socket {

struct UnixOptions {
  std::string path;
  bool abstract = false;
  uint64_t connect_timeout_ms = 30000;

  // Display is the path as messages show it: abstract names with a leading
  // '@' (as ss(8) and curl's verbose output do).
  std::string Display() const { return abstract ? "@" + path : path; }
};

// OptionLookup returns an option's text (strings without quotes, other
// values as JSON text), or nullopt when the option is absent.
using OptionLookup = std::function<std::optional<std::string>(const char* key)>;

// ParseUnixOptions reads every option through |lookup|. InvalidArgument
// names the option, what was expected and what was found: a missing or
// empty path, one too long for sockaddr_un (107 bytes for a path, 107 for
// an abstract name), or one containing NUL.
absl::StatusOr<UnixOptions> ParseUnixOptions(const OptionLookup& lookup);

// SocketAddressFor fills |out| for |options| and returns its length.
socklen_t SocketAddressFor(const UnixOptions& options, sockaddr_un* out);

}  // namespace strata::unix_socket

#endif  // STRATA_PLUGINS_UNIX_UNIX_OPTIONS_H_
