// request_writer.h — HTTP/1.1 request serialization (RFC 9112 §3, §6, §7.1).
//
// SerializeRequestHead turns a strata_request_head (see strata/plugin.h) into
// the bytes of a request line and header section, and says how the body that
// follows must be framed. The chunk helpers frame a body of unknown length.
//
// What the head contains, in order:
//   - the request line: origin-form ("GET /a?b HTTP/1.1"), absolute-form with
//     STRATA_REQUEST_ABSOLUTE_FORM ("GET http://host:81/a HTTP/1.1"), or
//     authority-form for CONNECT ("CONNECT host:443 HTTP/1.1");
//   - Host: the application's Host field if it gave exactly one, otherwise
//     the authority;
//   - the application's other fields, in their order;
//   - the framing field: "Transfer-Encoding: chunked" when content_length is
//     -1; "Content-Length: N" when N > 0, or N == 0 for a method whose
//     semantics anticipate a body (not GET, HEAD, DELETE, OPTIONS, TRACE,
//     CONNECT; RFC 9110 §8.6); nothing otherwise.
// Framing belongs to this layer: an application Content-Length or
// Transfer-Encoding field is refused rather than risk two framings.
#ifndef STRATA_PLUGINS_H1_REQUEST_WRITER_H_
#define STRATA_PLUGINS_H1_REQUEST_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "strata/plugin.h"

namespace strata::h1 {

enum class RequestBodyFraming {
  kNone,           // no body bytes follow the head
  kContentLength,  // exactly content_length bytes follow
  kChunked,        // chunked transfer coding, ended by the last chunk
};

struct SerializedRequestHead {
  std::string bytes;  // request line through the empty line
  RequestBodyFraming body_framing = RequestBodyFraming::kNone;
  uint64_t content_length = 0;  // for kContentLength
};

// SerializeRequestHead validates |head| and serializes it. Errors
// (kInvalidArgument) name the offending part: a method that is not a token,
// a target or authority with spaces or control bytes, a header name that is
// not a token, a value containing CR, LF or NUL, two Host fields, an
// application framing field, or a content_length that contradicts the flags.
[[nodiscard]] absl::StatusOr<SerializedRequestHead> SerializeRequestHead(
    const strata_request_head& head);

// AppendChunk appends one chunk carrying |data| (size line, data, CRLF) to
// |out|. Empty |data| appends nothing, since a zero-size chunk would end the
// body.
void AppendChunk(std::string_view data, std::string* out);

// AppendChunkSizeLine appends only the size line of a chunk of |size| bytes
// ("1a\r\n"), for callers that place the data themselves; the data must be
// followed by kChunkEnd.
void AppendChunkSizeLine(uint64_t size, std::string* out);
inline constexpr std::string_view kChunkEnd = "\r\n";

// kLastChunk ends a chunked body (no trailers).
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace strata::h1

#endif  // STRATA_PLUGINS_H1_REQUEST_WRITER_H_
