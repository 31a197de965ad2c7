// h2_connect_layer.h — the "h2-connect" layer: a CONNECT stream (RFC 9113
// §8.5) on a shared HTTP/2 proxy connection, seen by the origin chain above
// it as its byte stream.
//
// The layer is built into the runtime rather than shipped as a plugin: its
// peer is not a descriptor or a lower layer but a stream of another pooled
// connection, which only the runtime owns. The runtime creates the origin
// chain with this layer at the bottom, then binds it to a TunnelCarrier (the
// proxy connection as one tunnel sees it). Nothing here polls:
//   - bytes the chain sends are buffered (at most kUpstreamLimit) and the
//     carrier is asked to drive the proxy connection, whose h2 session pulls
//     them as the CONNECT stream's body;
//   - bytes the proxy delivers are buffered and the origin connection is
//     woken; the stream's window reopens only as the chain reads them
//     (STRATA_CONTROL_STREAM_CONSUMED), so the buffer never holds more than
//     one window;
//   - the proxy's END_STREAM is the chain's end of stream, our shutdown is
//     our END_STREAM, and an error on either side ends this tunnel only.
#ifndef STRATA_RUNTIME_TUNNEL_H2_CONNECT_LAYER_H_
#define STRATA_RUNTIME_TUNNEL_H2_CONNECT_LAYER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "runtime/chain/connection.h"
#include "runtime/plugin/registry.h"
#include "strata/plugin.h"

namespace strata {

// kH2ConnectLayer names the built-in layer type.
inline constexpr char kH2ConnectLayer[] = "h2-connect";

// TunnelCarrier is the shared proxy connection as one tunnel sees it. The
// runtime implements it over its pool; tests fake it.
class TunnelCarrier {
 public:
  enum class State { kConnecting, kReady, kDead };
  virtual ~TunnelCarrier() = default;
  virtual State state() = 0;
  // error says why the carrier died (state() == kDead).
  virtual LayerError error() = 0;
  // HttpVersion is 20 once the proxy chose h2 (ALPN), 11 for HTTP/1.1.
  virtual int32_t HttpVersion() = 0;
  virtual uint32_t Capacity() = 0;
  // OpenStream starts the CONNECT exchange; events reach |sink|. On a
  // failure *error says why.
  virtual strata_status OpenStream(const strata_request_head& head, StreamSink* sink, uint32_t* out_id,
                                   LayerError* error) = 0;
  virtual void CancelStream(uint32_t id) = 0;
  // Consumed: the chain read |n| bytes of stream |id| (reopens the window).
  virtual void Consumed(uint32_t id, uint64_t n) = 0;
  // DriveSoon asks for the proxy connection to be driven once the current
  // call is over (never inside it: plugin calls are not re-entered).
  virtual void DriveSoon() = 0;
  // Waiting says whether this tunnel waits for the carrier to be ready:
  // the carrier's changes then wake its chain.
  virtual void Waiting(bool waiting) = 0;
  // Query asks the proxy connection (its addresses, for the chain's facts).
  virtual strata_status Query(uint32_t query, void* out, size_t* inout_len) = 0;
  // Ended releases this tunnel's stream slot; called exactly once.
  virtual void Ended() = 0;
  // Name says which proxy connection this is, for messages: "#3".
  virtual std::string Name() = 0;
};

class H2ConnectTunnel : public StreamSink {
 public:
  // Bytes the chain may send ahead of the proxy connection taking them.
  static constexpr size_t kUpstreamLimit = 64 * 1024;

  // |ctx| is the layer's handle; |authority| "host:port" (what CONNECT asks
  // for); |proxy_authorization| the Proxy-Authorization value, or "";
  // |proxy| "host:port" of the proxy, for messages.
  H2ConnectTunnel(strata_layer_ctx* ctx, std::string authority, std::string proxy_authorization,
                  std::string proxy);
  ~H2ConnectTunnel() override;

  // Bind attaches the carrier; |wake| asks for the chain above to be
  // driven soon (as DriveSoon, for the origin connection).
  void Bind(std::unique_ptr<TunnelCarrier> carrier, std::function<void()> wake);
  // FellBackToHttp1: the carrier turned out to speak HTTP/1.1; the
  // connection failed with STRATA_E_NOT_PROCESSED so that the hop is
  // planned again with the HTTP/1.1 CONNECT tunnel.
  bool fell_back_to_http1() const { return fell_back_to_http1_; }

  // The byte-stream layer (strata_stream_layer_vtable contracts).
  strata_status Connect(int* done);
  strata_status Send(const uint8_t* data, size_t len, size_t* out_written);
  strata_status Recv(uint8_t* buf, size_t cap, size_t* out_read);
  bool DataPending() const;
  // Bytes held for the chain above, read ones not yet dropped included.
  size_t buffered_bytes() const { return downstream_.size(); }
  strata_status Query(uint32_t query, void* out, size_t* inout_len);
  strata_status Shutdown(int* done);

  // StreamSink: the CONNECT stream's events.
  strata_status ReadBody(uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) override;
  strata_status OnHead(const strata_response_head& head) override;
  strata_status OnData(const uint8_t* data, size_t len) override;
  void OnEnd(const strata_header* trailers, size_t count) override;
  void OnError(strata_status status, const std::string& layer, const std::string& message) override;

 private:
  enum class Phase { kUnbound, kWaitingCarrier, kAwaitingHead, kOpen, kFailed };

  strata_status OpenStream();
  // Fail ends the tunnel with |status| and |message| (kept for every later
  // call) and returns |status| after telling the host.
  strata_status Fail(strata_status status, std::string message);
  strata_status Failed();
  void EndStream();  // the stream is over: release the slot once
  void Wake() {
    if (wake_) wake_();
  }

  strata_layer_ctx* ctx_;
  std::string authority_;
  std::string proxy_authorization_;
  std::string proxy_;
  std::unique_ptr<TunnelCarrier> carrier_;
  std::function<void()> wake_;
  Phase phase_ = Phase::kUnbound;
  uint32_t stream_id_ = 0;
  bool stream_live_ = false;  // opened, and no final callback yet
  bool ended_ = false;        // carrier_->Ended() called
  int32_t connect_status_ = 0;
  std::string upstream_;      // bytes for the proxy; [upstream_pos_, end) pending
  size_t upstream_pos_ = 0;
  bool upstream_full_ = false;  // Send said AGAIN: wake the chain when room frees
  bool upstream_eos_ = false;   // our shutdown: END_STREAM after the pending bytes
  std::string downstream_;    // bytes from the proxy; [downstream_pos_, end) unread
  size_t downstream_pos_ = 0;
  bool downstream_eof_ = false;  // the proxy's END_STREAM
  strata_status error_status_ = STRATA_OK;
  std::string error_message_;
  bool fell_back_to_http1_ = false;
};

// H2ConnectLayerType is the built-in layer type (a byte-stream tunnel
// layer, STRATA_LAYER_FLAG_TUNNEL) for PluginRegistry::AddBuiltinLayer.
// Its options: "proxy_authorization" (the value sent in the CONNECT head)
// and "proxy" ("host:port", for messages). Its peer (strata_layer_config
// host/port) is the origin the tunnel reaches.
LayerType H2ConnectLayerType();

// TunnelOf returns the tunnel instance of layer |index| of |conn| when it
// is an h2-connect layer, else nullptr.
H2ConnectTunnel* TunnelOf(const Connection& conn, size_t index);

}  // namespace strata

#endif  // STRATA_RUNTIME_TUNNEL_H2_CONNECT_LAYER_H_
