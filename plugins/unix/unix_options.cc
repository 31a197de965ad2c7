#include "plugins/unix/unix_options.h"

#include <cstddef>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace strata::unix_socket {

absl::StatusOr<UnixOptions> ParseUnixOptions(const OptionLookup& lookup) {
  UnixOptions options;
  if (std::optional<std::string> text = lookup("abstract")) {
    if (*text != "true" && *text != "false") {
      return absl::InvalidArgumentError(absl::StrCat("option 'abstract' must be true or false, found ", *text));
    }
    options.abstract = *text == "true";
  }
  std::optional<std::string> path = lookup("path");
  if (!path || path->empty()) {
    return absl::InvalidArgumentError(
        "option 'path' is required: the unix socket to connect to (curl's --unix-socket PATH)");
  }
  if (path->find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("option 'path' contains a NUL byte");
  }
  // sun_path holds 108 bytes: a path needs its terminating NUL, an abstract
  // name its leading one.
  const size_t room = sizeof(sockaddr_un{}.sun_path) - 1;
  if (path->size() > room) {
    return absl::InvalidArgumentError(absl::StrCat("option 'path' is ", path->size(),
                                                   " bytes long; a unix socket path may have at most ", room));
  }
  options.path = *path;
  if (std::optional<std::string> text = lookup("connect_timeout_ms")) {
    nlohmann::json value = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "option 'connect_timeout_ms' must be a whole number of milliseconds >= 0, found ", *text));
    }
    options.connect_timeout_ms = value.get<uint64_t>();
  }
  return options;
}

socklen_t SocketAddressFor(const UnixOptions& options, sockaddr_un* out) {
  std::memset(out, 0, sizeof(*out));
  out->sun_family = AF_UNIX;
  if (options.abstract) {
    // sun_path[0] stays NUL: the name follows, and the length says where it
    // ends (no terminator).
    std::memcpy(out->sun_path + 1, options.path.data(), options.path.size());
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + options.path.size());
  }
  std::memcpy(out->sun_path, options.path.data(), options.path.size());
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + options.path.size() + 1);
}

}  // namespace strata::unix_socket
