// client_session.h — an HTTP/2 client connection (RFC 9113) without I/O.
//
// Bytes from the server go in through Receive(); bytes for the server come
// out of Output()/ConsumeOutput(); events reach the application through
// SessionCallbacks; time comes from a Clock, and the owner calls OnTimer()
// when NextDeadline() has passed. Nothing blocks and nothing is written to a
// socket here, so the h2-alpn and h2-upgrade plugins drive the same engine,
// and tests drive it with a scripted server and a fake clock.
//
// Life of a session:
//   1. Construction queues the client preface, our SETTINGS and a
//      connection WINDOW_UPDATE. (For h2c, call Upgrade() first thing.)
//   2. SubmitRequest() opens streams while Capacity() > 0; request bodies are
//      pulled from a BodySource when flow control allows.
//   3. Receive() processes server bytes and reports responses. A connection
//      error returns its status: GOAWAY is queued, every open stream gets
//      OnStreamClose, and the session is dead (IsDead()). Flush Output() and
//      close the transport.
//   4. When the transport ends, call TransportClosed().
//
// Threading and re-entrancy: single-threaded. Callbacks must not call into
// the session (calls made from a callback fail with kFailedPrecondition);
// return false from a delivery callback to abandon that stream instead.
//
// Ownership: the session borrows |callbacks|, |clock| and every BodySource;
// they must outlive it (a BodySource: until its stream closes). The |user|
// pointers are opaque and handed back in callbacks.
//
// Choices where RFC 9113 or docs/hostile-peers.md leave one are listed in ../README.md.
#ifndef STRATA_PLUGINS_H2_ENGINE_SESSION_CLIENT_SESSION_H_
#define STRATA_PLUGINS_H2_ENGINE_SESSION_CLIENT_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "plugins/h2/engine/frames/error_code.h"
#include "plugins/h2/engine/frames/frame.h"
#include "plugins/h2/engine/hpack/decoder.h"
#include "plugins/h2/engine/hpack/encoder.h"
#include "plugins/h2/engine/hpack/header_field.h"
#include "plugins/h2/engine/session/clock.h"
#include "plugins/h2/engine/session/flow_control.h"
#include "plugins/h2/engine/session/options.h"
#include "plugins/h2/engine/session/ring_queue.h"
#include "plugins/h2/engine/session/token_bucket.h"

namespace strata::h2 {

using hpack::HeaderField;
using hpack::HeaderList;

// BodyChunk is what a BodySource produced: |length| bytes, and whether the
// body ends with them. length == 0 && !end_of_body means "nothing now":
// the session stops asking until ResumeBody().
struct BodyChunk {
  size_t length = 0;
  bool end_of_body = false;
};

// BodySource supplies request body bytes on demand (pull model).
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Read writes up to |buffer.size()| bytes for the stream opened with
  // |user|. An error aborts the stream (RST_STREAM CANCEL) and is reported
  // through OnStreamClose.
  virtual absl::StatusOr<BodyChunk> Read(void* user, absl::Span<uint8_t> buffer) = 0;
};

// StreamResult is how a stream ended.
//   ok                  response complete (and request fully sent, or the
//                       server stopped it with RST_STREAM(NO_ERROR))
//   kUnavailable        not processed by the server (GOAWAY above its
//                       last-stream-id, REFUSED_STREAM, or the connection
//                       closed before the request left): |retryable|
//   kDataLoss           truncated: RST_STREAM(NO_ERROR) or the connection
//                       ending before the response completed
//   kAborted            the server reset the stream with an error code
//   kInvalidArgument    the response was malformed or broke the protocol
//                       (we reset it with PROTOCOL_ERROR/STREAM_CLOSED/...)
//   kResourceExhausted  the response exceeded one of our limits
//   kDeadlineExceeded   a timeout of SessionOptions fired
//   others              the connection failed (its status), or the body
//                       source failed (its status)
struct StreamResult {
  absl::Status status;
  bool retryable = false;  // safe to send again on another connection
};

