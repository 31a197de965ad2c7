// http3_client.h — HTTP/3 requests on nghttp3, without QUIC and without
// I/O: stream bytes in, stream bytes out, exchange events through an
// interface. The h3 session layer (h3_session.h) connects it to ngtcp2;
// the fuzzer (tests/fuzz/h3_client_fuzzer.cc) feeds it canned server
// stream bytes directly, as if QUIC had decrypted them.
//
// Client streams: request streams are the QUIC bidirectional streams the
// caller opens (0, 4, 8, ...); our control and QPACK encoder/decoder
// streams are the unidirectional ones given to Start().
//
// OWNERSHIP: request body bytes are kept here until the peer acknowledges
// them (nghttp3 sends from our buffers). |transport| and |exchanges| are
// borrowed and must outlive the client.
#ifndef STRATA_PLUGINS_H3_HTTP3_CLIENT_H_
#define STRATA_PLUGINS_H3_HTTP3_CLIENT_H_

#include <nghttp3/nghttp3.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "strata/plugin.h"

namespace strata::h3 {

class Http3Client {
 public:
  // Transport is what the QUIC connection does for the HTTP/3 layer.
  class Transport {
   public:
    virtual ~Transport() = default;
    // Consumed returns flow-control credit for |bytes| of stream |id|.
    virtual void Consumed(int64_t id, uint64_t bytes) = 0;
    // ResetStream abandons both directions of stream |id| with |code|.
    virtual void ResetStream(int64_t id, uint64_t code) = 0;
    virtual void StopReading(int64_t id, uint64_t code) = 0;
    virtual void StopWriting(int64_t id, uint64_t code) = 0;
  };
  // Exchanges are the host's stream callbacks (strata_host_services'
  // stream_*), keyed by the |user| given to Submit().
  class Exchanges {
   public:
    virtual ~Exchanges() = default;
    virtual strata_status ReadBody(void* user, uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) = 0;
    virtual strata_status Head(void* user, const strata_response_head& head) = 0;
    virtual strata_status Data(void* user, const uint8_t* data, size_t len) = 0;
    virtual void End(void* user, const strata_header* trailers, size_t count) = 0;
    virtual void Error(void* user, strata_status status, const std::string& message) = 0;
  };

  // |peer| ("host:port") names the server in messages.
  Http3Client(Transport* transport, Exchanges* exchanges, uint64_t max_header_bytes, std::string peer);
  ~Http3Client();
  Http3Client(const Http3Client&) = delete;
  Http3Client& operator=(const Http3Client&) = delete;

  // Start creates the nghttp3 connection and binds our control and QPACK
  // streams.
  absl::Status Start(int64_t control, int64_t encoder, int64_t decoder);
  bool started() const { return conn_ != nullptr; }

  // Submit sends a request head on the opened bidirectional stream |id|;
  // the body (unless |head| says there is none) is pulled through
  // Exchanges::ReadBody. InvalidArgument when nghttp3 refuses the head.
  absl::Status Submit(int64_t id, const strata_request_head& head, void* user);
  // Cancel: no more events for |id|; the stream is reset with
  // H3_REQUEST_CANCELLED.
  void Cancel(int64_t id);

  // Received hands over |len| bytes the peer sent on stream |id| (|fin|:
  // the last ones). 0, or an nghttp3 error code (negative) that is fatal
  // for the connection: ErrorCode() gives the HTTP/3 code to close with.
  int Received(int64_t id, const uint8_t* data, size_t len, bool fin);
  static uint64_t ErrorCode(int lib_error);

  // Events from the QUIC stream layer. Each returns 0 or a fatal nghttp3
  // error, as Received does.
  int Acked(int64_t id, uint64_t len);
  int Closed(int64_t id, uint64_t code);
  void ReadShut(int64_t id);
  void Unblock(int64_t id);

  // Sending: NextData fills |vec| with what stream *out_id should carry
  // next (count 0: nothing); then exactly one of Written (|n| bytes of it
  // went into a packet), Blocked (flow control) or WriteShut (the stream
  // can no longer send).
  int NextData(int64_t* out_id, int* out_fin, nghttp3_vec* vec, size_t cap);
  void Written(int64_t id, size_t n);
  void Blocked(int64_t id);
  void WriteShut(int64_t id);
  // ResumeBodies retries request bodies whose source had nothing earlier.
  void ResumeBodies();

  // FailAll ends every open exchange with |status| and |message|.
  void FailAll(strata_status status, const std::string& message);
  // Open counts exchanges the host has not heard the end of.
  size_t Open() const;
  bool goaway() const { return goaway_; }

 private:
  struct Stream {
    int64_t id = 0;
    void* user = nullptr;
    bool body_eos = false;
    bool body_blocked = false;
    bool finished = false;  // the host heard the end or an error
    std::deque<std::string> unacked;
    size_t unacked_front_acked = 0;
    std::vector<std::pair<std::string, std::string>> fields;
    size_t field_bytes = 0;
    bool in_trailers = false;
  };

  Stream* Find(int64_t id);
  void Finish(Stream* s, strata_status status, const std::string& message);
  void Abandon(Stream* s, strata_status status, const std::string& message, uint64_t code);

  static int OnAckedData(nghttp3_conn*, int64_t id, uint64_t len, void* user, void* stream_user);
  static int OnStreamClose(nghttp3_conn*, int64_t id, uint64_t code, void* user, void* stream_user);
  static int OnRecvData(nghttp3_conn*, int64_t id, const uint8_t* data, size_t len, void* user, void* stream_user);
  static int OnDeferredConsume(nghttp3_conn*, int64_t id, size_t consumed, void* user, void* stream_user);
  static int OnBeginHeaders(nghttp3_conn*, int64_t id, void* user, void* stream_user);
  static int OnBeginTrailers(nghttp3_conn*, int64_t id, void* user, void* stream_user);
  static int OnRecvHeader(nghttp3_conn*, int64_t id, int32_t token, nghttp3_rcbuf* name, nghttp3_rcbuf* value,
                          uint8_t flags, void* user, void* stream_user);
  static int OnEndHeaders(nghttp3_conn*, int64_t id, int fin, void* user, void* stream_user);
  static int OnEndStream(nghttp3_conn*, int64_t id, void* user, void* stream_user);
  static int OnStopSending(nghttp3_conn*, int64_t id, uint64_t code, void* user, void* stream_user);
  static int OnResetStream(nghttp3_conn*, int64_t id, uint64_t code, void* user, void* stream_user);
  static int OnShutdown(nghttp3_conn*, int64_t id, void* user);
  static nghttp3_ssize ReadBodyCallback(nghttp3_conn*, int64_t id, nghttp3_vec* vec, size_t veccnt,
                                        uint32_t* flags, void* user, void* stream_user);

  Transport* transport_;
  Exchanges* exchanges_;
  uint64_t max_header_bytes_;
  std::string peer_;
  nghttp3_conn* conn_ = nullptr;
  bool goaway_ = false;
  absl::flat_hash_map<int64_t, std::unique_ptr<Stream>> streams_;
};

}  // namespace strata::h3

#endif  // STRATA_PLUGINS_H3_HTTP3_CLIENT_H_
