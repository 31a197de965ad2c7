// connect_tunnel_layer.h — the `connect-tunnel` byte-stream layer: asks an
// HTTP proxy (the layers below talk to it) to open a tunnel to the origin
// with HTTP/1.1 CONNECT, then carries the bytes of the layers above
// unchanged.
//
// Phases of connect():
//   lower      the layers below connect to the proxy   (their poll interest)
//   sending    the CONNECT request goes out            STRATA_POLL_WRITE
//   reading    the proxy's reply (1xx heads skipped)   STRATA_POLL_READ
//   draining   a 407's body, before the one retry      STRATA_POLL_READ
//   open       pass-through                            the caller's interest
// The reply is parsed by h1's ResponseParser in CONNECT context: a 2xx ends
// at its head whatever its Content-Length or Transfer-Encoding say (HOSTILE
// 69), and the bytes after the head are the tunnel's first bytes; recv()
// returns them before reading from below. Any other final status fails the
// layer with STRATA_E_PROXY; the proxy's body never reaches the layers above
// (HOSTILE 70).
//
// The layer hides what belongs to the proxy connection from the layers
// above: ALPN is answered as "" (HOSTILE 73), never passed down.
#ifndef STRATA_PLUGINS_CONNECT_TUNNEL_CONNECT_TUNNEL_LAYER_H_
#define STRATA_PLUGINS_CONNECT_TUNNEL_CONNECT_TUNNEL_LAYER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/connect_tunnel/tunnel_options.h"
#include "plugins/h1/response_parser.h"
#include "strata/sdk.hpp"

namespace strata::connect_tunnel {

class ConnectTunnelLayer : public sdk::ByteStreamLayer {
 public:
  // Reads and validates the options and the origin (config->host/port);
  // throws sdk::Error(STRATA_E_CONFIG) on a bad one. No I/O.
  ConnectTunnelLayer(strata_layer_ctx* ctx, const strata_layer_config* config);

  strata_status Connect(int* done) override;
  strata_status Send(const uint8_t* data, size_t len, size_t* out_written) override;
  strata_status Recv(uint8_t* buf, size_t cap, size_t* out_read) override;
  uint32_t PollInterest(uint32_t wants) override;
  bool DataPending() override;
  strata_status Query(uint32_t query, void* out, size_t* inout_len) override;

 private:
  enum class Phase { kLower, kSending, kReading, kDraining, kOpen, kFailed };

  // StartRequest queues a CONNECT (with credentials when |with_credentials|)
  // and a fresh parser for its reply.
  void StartRequest(bool with_credentials);
  strata_status PumpSend();
  strata_status PumpReply(int* done);
  // Feed hands |input| to the parser. Sets *out_finished when the exchange
  // reached a conclusion (tunnel open, retry queued); a negative status
  // means the layer failed.
  strata_status Feed(std::string_view input, bool* out_finished);
  strata_status OnFinalHead(std::string_view rest, bool* out_finished);
  strata_status OnDrained(std::string_view rest, bool* out_finished);
  strata_status OnEof();
  strata_status CheckTimeout();
  // FailTunnel records |status| and |message|, stops the timer, and makes
  // every later call repeat them.
  strata_status FailTunnel(strata_status status, std::string message);
  // ParserFailure maps a parser error to a status and a message naming the
  // proxy and the target.
  strata_status ParserFailure(const absl::Status& status);
  std::string StatusText() const;  // "407 Proxy Authentication Required"

  std::string authority_;  // "example.com:443", "[::1]:443"
  TunnelOptions options_;
  h1::ResponseParserLimits limits_;

  Phase phase_ = Phase::kLower;
  std::string out_;      // the CONNECT request being sent
  size_t out_off_ = 0;
  bool credentials_sent_ = false;
  bool retried_ = false;  // the one retry after a 407 is used up
  uint64_t deadline_ms_ = 0;  // 0: no timeout
  uint64_t reply_bytes_ = 0;  // of the current reply, bounded by max_reply_bytes
  std::unique_ptr<h1::ResponseParser> parser_;
  std::vector<uint8_t> read_buf_;
  int final_status_ = 0;
  std::string final_reason_;  // printable copy of the reason phrase

  // Tunnel bytes that arrived with the proxy's reply, delivered first.
  std::string leftover_;
  size_t leftover_off_ = 0;

  strata_status failed_status_ = STRATA_OK;
  std::string failed_message_;
};

}  // namespace strata::connect_tunnel

#endif  // STRATA_PLUGINS_CONNECT_TUNNEL_CONNECT_TUNNEL_LAYER_H_
