// connection.h — one connection: a chain of layer instances, bottom first.
//
// The Connection owns the layer instances its pipeline template describes
// and is the host side of the plugin ABI for them: every layer reaches the
// layer below only through the host services (host_services.cc), which
// route the call to the right instance, so the runtime can time and trace
// each crossing. The chain's descriptors are watched on the runtime's event
// loop with the poll interest of the top layer.
//
// A connection whose top layer is a session layer carries HTTP exchanges
// (OpenStream); one made only of byte-stream layers is a raw byte stream
// (Send/Recv), used by the low-level client API.
#ifndef STRATA_RUNTIME_CHAIN_CONNECTION_H_
#define STRATA_RUNTIME_CHAIN_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "runtime/config/config.h"
#include "runtime/loop/event_loop.h"
#include "runtime/plugin/registry.h"
#include "strata/plugin.h"

namespace strata {

class Connection;

// StreamSink receives one exchange's events from the session layer.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual strata_status ReadBody(uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) = 0;
  virtual strata_status OnHead(const strata_response_head& head) = 0;
  virtual strata_status OnData(const uint8_t* data, size_t len) = 0;
  virtual void OnEnd(const strata_header* trailers, size_t count) = 0;
  virtual void OnError(strata_status status, const std::string& layer, const std::string& message) = 0;
};

// ConnectionListener is told about log lines and that a connection did work.
class ConnectionListener {
 public:
  virtual ~ConnectionListener() = default;
  virtual void OnLayerLog(Connection* conn, const std::string& layer, int32_t level,
                          const std::string& message) = 0;
  // OnActivity: the connection was driven (it may have connected, died or
  // finished an exchange). Called outside any plugin call.
  virtual void OnActivity(Connection* conn) = 0;
};

// ProxyPeer: one proxy of a hop's chain.
struct ProxyPeer {
  std::string host;
  uint16_t port = 0;
  std::string label;  // "scheme://host:port" for messages, no credentials
};

// Target is what one hop connects to; the runtime fills it per hop.
struct Target {
  std::string host;  // the origin
  uint16_t port = 0;
  int32_t hop = 1;
  // When set, the peer of the layers below the tunnel layer (or of every
  // layer when the chain has no tunnel: plain http through a proxy).
  std::string proxy_host;
  uint16_t proxy_port = 0;
  // Every proxy of the hop, nearest this client first (proxy_host/port are
  // the first one's). Empty with one proxy set through proxy_host only.
  // Tunnel layers split the chain: the layers below the first tunnel talk
  // to proxy 1, those from the k-th tunnel up to proxy k+1, those from the
  // tunnel to the last proxy up to the origin.
  std::vector<ProxyPeer> proxies;
  // When set (curl's --connect-to), where the connection to the origin
  // really goes: the peer of the layer that opens it (the bottom layer, or
  // the tunnel layer through a proxy). The layers above still see |host|.
  std::string connect_host;
  uint16_t connect_port = 0;
};

// ConnectionFacts: what -w and the response info report about a ready
// connection. They never change once it is up, so they are asked once.
struct ConnectionFacts {
  std::string remote_ip;   // the bottom layer's peer, no brackets
  int32_t remote_port = 0;
  std::string local_ip;
  int32_t local_port = 0;
  int32_t tls_verify_result = 0;  // X509_V_OK (0) when there is no TLS
  int32_t proxy_tls_verify_result = 0;  // of a TLS layer below a tunnel
  int64_t namelookup_us = 0;      // how long the bottom layer's lookup took
  // When the bottom layer and the topmost STRATA_LAYER_FLAG_SECURE layer
  // became ready (MonotonicUs; 0: not / none).
  uint64_t bottom_ready_us = 0;
  uint64_t secure_ready_us = 0;
  // Each layer and when it became ready, bottom first; layers below the
  // topmost tunnel are named "proxy:NAME" (as STRATA_OPT_LAYER_OPTIONS
  // names them).
  std::vector<std::pair<std::string, uint64_t>> layer_ready_us;
};

