// response_parser.h — an incremental HTTP/1.1 response parser (RFC 9112).
//
// ResponseParser turns the bytes a server sends into events: response heads
// (informational 1xx heads first, then the final head), body bytes, and the
// end of the message with its trailers. It is plain C++ with no knowledge of
// the plugin ABI, so the h1 session, the CONNECT tunnel and the fuzzers share
// it.
//
// Feeding: call Parse() with whatever bytes arrived, in any split. Each call
// consumes a prefix of the input and reports at most one event; call again
// with the rest until it answers kNeedMore, which always means that the whole
// input was consumed (incomplete lines are kept inside the parser). When the
// connection reaches end of stream call ParseEof().
//
// Copies: body bytes are reported as views into the caller's input (no copy).
// Head and trailer bytes are copied into the parser once, because a head may
// arrive in pieces; they are bounded by the limits below.
//
// Framing (RFC 9112 §6.3) and strictness (docs/hostile-peers.md section F) choices:
//   - HEAD requests, 1xx, 204 and 304 responses have no body; a 2xx reply to
//     CONNECT has no body and the bytes after its head belong to the tunnel.
//   - Transfer-Encoding with chunked as the final coding → chunked. TE and
//     Content-Length together → TE wins, the connection is not reusable.
//     TE in an HTTP/1.0 response → parsed, but not reusable. chunked present
//     but not final, or only unknown codings → read until close, not
//     reusable. chunked applied twice → error.
//   - Content-Length: digits only (no sign, no hex, at most 19 digits and
//     ≤ INT64_MAX); repeated identical values ("6, 6") are one value;
//     different values are an error.
//   - Otherwise the body runs until the connection closes (not reusable).
//   - Line ends: CRLF or a bare LF (accepted); a bare CR is an error.
//   - obs-fold (a field line starting with SP/HTAB) is joined to the previous
//     field value with one SP; before the first field it is an error.
//   - Whitespace between a field name and the colon is an error.
//   - A 101 is an error unless the request asked for an upgrade; then the
//     message ends after the head and the rest belongs to the new protocol.
//
// Errors returned (absl status codes, so callers can map them):
//   kInvalidArgument    the peer violated the protocol (malformed message)
//   kResourceExhausted  the peer exceeded one of the limits
//   kDataLoss           the connection ended before the message did
//   kFailedPrecondition Parse() called after the message ended or failed
// After an error the parser stays failed; the connection must be closed.
#ifndef STRATA_PLUGINS_H1_RESPONSE_PARSER_H_
#define STRATA_PLUGINS_H1_RESPONSE_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace strata::h1 {

// ResponseParserLimits bounds what a peer can make the parser hold.
struct ResponseParserLimits {
  // One status line, field line, chunk-size line or trailer line, in bytes,
  // including its line end.
  size_t max_header_line_bytes = 100 * 1024;
  // One head (status line through the empty line), and separately the
  // trailer section, in bytes.
  size_t max_header_block_bytes = 300 * 1024;
  // Field lines in one head or trailer section (obs-fold lines not counted).
  size_t max_header_count = 5000;
  // All informational (1xx) heads of one response together (HOSTILE 39).
  size_t max_informational_bytes = 300 * 1024;
  // Hex digits in a chunk size (curl's cap; 16 digits fit in 64 bits).
  size_t max_chunk_size_digits = 16;
};

// RequestContext is what the parser must know about the request the
// response answers.
struct RequestContext {
  bool head_request = false;     // method was HEAD: the response has no body
  bool connect_request = false;  // method was CONNECT: 2xx opens a tunnel
  bool upgrade_requested = false;  // the request carried Upgrade: a 101 is ok
};

// HeaderField is one field. The views point into the parser and stay valid
// until the next Parse()/ParseEof() call or the parser's destruction.
struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// ResponseHead is a parsed status line and its fields. Views as above.
struct ResponseHead {
  int version = 0;  // 10 or 11
  int status = 0;   // 100..999
  std::string_view reason;
  std::vector<HeaderField> fields;

  bool informational() const { return status >= 100 && status < 200; }
};

// BodyFraming is how the end of the body is found (RFC 9112 §6.3).
enum class BodyFraming {
  kUnknown,        // the final head has not been parsed yet
  kNone,           // no body (HEAD, 1xx, 204, 304, CONNECT 2xx, 101)
  kContentLength,  // exactly content_length() bytes
  kChunked,        // chunked transfer coding
  kUntilClose,     // everything until the connection closes
};

enum class ResponseEvent {
  kNeedMore,  // all input consumed; feed more bytes (or ParseEof)
  kHead,      // head() holds a head: informational (1xx) or final
  kData,      // data() holds body bytes (a view into the input just given)
  kEnd,       // the message is complete; trailers() holds the trailers
};

