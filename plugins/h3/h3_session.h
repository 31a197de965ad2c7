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
// Packets of one size go down as one batch (STRATA_CONTROL_SEND_SEGMENTS,
// ABI 1.3: UDP GSO) while the layer below accepts that; once it refuses,
// one packet per send as before.
//
// Behaviour fixed by design: QUIC v1 only, connection migration off
// (disable_active_migration), certificate and host name verified unless
// verify is false. TLS sessions are kept for resumption (session_cache),
// with the server's transport parameters; with early_data on, a resumed
// connection is ready before its first flight (the 0-RTT key is installed
// as it is written), and idempotent requests go in 0-RTT (early_data.h). Errors name the QUIC or HTTP/3 error
// code: "quic: connection closed by peer: PROTOCOL_VIOLATION (0xa)",
// "h3: H3_FRAME_ERROR (0x106) from peer".
//
// The HTTP/3 side (nghttp3, the exchanges) is Http3Client, which has no
// I/O; this class is QUIC, TLS and the layer ABI around it.
//
// OWNERSHIP: the session owns the ngtcp2 connection, the Http3Client and
// the SSL.
#ifndef STRATA_PLUGINS_H3_H3_SESSION_H_
#define STRATA_PLUGINS_H3_H3_SESSION_H_

#include <ngtcp2/ngtcp2.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "plugins/h3/early_data.h"
#include "plugins/h3/h3_options.h"
#include "plugins/h3/http3_client.h"
#include "plugins/h3/quic/crypto_glue.h"
#include "plugins/tls/host_name.h"
#include "strata/sdk.hpp"

namespace strata::h3 {

class H3Session : public sdk::SessionLayer, private Http3Client::Transport, private Http3Client::Exchanges {
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
  // kExpired: the idle timeout ended a connection with nothing open; it
  // takes no requests and reports no error (the pool drops it).
  enum class Phase { kLower, kHandshake, kReady, kExpired, kDead };
  // 0-RTT: kSending from StartEarly (the connection is kReady) until the
  // handshake completes; kRejected once the server refused the early data,
  // until then.
  enum class Early { kNone, kSending, kRejected };

  strata_status StartQuic();
  strata_status StartTls();
  // StartH3 binds HTTP/3's streams; |early|: in 0-RTT, before the server
  // confirmed ALPN.
  strata_status StartH3(bool early);
  // CheckAlpn: the server selected "h3", or the connection dies with
  // no_application_protocol (TLS alert 120).
  strata_status CheckAlpn();
  strata_status StartEarly();
  // HandshakeDone: ALPN, then the requests held or rejected in 0-RTT.
  strata_status HandshakeDone();
  strata_status OpenBeforeHandshake(const strata_request_head& head, void* user, uint32_t* out_id);
  std::string SessionKey() const;
  // Pump: read, timers, write. Negative: the connection is dead.
  strata_status Pump();
  strata_status ReadDatagrams();
  strata_status HandleExpiry();
  strata_status WritePackets();
  // SendPacket hands |len| bytes of datagrams |segment| bytes long (the
  // last may be shorter) to the layer below: as batches while it takes
  // them, else one per send. *out_sent is what went out; STRATA_AGAIN when
  // the socket is full before the end, negative when the socket failed.
  strata_status SendPacket(const uint8_t* data, size_t len, size_t segment, size_t* out_sent);
  // SendOrKeep sends like SendPacket and keeps what the socket did not take.
  strata_status SendOrKeep(const uint8_t* data, size_t len, size_t segment);
  strata_status FlushPending();
  bool BatchNext(size_t segment);
  void ScheduleTimer();
  // Die ends the connection: every open stream gets |status| and |message|,
  // a CONNECTION_CLOSE is sent when |close| is set, and later calls repeat
  // the failure.
  strata_status Die(strata_status status, const std::string& message, const ngtcp2_connection_close_error* close);
  strata_status QuicError(int lib_error, const char* doing);
  void SendConnectionClose(const ngtcp2_connection_close_error& close);
  std::string PeerCloseMessage(strata_status* out_status);
  std::string HandshakeFailure(strata_status* out_status);
  uint64_t Now() const;
  std::string Target() const;

