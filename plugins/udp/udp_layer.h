// udp_layer.h — the `udp` byte-stream layer: the bottom of a QUIC chain. It
// resolves the target like the tcp layer (literal, --resolve override or a
// non-blocking lookup), then connect()s a non-blocking datagram socket to
// the first usable address. Datagrams are preserved: one Send() is one
// datagram, one Recv() returns one datagram (truncated to |cap|, which the
// caller avoids by passing 64 KiB).
//
// There is no connection race: a UDP connect() needs no round trip, and
// whether the peer answers is for the layer above (QUIC) to find out.
// ICMP errors (port unreachable) arrive on the connected socket as
// ECONNREFUSED and fail the next Send()/Recv() with STRATA_E_CONNECT.
//
// GSO/GRO (UDP_SEGMENT, UDP_GRO) are not used: they need sendmsg() with a
// segment size and a caller that batches same-sized packets, and the layer
// ABI moves one datagram per call. See README.md.
// OWNERSHIP: the layer owns the socket and the resolver's eventfd and
// unwatches each before closing it.
#ifndef STRATA_PLUGINS_UDP_UDP_LAYER_H_
#define STRATA_PLUGINS_UDP_UDP_LAYER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "plugins/tcp/resolver.h"
#include "plugins/tcp/socket_address.h"
#include "plugins/tcp/tcp_options.h"
#include "strata/sdk.hpp"

namespace strata::udp {

class UdpLayer : public sdk::ByteStreamLayer {
 public:
  // Reads and validates the options (the tcp layer's: connect_timeout_ms,
  // resolve, family); throws sdk::Error(STRATA_E_CONFIG). No I/O.
  UdpLayer(strata_layer_ctx* ctx, const strata_layer_config* config);
  ~UdpLayer() override;

  strata_status Connect(int* done) override;
  strata_status Send(const uint8_t* data, size_t len, size_t* out_written) override;
  strata_status Recv(uint8_t* buf, size_t cap, size_t* out_read) override;
  uint32_t PollInterest(uint32_t wants) override;
  bool DataPending() override { return false; }
  strata_status Query(uint32_t query, void* out, size_t* inout_len) override;
  strata_status Control(uint32_t control, const void* arg, size_t len) override;
  strata_status Shutdown(int* done) override;

 private:
  enum class Phase { kIdle, kResolving, kConnected, kFailed };

  strata_status Begin();
  strata_status FinishResolving();
  strata_status ConnectTo(const std::vector<tcp::SocketAddress>& addresses);
  strata_status FailSetup(strata_status status, std::string message);
  strata_status SocketError(int error, const char* doing);
  void StopResolver();
  std::string Target() const;

  std::string host_;
  uint16_t port_;
  tcp::TcpOptions options_;
  Phase phase_ = Phase::kIdle;
  uint64_t deadline_ms_ = 0;
  int64_t lookup_started_us_ = 0;
  int64_t lookup_us_ = 0;
  std::unique_ptr<tcp::AsyncResolver> resolver_;
  int fd_ = -1;
  std::optional<tcp::SocketAddress> peer_;
  strata_status failed_status_ = STRATA_OK;
  std::string failed_message_;
};

}  // namespace strata::udp

#endif  // STRATA_PLUGINS_UDP_UDP_LAYER_H_
