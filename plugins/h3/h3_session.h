// h3_session.h — the `h3` session layer: HTTP/3 (nghttp3) over QUIC
// (ngtcp2) over the datagram layer below it (`udp`).
//
// Connect() waits for the layer below, builds the QUIC connection and the
// TLS client (BoringSSL through quic/crypto_glue), and is done once the
// handshake is complete, ALPN is "h3" and our control and QPACK streams are
// open. Each exchange is one client bidirectional stream; Capacity() is
// bounded by the server's MAX_STREAMS and max_concurrent_streams.
//
// Progress() reads every datagram waiting below, runs ngtcp2's timers, then
// writes every packet ngtcp2 and nghttp3 have; a packet the socket refused
// is kept and retried when the socket is writable (POLL_WRITE). The next
// timer (loss detection, ACK delay, idle) is handed to the host as wake_at.
//
// Behaviour fixed by design: QUIC v1 only, connection migration off
// (disable_active_migration), 0-RTT never offered, certificate and host name
// verified unless verify is false. Errors name the QUIC or HTTP/3 error
// code: "quic: connection closed by peer: PROTOCOL_VIOLATION (0xa)",
// "h3: H3_FRAME_ERROR (0x106) from peer".
//
// OWNERSHIP: the session owns the ngtcp2 and nghttp3 connections and the
// SSL; request body bytes are kept until the peer acknowledges them
// (nghttp3 sends from our buffers).
#ifndef STRATA_PLUGINS_H3_H3_SESSION_H_
#define STRATA_PLUGINS_H3_H3_SESSION_H_

#include <nghttp3/nghttp3.h>
#include <ngtcp2/ngtcp2.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "plugins/h3/h3_options.h"
#include "plugins/h3/quic/crypto_glue.h"
#include "plugins/tls/host_name.h"
#include "strata/sdk.hpp"

namespace strata::h3 {

class H3Session : public sdk::SessionLayer {
 public:
  H3Session(strata_layer_ctx* ctx, const strata_layer_config* config);
  ~H3Session() override;

  strata_status Connect(int* done) override;
  uint32_t Capacity() override;
  strata_status OpenStream(const strata_request_head* head, void* user, uint32_t* out_id) override;
  strata_status CancelStream(uint32_t id) override;
  strata_status Progress() override;
  uint32_t PollInterest() override;
  bool IsReusable() override;
  strata_status Query(uint32_t q, void* out, size_t* len) override;
  strata_status Control(uint32_t c, const void* arg, size_t len) override;
  strata_status Shutdown(int* done) override;

 private:
  struct Stream {
    int64_t id = 0;
    void* user = nullptr;
    bool has_body = false;
    bool body_eos = false;
    bool body_blocked = false;  // the host had no body bytes: resume later
    bool finished = false;      // the host heard the end or an error
    std::deque<std::string> unacked;  // body bytes nghttp3 may still send from
    size_t unacked_front_sent = 0;
    std::vector<std::pair<std::string, std::string>> fields;  // head or trailers
    size_t field_bytes = 0;
    bool in_trailers = false;
  };
  enum class Phase { kLower, kHandshake, kReady, kDead };

  strata_status StartQuic();
  strata_status StartH3();
  // Pump: read, timers, write. Negative: the connection is dead.
  strata_status Pump();
  strata_status ReadDatagrams();
  strata_status HandleExpiry();
  strata_status WritePackets();
  strata_status SendPacket(const uint8_t* data, size_t len);
  void ScheduleTimer();
  // Die ends the connection: every open stream gets |status| and |message|,
  // a CONNECTION_CLOSE is sent when |close| is set, and later calls repeat
  // the failure.
  strata_status Die(strata_status status, const std::string& message, const ngtcp2_connection_close_error* close);
  strata_status QuicError(int lib_error, const char* doing);
  std::string PeerCloseMessage(strata_status* out_status);
  std::string HandshakeFailure(strata_status* out_status);
  void FinishStream(Stream* s, strata_status status, const std::string& message);
  Stream* Find(int64_t id);
  uint64_t Now() const;
  std::string Target() const;

