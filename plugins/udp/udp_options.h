// udp_options.h — the udp layer's pipeline options: the tcp layer's
// (connect_timeout_ms, resolve, family, interface, local_port; read by
// tcp::ParseTcpOptions) plus the two datagram offloads:
//
//   gso   true  send a batch of same-sized datagrams (STRATA_CONTROL_SEND_SEGMENTS)
//               with one sendmsg + UDP_SEGMENT when the kernel takes it
//   gro   true  ask the kernel for coalesced datagrams (UDP_GRO) and hand
//               them up one per recv
#ifndef STRATA_PLUGINS_UDP_UDP_OPTIONS_H_
#define STRATA_PLUGINS_UDP_UDP_OPTIONS_H_

#include "absl/status/statusor.h"
#include "plugins/tcp/tcp_options.h"

namespace strata::udp {

struct UdpOptions {
  tcp::TcpOptions socket;
  bool gso = true;
  bool gro = true;
};

// ParseUdpOptions reads every option through |lookup|; InvalidArgument
// names the option, what was expected and what was found.
absl::StatusOr<UdpOptions> ParseUdpOptions(const tcp::OptionLookup& lookup);

}  // namespace strata::udp

#endif  // STRATA_PLUGINS_UDP_UDP_OPTIONS_H_
