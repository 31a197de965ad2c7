// h2_session.h — the HTTP/2 session layer shared by the h2-alpn, h2 and
// h2-upgrade layer types: an SDK SessionLayer that drives the engine's
// ClientSession over the byte stream below.
//
//   open_stream   strata_request_head → pseudo-headers + lowercase fields
//                 (request_headers.h); the body is pulled with
//                 stream_read_body when flow control allows
//   progress      write pending frames until the layer below says AGAIN,
//                 read until AGAIN and feed the engine, run its timers and
//                 re-arm wake_at; engine events become stream callbacks
//   capacity      the engine's (server's MAX_CONCURRENT_STREAMS) within our
//                 max_concurrent_streams; 0 once going away or dead
//
// Errors reach streams as: the server's RST_STREAM → STRATA_E_STREAM_RESET
// (message names the RFC 9113 code); GOAWAY above the last stream id or
// REFUSED_STREAM → STRATA_E_NOT_PROCESSED (the runtime may resend);
// connection errors → STRATA_E_PROTOCOL, or STRATA_E_LIMIT for
// ENHANCE_YOUR_CALM, or STRATA_E_TIMEOUT for SETTINGS/PING timeouts, with a
// message naming the code; the connection ending → STRATA_E_CLOSED (or the
// transport's own error); a malformed response → STRATA_E_PROTOCOL; our
// limits → STRATA_E_LIMIT; the request body source → STRATA_E_BODY. After a
// connection error every open stream has its error and progress() returns a
// negative status.
//
// Tunnels (STRATA_REQUEST_TUNNEL, RFC 9113 §8.5): the CONNECT head carries
// only :method and :authority, the body is the upstream byte stream (no
// END_STREAM until the host's body says eos), and the stream's receive
// window reopens only as the host says it consumed the bytes
// (STRATA_CONTROL_STREAM_CONSUMED), never on delivery.
//
// A delivery callback returning < 0 abandons that stream only (RST_STREAM
// CANCEL); the stream then gets stream_on_error with that status, so a
// multiplexing host learns that the exchange is over without the connection
// dying (HTTP/1.1 kills the connection instead).
#ifndef STRATA_PLUGINS_H2_LAYER_H2_SESSION_H_
#define STRATA_PLUGINS_H2_LAYER_H2_SESSION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "plugins/h2/engine/session/client_session.h"
#include "plugins/h2/layer/frame_tracer.h"
#include "plugins/h2/layer/host_clock.h"
#include "plugins/h2/layer/layer_options.h"
#include "strata/sdk.hpp"

namespace strata::h2 {

class H2Session : public sdk::SessionLayer, private SessionCallbacks, private BodySource {
 public:
  // H2Session speaks HTTP/2 on the already connected byte stream below
  // |ctx|; the client preface and our SETTINGS are queued at once.
  H2Session(strata_layer_ctx* ctx, const H2LayerOptions& options);
  ~H2Session() override;

  // AdoptUpgrade (h2c, RFC 7540 §3.2) makes stream 1 the HTTP/1.1 request
  // |user| that the server upgraded (HEAD-ness says whether its response has
  // a body) and feeds |rest|, the bytes that followed the 101. Call it right
  // after construction. The session is then usable without Connect().
  // Events for stream 1 (including a failure of |rest|) may be delivered
  // during the call.
  strata_status AdoptUpgrade(void* user, bool head_request, absl::Span<const uint8_t> rest);

  // Connect writes the preface and returns done once the server's SETTINGS
  // arrived, so Capacity() starts from the server's real stream limit.
  strata_status Connect(int* done) override;
  uint32_t Capacity() override;
  strata_status OpenStream(const strata_request_head* head, void* user,
                           uint32_t* out_id) override;
  strata_status CancelStream(uint32_t id) override;
  strata_status Progress() override;
  uint32_t PollInterest() override;
  bool IsReusable() override;
  strata_status Query(uint32_t q, void* out, size_t* len) override;
  // Control takes STRATA_CONTROL_STREAM_CONSUMED for tunnel streams
  // (STRATA_REQUEST_TUNNEL) and passes the rest down.
  strata_status Control(uint32_t c, const void* arg, size_t len) override;
  // Shutdown sends GOAWAY(NO_ERROR) if it can without waiting.
  strata_status Shutdown(int* done) override;