// SecureFacts: what one STRATA_LAYER_FLAG_SECURE layer (TLS, or the TLS
// inside h3's QUIC) of a ready connection negotiated, for policies'
// handshake checks.
struct SecureFacts {
  std::string label;      // its LayerLabel: "tls" or "proxy:tls"
  std::string host;       // the peer it authenticated
  uint16_t port = 0;
  std::string tls_version;
  std::string alpn;
  bool resumed = false;
  std::vector<std::string> chain;  // the peer's certificates, DER, leaf first
};

// LayerError: why a connection or exchange failed, with the layer to blame.
struct LayerError {
  strata_status status = STRATA_OK;
  std::string layer;
  std::string message;
};

class Connection : public IoHandler {
 public:
  enum class State { kConnecting, kReady, kDead };

  // Create instantiates every layer of |pipeline| (bottom first) with the
  // matching entry of |layer_options| (merged template and hop options).
  static absl::StatusOr<std::unique_ptr<Connection>> Create(
      EventLoop* loop, const PluginRegistry& registry, const PipelineSpec& pipeline,
      const std::vector<nlohmann::json>& layer_options, const Target& target,
      ConnectionListener* listener);
  ~Connection() override;

  uint64_t id() const { return id_; }
  State state() const { return state_; }
  const LayerError& error() const { return error_; }
  const Target& target() const { return target_; }
  const std::string& pipeline_name() const { return pipeline_name_; }
  bool has_session() const { return session_ != nullptr; }
  uint64_t connect_started_us() const { return connect_started_us_; }
  uint64_t connected_us() const { return connected_us_; }
  // driven_us is the loop's clock (MonotonicUs) when Drive() last ended;
  // within one turn of the loop it equals MonotonicUs().
  uint64_t driven_us() const { return driven_us_; }

  // Drive makes all the progress it can: connection setup while connecting,
  // session I/O once ready. Updates the descriptors' poll interest.
  void Drive();
  // Fail marks the connection dead with |error| (e.g. a runtime timeout).
  void Fail(const LayerError& error);

  // Session API (has_session()).
  uint32_t Capacity();
  strata_status OpenStream(const strata_request_head& head, StreamSink* sink, uint32_t* out_id);
  void CancelStream(uint32_t stream_id);
  bool IsReusable();
  int32_t HttpVersion();
  // Multiplexes: the session carries many exchanges whose frames name their
  // stream (HTTP/2 or HTTP/3), so one failed or cancelled exchange leaves
  // the others and the connection usable.
  bool Multiplexes() {
    const int32_t v = HttpVersion();
    return v == 20 || v == 30;
  }
  // SessionControl sends a STRATA_CONTROL_* to the session layer.
  strata_status SessionControl(uint32_t control, const void* arg, size_t len);
  // Query asks the top layer (which passes unknown queries down).
  strata_status Query(uint32_t query, void* out, size_t* inout_len);
  // LayerSelf is the instance of layer |index| (bottom 0), for layer types
  // built into the runtime (runtime/tunnel), whose instances the runtime
  // binds after Create; nullptr if out of range.
  void* LayerSelf(size_t index) const { return index < layers_.size() ? layers_[index].self : nullptr; }
  const LayerType* LayerTypeAt(size_t index) const { return index < layers_.size() ? layers_[index].type : nullptr; }

  // Raw byte-stream API (!has_session()). Same contracts as the vtable.
  strata_status Send(const uint8_t* data, size_t len, size_t* out_written);
  strata_status Recv(uint8_t* buf, size_t cap, size_t* out_read);
  bool DataPending();
  // SetRawWants sets what the raw user waits for (STRATA_POLL_*).
  void SetRawWants(uint32_t wants);

