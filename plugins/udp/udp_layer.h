// udp_layer.h — the `udp` byte-stream layer: the bottom of a QUIC chain. It
// resolves the target like the tcp layer (literal, --resolve override or a
// non-blocking lookup), then connect()s a non-blocking datagram socket to
// the first usable address. Datagrams are preserved: one Send() is one
// datagram (or, after STRATA_CONTROL_SEND_SEGMENTS, a batch of them), one
// Recv() returns one datagram (truncated to |cap|, which the caller avoids
// by passing 64 KiB).
//
// There is no connection race: a UDP connect() needs no round trip, and
// whether the peer answers is for the layer above (QUIC) to find out.
// ICMP errors (port unreachable) arrive on the connected socket as
// ECONNREFUSED and fail the next Send()/Recv() with STRATA_E_CONNECT.
//
// GSO (option gso): STRATA_CONTROL_SEND_SEGMENTS (ABI 1.3) says the next
// Send() is a batch of same-sized datagrams; it goes out with one sendmsg()
// and UDP_SEGMENT. A kernel that refuses the batch at sendmsg() (EIO: the
// device cannot checksum segments; EINVAL) turns GSO off for the socket:
// that batch and all later sends go one datagram per send().
// GRO (option gro): with UDP_GRO set, one recvmsg() may return several
// datagrams glued together; the layer keeps them and hands them up one per
// Recv(), reading the socket again only once they are all handed out, and
// asks the host to drive it (wake_at now) while some are left, since the
// socket may not turn readable again. See README.md.
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
#include "plugins/udp/datagram_batch.h"
#include "plugins/udp/udp_options.h"
#include "strata/sdk.hpp"

namespace strata::udp {

// UdpStats counts the system calls that moved datagrams, so a test can
// show what GSO and GRO save without timing anything.
struct UdpStats {
  uint64_t recv_calls = 0;   // recv()/recvmsg() calls that returned data
  uint64_t send_calls = 0;   // send()/sendmsg() calls that sent data
  uint64_t gso_sends = 0;    // of those, batches sent with UDP_SEGMENT
  uint64_t gro_batches = 0;  // reads that returned more than one datagram
};

class UdpLayer : public sdk::ByteStreamLayer {
 public:
  // Reads and validates the options (the tcp layer's: connect_timeout_ms,
  // resolve, family, interface, local_port; and gso, gro); throws
  // sdk::Error(STRATA_E_CONFIG). No I/O.
  UdpLayer(strata_layer_ctx* ctx, const strata_layer_config* config);
  ~UdpLayer() override;

  strata_status Connect(int* done) override;
  strata_status Send(const uint8_t* data, size_t len, size_t* out_written) override;
  strata_status Recv(uint8_t* buf, size_t cap, size_t* out_read) override;
  uint32_t PollInterest(uint32_t wants) override;
  bool DataPending() override { return !received_.Empty(); }
  strata_status Query(uint32_t query, void* out, size_t* inout_len) override;
  strata_status Control(uint32_t control, const void* arg, size_t len) override;
  strata_status Shutdown(int* done) override;

  const UdpStats& stats() const { return stats_; }
  // Whether the socket uses the offloads now (the option, and the kernel).
  bool gso_active() const { return gso_; }
  bool gro_active() const { return gro_; }

 private:
  enum class Phase { kIdle, kResolving, kConnected, kFailed };

  strata_status Begin();
  strata_status FinishResolving();
  strata_status ConnectTo(const std::vector<tcp::SocketAddress>& addresses);
  strata_status FailSetup(strata_status status, std::string message);
  strata_status SocketError(int error, const char* doing);
  void StopResolver();
  std::string Target() const;
  strata_status SendOne(const uint8_t* data, size_t len, size_t* out_written);
  strata_status SendBatch(const uint8_t* data, size_t len, size_t segment, size_t* out_written);
  strata_status SendEach(const uint8_t* data, size_t len, size_t segment, size_t* out_written);
  strata_status RecvOne(uint8_t* buf, size_t cap, size_t* out_read);
  strata_status RecvCoalesced(uint8_t* buf, size_t cap, size_t* out_read);
  strata_status AcceptSegments(const void* arg, size_t len);

  std::string host_;
  uint16_t port_;
  tcp::TcpOptions options_;
  bool gso_option_ = true;
  bool gro_option_ = true;
  Phase phase_ = Phase::kIdle;
  uint64_t deadline_ms_ = 0;
  int64_t lookup_started_us_ = 0;
  int64_t lookup_us_ = 0;
  std::unique_ptr<tcp::AsyncResolver> resolver_;
  int fd_ = -1;
  std::optional<tcp::SocketAddress> peer_;
  strata_status failed_status_ = STRATA_OK;
  std::string failed_message_;
  bool gso_ = false;          // UDP_SEGMENT usable (option on, kernel has it)
  bool gro_ = false;          // UDP_GRO set on the socket
  size_t next_segment_ = 0;   // STRATA_CONTROL_SEND_SEGMENTS for the next Send()
  bool wake_armed_ = false;   // wake_at(now) while received_ holds datagrams
  ReceivedBatch received_;
  UdpStats stats_;
};

}  // namespace strata::udp

#endif  // STRATA_PLUGINS_UDP_UDP_LAYER_H_