// SessionCallbacks receives stream events. Header lists hold regular fields
// only (pseudo-headers removed) and are borrowed for the call.
class SessionCallbacks {
 public:
  virtual ~SessionCallbacks() = default;
  // Delivery callbacks return false to abandon the stream: it is reset with
  // CANCEL and gets no further callback (not even OnStreamClose).
  virtual bool OnInformational(void* user, int status, const HeaderList& fields) { return true; }
  virtual bool OnHeaders(void* user, int status, const HeaderList& fields, bool end_stream) = 0;
  virtual bool OnData(void* user, absl::Span<const uint8_t> data) = 0;
  virtual bool OnTrailers(void* user, const HeaderList& trailers) = 0;
  // OnStreamClose is the last callback for |user|.
  virtual void OnStreamClose(void* user, const StreamResult& result) = 0;
  // OnGoaway reports a GOAWAY from the server (after the streams it refused
  // were closed as retryable).
  virtual void OnGoaway(uint32_t last_stream_id, uint32_t error_code, absl::string_view debug) {}
};

// PeerSettings are the server's settings as last received (RFC defaults
// until then, except max_concurrent_streams: see SessionOptions).
struct PeerSettings {
  uint32_t header_table_size = 4096;
  uint32_t max_concurrent_streams = 100;
  uint32_t initial_window_size = kDefaultWindowSize;
  uint32_t max_frame_size = kDefaultMaxFrameSize;
  uint32_t max_header_list_size = UINT32_MAX;  // unlimited
  bool enable_connect_protocol = false;
  bool no_rfc7540_priorities = false;
};

// kMaxSpareStreams: finished streams' records kept for the next ones (the
// engine's and the layer's), which saves an allocation per request; more
// than a connection runs at once would only hold memory. None under
// AddressSanitizer, so a use of a finished stream's record is still
// reported as a use after free.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr size_t kMaxSpareStreams = 0;
#else
inline constexpr size_t kMaxSpareStreams = 128;
#endif

class ClientSession {
 public:
  ClientSession(const SessionOptions& options, SessionCallbacks* callbacks, Clock* clock);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  // SubmitRequest opens a stream: |headers| with pseudo-headers first
  // (:method, :scheme, :path, :authority). |body| == nullptr sends
  // END_STREAM with the headers. A `priority` field (RFC 9218) orders our
  // DATA. Returns the stream id, or:
  //   kResourceExhausted  MAX_CONCURRENT_STREAMS reached: queue the request
  //                       and retry when Capacity() > 0
  //   kUnavailable        the connection is going away (GOAWAY either way,
  //                       stream ids exhausted): use another connection
  //   kInvalidArgument    the header list is not a valid HTTP/2 request, or
  //                       exceeds the server's MAX_HEADER_LIST_SIZE
  //   kFailedPrecondition the session is dead, or called from a callback
  absl::StatusOr<uint32_t> SubmitRequest(const HeaderList& headers, BodySource* body,
                                         void* user);

  // Upgrade turns stream 1 into the h2c upgrade request (RFC 7540 §3.2):
  // sent over HTTP/1.1 already, so half-closed (local). |head_request| says
  // whether it was HEAD (the response then has no body). Call it right
  // after construction, before any other stream; the HTTP2-Settings header
  // of that request must have been Http2SettingsHeaderValue(options).
  absl::StatusOr<uint32_t> Upgrade(void* user, bool head_request);

  // ResumeBody asks again for body bytes after a BodySource said "nothing
  // now". Unknown or finished streams are ignored.
  void ResumeBody(uint32_t stream_id);

  // HoldReceiveCredit makes |stream_id| a stream whose consumer acknowledges
  // what it read (a CONNECT tunnel, RFC 9113 §8.5): delivered DATA is no
  // longer credited back to the server's stream window on delivery, only
  // through ReturnReceiveCredit, so the server can never have more than one
  // window in flight and buffered ahead of a slow consumer. (The connection
  // window is still credited on delivery: one slow tunnel must not stall
  // the others.) Unknown or finished streams are ignored.
  void HoldReceiveCredit(uint32_t stream_id);
  // ReturnReceiveCredit: the consumer of |stream_id| read |n| bytes; the
  // WINDOW_UPDATE follows when half a window is owed (flow_control.h).
  void ReturnReceiveCredit(uint32_t stream_id, uint64_t n);

  // ResetStream abandons a stream: RST_STREAM(|code|) (paced, see
  // SessionOptions::cancel_burst) and no further callback. Streams that are
  // already closed are left alone (never RST a closed stream).
  void ResetStream(uint32_t stream_id, ErrorCode code = ErrorCode::kCancel);

  // Receive processes bytes from the server, in any split. Returns the
  // connection error if one occurred (now or earlier).
  absl::Status Receive(absl::Span<const uint8_t> bytes);

  // Output is the bytes waiting to be written; ConsumeOutput(n) says the
  // first |n| were written. The span is invalidated by any other call.
  bool OutputPending() const { return out_.size() > out_pos_; }
  absl::Span<const uint8_t> Output() const;
  void ConsumeOutput(size_t n);

