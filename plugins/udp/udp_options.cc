#include "plugins/udp/udp_options.h"

#include "absl/strings/str_cat.h"

namespace strata::udp {

absl::StatusOr<UdpOptions> ParseUdpOptions(const tcp::OptionLookup& lookup) {
  UdpOptions options;
  absl::StatusOr<tcp::TcpOptions> socket = tcp::ParseTcpOptions(lookup);
  if (!socket.ok()) return socket.status();
  options.socket = *std::move(socket);
  for (auto [key, out] : {std::pair<const char*, bool*>{"gso", &options.gso}, {"gro", &options.gro}}) {
    std::optional<std::string> text = lookup(key);
    if (!text) continue;
    if (*text != "true" && *text != "false") {
      return absl::InvalidArgumentError(absl::StrCat("option '", key, "' must be true or false, found ", *text));
    }
    *out = *text == "true";
  }
  return options;
}

}  // namespace strata::udp
