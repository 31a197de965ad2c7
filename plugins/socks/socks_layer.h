// socks_layer.h — the `socks` byte-stream layer: asks a SOCKS proxy (the
// layers below talk to it) to connect to the origin, then carries the bytes
// of the layers above unchanged. Registered with STRATA_LAYER_FLAG_TUNNEL,
// so config->host/port is the origin and the layers below get the proxy.
//
// Phases of connect():
//   lower      the layers below connect to the proxy  (their poll interest)
//   resolving  resolve "local" only: the origin's name is looked up on a
//              worker thread (plugins/tcp's AsyncResolver), its eventfd
//              watched                                 STRATA_POLL_READ
//   sending    a handshake message goes out            STRATA_POLL_WRITE
//   reading    the proxy's reply                       STRATA_POLL_READ
//   open       pass-through                            the caller's interest
// The handshake itself (socks_handshake.h) has no I/O; this class moves its
// messages through lower_send/lower_recv, times it, and turns its errors
// into statuses: a malformed reply STRATA_E_PROTOCOL, a refusal, rejected
// credentials or a close STRATA_E_PROXY, silence STRATA_E_TIMEOUT, a local
// resolution failure STRATA_E_RESOLVE. Bytes after the final reply are the
// tunnel's first bytes; recv() returns them before reading from below.
//
// Like connect-tunnel it hides the proxy connection's ALPN from the layers
// above (answers "").
#ifndef STRATA_PLUGINS_SOCKS_SOCKS_LAYER_H_
#define STRATA_PLUGINS_SOCKS_SOCKS_LAYER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "plugins/socks/socks_handshake.h"
#include "plugins/socks/socks_options.h"
#include "plugins/socks/socks_wire.h"
#include "plugins/tcp/resolver.h"
#include "strata/sdk.hpp"

namespace strata::socks {

class SocksLayer : public sdk::ByteStreamLayer {
 public:
  // Reads and validates the options and the origin (config->host/port);
  // throws sdk::Error(STRATA_E_CONFIG) on a bad one. No I/O.
  SocksLayer(strata_layer_ctx* ctx, const strata_layer_config* config);
  ~SocksLayer() override;

  strata_status Connect(int* done) override;
  strata_status Send(const uint8_t* data, size_t len, size_t* out_written) override;
  strata_status Recv(uint8_t* buf, size_t cap, size_t* out_read) override;
  uint32_t PollInterest(uint32_t wants) override;
  bool DataPending() override;
  strata_status Query(uint32_t query, void* out, size_t* inout_len) override;

 private:
  enum class Phase { kLower, kResolving, kSending, kReading, kOpen, kFailed };

  // Begin runs once the layers below are up: starts the resolver, or the
  // handshake right away.
  strata_status Begin();
  strata_status FinishResolving();
  void StartHandshake(SocksAddress destination);
  // Queue makes |message| the one being sent.
  void Queue(std::string message);
  strata_status PumpSend();
  strata_status PumpReply(int* done);
  strata_status CheckTimeout();
  // FailTunnel records |status| and |message|, stops the timer and the
  // resolver, and makes every later call repeat them.
  strata_status FailTunnel(strata_status status, std::string message);
  // FailHandshake maps a handshake error to its status.
  strata_status FailHandshake(const absl::Status& status);
  // FailBelow keeps the failing lower layer's message as the host's and
  // remembers |message| for later calls.
  strata_status FailBelow(strata_status status, std::string message);
  void StopResolver();
  std::string Describe();

  std::string host_;
  uint16_t port_ = 0;
  std::string origin_;  // "example.com:443"
  SocksOptions options_;
  SocksAddress destination_;   // as given; a name when resolve is local
  std::string resolved_;       // resolve "local": the address sent, as text

  Phase phase_ = Phase::kLower;
  std::unique_ptr<tcp::AsyncResolver> resolver_;
  bool resolver_watched_ = false;
  std::unique_ptr<SocksHandshake> handshake_;
  std::string out_;  // the message being sent
  size_t out_off_ = 0;
  uint64_t deadline_ms_ = 0;  // 0: no timeout
  std::vector<uint8_t> read_buf_;

  // Tunnel bytes that arrived with the final reply, delivered first.
  std::string leftover_;
  size_t leftover_off_ = 0;

  strata_status failed_status_ = STRATA_OK;
  std::string failed_message_;
};

}  // namespace strata::socks

#endif  // STRATA_PLUGINS_SOCKS_SOCKS_LAYER_H_