  // NextDeadline is when OnTimer() must be called (InfiniteFuture: never).
  absl::Time NextDeadline();
  // OnTimer handles every deadline that has passed according to the clock.
  void OnTimer();

  // Capacity is how many more streams may be opened now.
  uint32_t Capacity() const;
  size_t active_streams() const { return streams_.size(); }
  // IsGoingAway: no new streams (GOAWAY sent or received, ids exhausted,
  // or dead). Existing streams may still complete.
  bool IsGoingAway() const { return going_away_ || dead_; }
  // IsDead: no stream can make progress; flush Output() and close.
  bool IsDead() const { return dead_; }
  // connection_error is the status that killed the session (ok if none).
  const absl::Status& connection_error() const { return connection_error_; }

  // Goaway with NO_ERROR closes gracefully: no new streams, open ones
  // finish. Any other code also closes every open stream (kAborted) and
  // kills the session.
  void Goaway(ErrorCode code, absl::string_view debug = "");

  // TransportClosed reports that the byte stream ended (|cause| says why).
  // Open streams close: retryable if their request never left our output.
  void TransportClosed(const absl::Status& cause);

  // SendPing sends a PING to measure the round-trip time (rtt()).
  void SendPing();
  // rtt is the last measured round trip (SETTINGS→ACK, PING→ACK).
  std::optional<absl::Duration> rtt() const { return rtt_; }

  const PeerSettings& peer_settings() const { return peer_; }
  // server_settings_received: the server's first SETTINGS frame arrived, so
  // peer_settings() (and Capacity()) reflect what it allows.
  bool server_settings_received() const { return got_server_settings_; }

  // Read-only views of flow-control and HPACK state, for invariant checks
  // (tests, tests/fuzz/h2_session_fuzzer.cc).
  struct StreamWindows {
    uint32_t stream_id = 0;
    int64_t send = 0;     // credit the server granted us on the stream
    int64_t receive = 0;  // credit we granted the server on the stream
  };
  int64_t connection_send_window() const { return conn_send_.available(); }
  int64_t connection_receive_window() const { return conn_recv_.window(); }
  std::vector<StreamWindows> stream_windows() const;
  const hpack::Decoder& hpack_decoder() const { return decoder_; }
  const hpack::Encoder& hpack_encoder() const { return encoder_; }

 private:
  struct Stream;
  enum class Closed : uint8_t { kResetByUs, kEnded, kResetByPeer, kQuietly };
  // SortedIds lists the open streams above |above| in id order (the order
  // the server saw them opened): closing all, GOAWAY's refused ones.
  std::vector<uint32_t> SortedIds(uint32_t above = 0) const;
  struct PendingBlock {
    bool active = false;
    uint32_t stream_id = 0;
    bool push = false;
    bool end_stream = false;
    uint32_t continuations = 0;
    std::string bytes;
  };

  // Input.
  void ProcessInput();
  H2Error ProcessFrame(const Frame& frame);
  H2Error OnDataFrame(const Frame& frame);
  H2Error OnHeadersFrame(const Frame& frame);
  H2Error OnContinuationFrame(const Frame& frame);
  H2Error OnFieldBlockComplete();
  H2Error OnResponseBlock(Stream* s, HeaderList& block, bool end_stream);
  H2Error OnRstStreamFrame(const Frame& frame);
  H2Error OnSettingsFrame(const Frame& frame);
  H2Error OnPingFrame(const Frame& frame);
  H2Error OnGoawayFrame(const Frame& frame);
  H2Error OnWindowUpdateFrame(const Frame& frame);
  // OnUnreadFrame handles a frame whose payload is dropped unread: oversized
  // or failing CheckFrameHeader with a stream error, or of unknown type.
  H2Error OnUnreadFrame(const FrameHeader& header, const H2Error& error);
  // FrameOnClosedStream applies §5.1 to a frame for a stream not open.
  H2Error FrameOnClosedStream(uint32_t stream_id, const char* what);
  H2Error Glitch(const char* what);
  bool IsIdle(uint32_t stream_id) const;