  // Describe renders the chain: "tcp(127.0.0.1:8080) → h1".
  std::string Describe();
  // Timings renders when each layer became ready, from the start of
  // connection setup: "tcp 0.2 ms, tls 3.4 ms, h1 3.4 ms".
  std::string Timings() const;
  // LayerLabel names layer |index| in errors: "proxy:NAME" when it talks
  // to a proxy (below the tunnel layer, or any byte-stream layer of a hop
  // sent to a forwarding proxy), else NAME.
  std::string LayerLabel(size_t index) const;
  // Facts asks the layers once the connection is ready and keeps the
  // answers (an empty value before).
  const ConnectionFacts& Facts();
  // SecureLayers asks every secure layer (bottom first: an https proxy's
  // TLS, then the origin's) once the connection is ready and keeps the
  // answers (empty before, or without one).
  const std::vector<SecureFacts>& SecureLayers();
  // session_bytes_out counts what the session layer handed to the layers
  // below: the cleartext HTTP/1 bytes of every request, for size_request.
  uint64_t session_bytes_out() const { return session_bytes_out_; }
  // QueryInt asks the top layer (which passes unknown queries down) for an
  // integer answer; false if no layer answers.
  bool QueryInt(uint32_t query, int* out);
  // ProxyCount: how many proxies the hop goes through.
  size_t ProxyCount() const;
  // ProxyOf says which proxy layer |index| talks to: 1 for the first
  // (nearest this client), 0 for the origin. A tunnel layer talks to the
  // proxy it asks for the next peer.
  size_t ProxyOf(size_t index) const;
  // ConnectStatuses asks every tunnel layer itself (bottom first) for its
  // proxy's CONNECT reply status: 0 where there is none (SOCKS, or no
  // reply yet). The last non-zero one is curl's http_connect.
  std::vector<int> ConnectStatuses();
  // SetupWait says, in a chain of proxies, which proxy the setup is still
  // waiting for (" (waiting for proxy 2 of 3 (http://b:3128): connect-tunnel)"),
  // for a timeout's message; "" otherwise.
  std::string SetupWait() const;
  // TakeLayerError returns and clears the last set_error() of any layer.
  LayerError TakeLayerError();

  // IoHandler.
  void OnIo(int fd, uint32_t events) override;

 private:
  friend struct HostAccess;
  struct Layer {
    const LayerType* type = nullptr;
    void* self = nullptr;
    std::unique_ptr<strata_layer_ctx> ctx;
    nlohmann::json options;
    std::string options_text;
    std::string peer_host;  // what strata_layer_config.host says to this layer
    uint16_t peer_port = 0;
    bool connected = false;
    uint64_t wake_deadline_ms = 0;
    uint64_t connected_us = 0;
  };

  Connection() = default;
  strata_status TopConnect(int* done);
  uint32_t TopInterest();
  void UpdateInterest();
  void ArmWakeTimer();
  void NoteLayerConnected(size_t index);
  // TraceTunnels logs each tunnel's outcome once setup ended ("proxy 1
  // (http://a:3128) CONNECT b:443 → 200").
  void TraceTunnels();

  static uint64_t next_id_;
  uint64_t id_ = 0;
  EventLoop* loop_ = nullptr;
  ConnectionListener* listener_ = nullptr;
  Target target_;
  std::string pipeline_name_;
  std::vector<Layer> layers_;
  Layer* session_ = nullptr;
  State state_ = State::kConnecting;
  LayerError error_;
  LayerError pending_layer_error_;
  std::set<int> fds_;
  uint32_t interest_ = 0;
  uint32_t raw_wants_ = 0;
  EventLoop::TimerId wake_timer_ = 0;
  uint64_t wake_timer_deadline_ = 0;
  uint64_t connect_started_us_ = 0;
  uint64_t connected_us_ = 0;
  uint64_t driven_us_ = 0;
  bool driving_ = false;
  bool tunnels_traced_ = false;
  uint64_t session_bytes_out_ = 0;
  std::optional<ConnectionFacts> facts_;
  std::optional<std::vector<SecureFacts>> secure_;
};

// HostServices returns the one services table the runtime hands to plugins.
const strata_host_services* HostServicesTable();

}  // namespace strata

// The opaque per-layer handle of the ABI. Defined by the host.
struct strata_layer_ctx {
  strata::Connection* conn;
  size_t index;
};

#endif  // STRATA_RUNTIME_CHAIN_CONNECTION_H_