class ResponseParser {
 public:
  explicit ResponseParser(RequestContext request,
                          ResponseParserLimits limits = ResponseParserLimits());
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  // Reset makes the parser new for the next response on the connection
  // (the same limits, |request| for it), keeping its buffers' capacity: a
  // connection parses one response after another, and a new parser per
  // response cost a handful of allocations each time.
  void Reset(RequestContext request);

  // Parse consumes a prefix of |input|, sets *out_consumed to its length and
  // reports at most one event. kNeedMore implies *out_consumed ==
  // input.size(). After kEnd, further input is not part of this message
  // (Parse then fails with kFailedPrecondition).
  [[nodiscard]] absl::StatusOr<ResponseEvent> Parse(std::string_view input,
                                                    size_t* out_consumed);

  // ParseEof tells the parser that the connection reached end of stream.
  // Returns kEnd when that ends the message (read-until-close bodies, or a
  // message that already ended), else a kDataLoss error describing how much
  // was missing.
  [[nodiscard]] absl::StatusOr<ResponseEvent> ParseEof();

  // head is the head most recently reported with kHead.
  const ResponseHead& head() const { return head_; }
  // data is the body bytes most recently reported with kData.
  std::string_view data() const { return data_; }
  // trailers holds the trailer fields once kEnd was reported.
  const std::vector<HeaderField>& trailers() const { return trailers_; }

  // The final head was parsed (1xx heads do not count).
  bool has_final_head() const { return framing_ != BodyFraming::kUnknown; }
  BodyFraming framing() const { return framing_; }
  // The Content-Length of the final response, if it framed the body.
  std::optional<uint64_t> content_length() const { return content_length_; }
  // Body bytes reported so far (excluding chunk framing).
  uint64_t body_bytes() const { return body_bytes_; }
  // Any byte of the response arrived.
  bool started() const { return started_; }
  // The message ended (kEnd was reported).
  bool done() const { return state_ == State::kDone; }
  // A 101 was accepted: the bytes after the head belong to the new protocol.
  bool upgraded() const { return upgraded_; }
  // reusable is false when, after this message, the connection cannot carry
  // another exchange: Connection: close, HTTP/1.0 without keep-alive,
  // read-until-close framing, or doubtful framing (TE with CL, TE in 1.0).
  // Meaningful once the final head is parsed; true before that.
  bool reusable() const { return reusable_; }

 private:
  enum class State {
    kHead,           // reading a head (status line and fields)
    kFixedBody,      // Content-Length body
    kChunkSize,      // reading a chunk-size line
    kChunkData,      // inside chunk data
    kChunkDataEnd,   // the CRLF after chunk data
    kTrailers,       // reading the trailer section
    kUntilClose,     // body until end of stream
    kEndPending,     // message complete, kEnd not yet reported
    kDone,
    kFailed,
  };

  absl::StatusOr<ResponseEvent> Step(std::string_view input, size_t* out_consumed);
  absl::StatusOr<ResponseEvent> ParseHeadBytes(std::string_view input,
                                               size_t* out_consumed);
  absl::StatusOr<ResponseEvent> FinishHead();
  absl::Status DecideFraming();
  absl::StatusOr<ResponseEvent> ParseChunkSizeBytes(std::string_view input,
                                                    size_t* out_consumed);
  absl::Status FinishChunkSizeLine();
  absl::StatusOr<ResponseEvent> ParseTrailerBytes(std::string_view input,
                                                  size_t* out_consumed);
  // AccumulateLines copies bytes of |input| into |block| up to and including
  // the empty line that ends a field section. Sets *out_complete when found.
  absl::Status AccumulateBlock(std::string_view input, std::string* block,
                               size_t block_limit, const char* what,
                               size_t* out_consumed, bool* out_complete);
  absl::Status ParseFields(std::string_view lines,
                           std::vector<HeaderField>* out_fields);
  absl::Status Failed(absl::Status status);

  RequestContext request_;
  ResponseParserLimits limits_;
  State state_ = State::kHead;

  std::string head_buf_;       // bytes of the head being read
  bool restart_head_ = false;  // head_buf_ holds a reported 1xx head
  size_t line_len_ = 0;        // bytes of the current, unfinished line
  size_t informational_bytes_ = 0;
  std::string line_buf_;       // chunk-size line being read
  std::string trailer_buf_;    // trailer section being read
  // Values rebuilt from obs-fold lines; a list keeps their addresses stable
  // (and, unlike a deque, allocates nothing until it is used).
  std::list<std::string> folded_;

  ResponseHead head_;
  std::vector<HeaderField> trailers_;
  std::string_view data_;

  BodyFraming framing_ = BodyFraming::kUnknown;
  std::optional<uint64_t> content_length_;
  uint64_t remaining_ = 0;     // of the fixed body or the current chunk
  uint64_t body_bytes_ = 0;
  bool started_ = false;
  bool upgraded_ = false;
  bool reusable_ = true;
};

}  // namespace strata::h1

#endif  // STRATA_PLUGINS_H1_RESPONSE_PARSER_H_