  // Describe is "h2", with the round-trip time once measured
  // ("h2(rtt=0.31 ms)").
  std::string Describe();
  bool failed() const { return failed_; }

 private:
  struct Stream {
    void* user = nullptr;
    uint32_t id = 0;
    int64_t declared = -1;  // request body length, -1 if unknown
    uint64_t sent = 0;
    bool body_blocked = false;  // the source said "nothing now"
    strata_status body_error = STRATA_OK;
    std::string body_message;
    HeaderList trailers;
    bool closed = false;  // final callback delivered
  };

  // SessionCallbacks.
  bool OnInformational(void* user, int status, const HeaderList& fields) override;
  bool OnHeaders(void* user, int status, const HeaderList& fields, bool end_stream) override;
  bool OnData(void* user, absl::Span<const uint8_t> data) override;
  bool OnTrailers(void* user, const HeaderList& trailers) override;
  void OnStreamClose(void* user, const StreamResult& result) override;
  void OnGoaway(uint32_t last_stream_id, uint32_t error_code, absl::string_view debug) override;
  // BodySource.
  absl::StatusOr<BodyChunk> Read(void* user, absl::Span<uint8_t> buffer) override;

  strata_status DeliverHeadFields(Stream* s, int status, const HeaderList& fields);
  // Abandon: the host refused a delivery with |rc|; tell it the stream is
  // over (the engine resets it and stays quiet about it).
  void Abandon(Stream* s, strata_status rc);
  void Forget(Stream* s);
  // NewStream takes a spare Stream (reset) or makes one; RecycleFinished
  // frees the streams finished during a call, keeping some as spares.
  std::unique_ptr<Stream> NewStream();
  void RecycleFinished();

  // Pump does all I/O possible now: flush, read, timers; returns < 0 once
  // the connection is dead.
  strata_status Pump();
  strata_status Flush(bool* moved);
  strata_status ReadAvailable(bool* moved);
  void RunTimers();
  void ArmWake();
  // ConnectionDied flushes what it can (GOAWAY) and fails the connection.
  strata_status ConnectionDied();
  void TransportEnded(strata_status status, const std::string& message);
  strata_status StatusForStream(const Stream& s, const StreamResult& r) const;
  void TraceFrame(const std::string& line);

  H2LayerOptions options_;
  HostClock clock_;
  std::unique_ptr<ClientSession> session_;
  // By id: found in O(1), no allocation per stream once grown.
  absl::flat_hash_map<uint32_t, std::unique_ptr<Stream>> streams_;
  std::vector<uint32_t> resume_ids_;  // Progress()'s list of paused bodies
  std::unique_ptr<Stream> submitting_;  // the stream inside SubmitRequest
  std::vector<std::unique_ptr<Stream>> finished_;  // freed after the call
  std::vector<std::unique_ptr<Stream>> spare_streams_;
  HeaderList request_fields_;  // OpenStream's fields, storage kept between requests
  std::vector<strata_header> fields_;
  std::unique_ptr<uint8_t[]> recv_buf_;
  FrameTracer sent_trace_;
  FrameTracer recv_trace_;
  uint64_t wake_ms_ = 0;
  // Bytes Pump() may still read in this call, and whether it stopped
  // because the budget ran out (then it asks to be driven next turn).
  size_t read_budget_ = 0;
  size_t finished_at_pump_ = 0;  // finished_.size() when Pump() began
  bool read_yielded_ = false;
  // A read said EAGAIN: this Pump() reads no more.
  bool read_drained_ = false;
  // Some stream's body source said "nothing now" (Progress asks those again).
  bool any_body_blocked_ = false;
  bool connected_ = false;
  bool failed_ = false;
  strata_status failed_status_ = STRATA_OK;
  std::string failed_message_;
  // How the byte stream ended, if it did: CLOSED for an orderly end, else
  // the lower layer's error.
  strata_status transport_status_ = STRATA_OK;
};

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_LAYER_H2_SESSION_H_