  // Http3Client::Transport
  void Consumed(int64_t id, uint64_t bytes) override;
  void ResetStream(int64_t id, uint64_t code) override;
  void StopReading(int64_t id, uint64_t code) override;
  void StopWriting(int64_t id, uint64_t code) override;
  // Http3Client::Exchanges
  strata_status ReadBody(void* user, uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) override;
  strata_status Head(void* user, const strata_response_head& head) override;
  strata_status Data(void* user, const uint8_t* data, size_t len) override;
  void End(void* user, const strata_header* trailers, size_t count) override;
  void Error(void* user, strata_status status, const std::string& message) override;

  // ngtcp2 callbacks (the crypto ones are quic/crypto_glue's).
  static int OnHandshakeCompleted(ngtcp2_conn*, void* user);
  static int OnRecvStreamData(ngtcp2_conn*, uint32_t flags, int64_t id, uint64_t offset, const uint8_t* data,
                              size_t len, void* user, void* stream_user);
  static int OnAckedStreamData(ngtcp2_conn*, int64_t id, uint64_t offset, uint64_t len, void* user,
                               void* stream_user);
  static int OnStreamClose(ngtcp2_conn*, uint32_t flags, int64_t id, uint64_t code, void* user, void* stream_user);
  static int OnStreamReset(ngtcp2_conn*, int64_t id, uint64_t final_size, uint64_t code, void* user,
                           void* stream_user);
  static int OnStreamStopSending(ngtcp2_conn*, int64_t id, uint64_t code, void* user, void* stream_user);
  static int OnExtendMaxStreamData(ngtcp2_conn*, int64_t id, uint64_t max_data, void* user, void* stream_user);
  static int OnEarlyDataRejected(ngtcp2_conn*, void* user);
  // BoringSSL's new-session callback: the ticket goes to the cache with
  // the server's transport parameters (0-RTT needs both).
  static int NewSessionCallback(SSL* ssl, SSL_SESSION* session);

  std::string host_;
  uint16_t port_;
  tls::PeerName peer_;
  H3Options options_;
  Phase phase_ = Phase::kLower;
  ngtcp2_conn* conn_ = nullptr;
  std::unique_ptr<Http3Client> h3_;
  bssl::UniquePtr<SSL_CTX> ssl_ctx_;
  bssl::UniquePtr<SSL> ssl_;
  quic::TlsState tls_state_;
  ngtcp2_path_storage path_{};
  uint64_t handshake_started_ms_ = 0;
  uint64_t last_rx_ns_ = 0;  // when the last packet came in (idle timeout)
  uint64_t last_pump_ns_ = 0;  // when Pump() last finished
  // Datagrams the socket did not take yet, oldest first, each run with its
  // datagram size.
  struct PendingBatch {
    std::string bytes;
    size_t segment = 0;
  };
  std::deque<PendingBatch> pending_;
  std::vector<uint8_t> send_buffer_;  // a batch being written
  bool gso_ = true;  // until the layer below refuses a batch
  // Inside ngtcp2_conn_read_pkt (its callbacks may fail the connection), a
  // CONNECTION_CLOSE is written only once ngtcp2 has returned.
  bool in_read_ = false;
  bool close_deferred_ = false;
  ngtcp2_connection_close_error deferred_close_{};
  // An HTTP/3 error found while ngtcp2 was delivering stream data.
  int h3_error_ = 0;
  strata_status dead_status_ = STRATA_OK;
  std::string dead_message_;
  std::vector<uint8_t> buffer_;
  // Resumption and 0-RTT.
  std::string session_key_;
  std::string early_params_;  // the resumed session's server transport parameters
  Early early_ = Early::kNone;
  std::string early_outcome_;  // "0-RTT accepted" / "0-RTT rejected", for DESCRIBE
  EarlyRequests early_requests_;
};

}  // namespace strata::h3

#endif  // STRATA_PLUGINS_H3_H3_SESSION_H_