  // Streams.
  using StreamMap = absl::flat_hash_map<uint32_t, std::unique_ptr<Stream>>;
  // NewStream takes a spare Stream record (reset) or makes one; EraseStream
  // removes an open stream, keeping its record as a spare.
  std::unique_ptr<Stream> NewStream(uint32_t id, void* user, BodySource* body);
  void EraseStream(StreamMap::iterator it);
  Stream* Find(uint32_t stream_id);
  void CloseStream(uint32_t stream_id, StreamResult result, Closed how);
  // StreamError resets |stream_id| with |code| because of the peer and
  // closes it with |status|. Returns a connection error when the induced
  // reset budget is exhausted.
  H2Error StreamError(uint32_t stream_id, ErrorCode code, absl::Status status);
  void Abandon(uint32_t stream_id);  // a callback returned false
  void RememberClosed(uint32_t stream_id, Closed how);
  // FindClosed: how |stream_id| was last closed, if still remembered.
  const Closed* FindClosed(uint32_t stream_id) const;
  void MaybeFinish(uint32_t stream_id);

  // Output.
  // QueueReactive appends an ACK or RST the peer caused; a connection error
  // when too many of them wait unread.
  H2Error QueueReactive(const std::string& frame);
  H2Error QueueRst(uint32_t stream_id, ErrorCode code);
  void ScheduleData();
  void SendDataFrom(Stream* s);
  void UpdateStalls();
  // Credit* return consumed bytes to the peer, with WINDOW_UPDATE when the
  // policy in flow_control.h says so.
  void CreditConnection(uint32_t n);
  void CreditStream(Stream* s, uint32_t n);

  // Failure.
  void FailConnection(ErrorCode code, absl::Status status);
  void CloseAllStreams(const absl::Status& status);

  // Callback guard.
  class InCallback;

  SessionOptions options_;
  SessionCallbacks* callbacks_;
  Clock* clock_;
  PeerSettings peer_;
  hpack::Encoder encoder_;
  hpack::Decoder decoder_;

  std::string in_;  // bytes of a frame not complete yet, kept between Receive() calls
  // What ProcessInput() parses, at in_pos_: the caller's bytes or in_.
  absl::string_view input_;
  size_t in_pos_ = 0;
  uint64_t skip_ = 0;  // payload bytes of an oversized frame still to drop
  bool got_server_settings_ = false;
  PendingBlock block_;
  HeaderList decoded_;  // the last block decoded; storage reused

  std::string out_;
  size_t out_pos_ = 0;
  uint64_t out_total_consumed_ = 0;   // bytes ever consumed
  uint64_t out_base_ = 0;             // absolute offset of out_[0]
  std::deque<uint64_t> reactive_ends_;  // absolute end offsets of queued ACK/RST

  // Open streams by id. A hash map: one insert and one erase per request,
  // where the ordered map cost a node allocation and rebalancing; walks that
  // must go in id order take SortedIds().
  StreamMap streams_;
  std::vector<std::unique_ptr<Stream>> spare_streams_;
  std::string encoded_block_;  // SubmitRequest's field block, reused
  // Ids of the streams in streams_ that still have request body to send
  // (a body source, no END_STREAM yet). The data scheduler and the stall
  // tracker walk only these: walking every stream for every request made
  // opening N streams cost O(N²).
  std::set<uint32_t> uploading_;
  // Recently closed streams, oldest first, looked up by id only for a frame
  // on a stream that is not open (rare, and paced by the glitch and reset
  // budgets): a scan of at most max_closed_streams_remembered records from
  // the newest. A ring, not a map: the record per request is then one
  // store, where a hash-map insert and erase showed in profiles.
  struct ClosedRecord {
    absl::Time at;
    uint32_t stream_id;
    Closed how;
  };
  RingQueue<ClosedRecord> closed_;
  uint32_t next_stream_id_ = 1;
  uint32_t last_incremental_sent_ = 0;

  SendWindow conn_send_{kDefaultWindowSize};
  ReceiveWindow conn_recv_;

  int outstanding_settings_ = 0;
  std::deque<absl::Time> settings_sent_at_;
  std::optional<std::array<uint8_t, 8>> ping_outstanding_;
  absl::Time ping_sent_at_;
  uint64_t ping_counter_ = 0;
  absl::Time last_receive_;
  std::optional<absl::Duration> rtt_;

  TokenBucket glitches_;
  TokenBucket induced_resets_;
  TokenBucket cancels_;
  std::deque<std::pair<uint32_t, ErrorCode>> deferred_rsts_;

  bool going_away_ = false;
  bool goaway_received_ = false;
  uint32_t goaway_last_stream_id_ = 0;
  bool dead_ = false;
  absl::Status connection_error_;
  int in_callback_ = 0;
};

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_ENGINE_SESSION_CLIENT_SESSION_H_