  // ngtcp2 callbacks (non-crypto).
  static int OnRecvStreamData(ngtcp2_conn*, uint32_t flags, int64_t id, uint64_t offset, const uint8_t* data,
                              size_t len, void* user, void* stream_user);
  static int OnAckedStreamData(ngtcp2_conn*, int64_t id, uint64_t offset, uint64_t len, void* user,
                               void* stream_user);
  static int OnStreamClose(ngtcp2_conn*, uint32_t flags, int64_t id, uint64_t code, void* user, void* stream_user);
  static int OnStreamReset(ngtcp2_conn*, int64_t id, uint64_t final_size, uint64_t code, void* user,
                           void* stream_user);
  static int OnStreamStopSending(ngtcp2_conn*, int64_t id, uint64_t code, void* user, void* stream_user);
  static int OnExtendMaxStreamData(ngtcp2_conn*, int64_t id, uint64_t max_data, void* user, void* stream_user);
  // nghttp3 callbacks.
  static int OnH3AckedData(nghttp3_conn*, int64_t id, uint64_t len, void* user, void* stream_user);
  static int OnH3StreamClose(nghttp3_conn*, int64_t id, uint64_t code, void* user, void* stream_user);
  static int OnH3RecvData(nghttp3_conn*, int64_t id, const uint8_t* data, size_t len, void* user,
                          void* stream_user);
  static int OnH3DeferredConsume(nghttp3_conn*, int64_t id, size_t consumed, void* user, void* stream_user);
  static int OnH3BeginHeaders(nghttp3_conn*, int64_t id, void* user, void* stream_user);
  static int OnH3RecvHeader(nghttp3_conn*, int64_t id, int32_t token, nghttp3_rcbuf* name, nghttp3_rcbuf* value,
                            uint8_t flags, void* user, void* stream_user);
  static int OnH3EndHeaders(nghttp3_conn*, int64_t id, int fin, void* user, void* stream_user);
  static int OnH3BeginTrailers(nghttp3_conn*, int64_t id, void* user, void* stream_user);
  static int OnH3EndStream(nghttp3_conn*, int64_t id, void* user, void* stream_user);
  static int OnH3StopSending(nghttp3_conn*, int64_t id, uint64_t code, void* user, void* stream_user);
  static int OnH3ResetStream(nghttp3_conn*, int64_t id, uint64_t code, void* user, void* stream_user);
  static int OnH3Shutdown(nghttp3_conn*, int64_t id, void* user);
  static nghttp3_ssize ReadBodyCallback(nghttp3_conn*, int64_t id, nghttp3_vec* vec, size_t veccnt,
                                        uint32_t* flags, void* user, void* stream_user);

  std::string host_;
  uint16_t port_;
  tls::PeerName peer_;
  H3Options options_;
  Phase phase_ = Phase::kLower;
  ngtcp2_conn* conn_ = nullptr;
  nghttp3_conn* h3_ = nullptr;
  bssl::UniquePtr<SSL_CTX> ssl_ctx_;
  bssl::UniquePtr<SSL> ssl_;
  quic::TlsState tls_state_;
  ngtcp2_path_storage path_{};
  uint64_t handshake_started_ms_ = 0;
  std::string pending_packet_;  // a packet the socket did not take yet
  bool goaway_ = false;
  // An HTTP/3 error found while ngtcp2 was delivering stream data.
  int h3_error_ = 0;
  strata_status dead_status_ = STRATA_OK;
  std::string dead_message_;
  absl::flat_hash_map<int64_t, std::unique_ptr<Stream>> streams_;
  std::vector<uint8_t> buffer_;
};

}  // namespace strata::h3

#endif  // STRATA_PLUGINS_H3_H3_SESSION_H_
