// request_headers.h — a strata_request_head (plugin ABI) as an HTTP/2
// request header list (RFC 9113 §8.3.1, §8.2.2).
#ifndef STRATA_PLUGINS_H2_LAYER_REQUEST_HEADERS_H_
#define STRATA_PLUGINS_H2_LAYER_REQUEST_HEADERS_H_

#include "absl/status/statusor.h"
#include "plugins/h2/engine/hpack/header_field.h"
#include "strata/plugin.h"

namespace strata::h2 {

// BuildRequestHeaders returns the pseudo-headers (:method, :scheme,
// :authority, :path; CONNECT: :method and :authority only) followed by the
// application's fields with lowercase names, where:
//   - Host becomes :authority (the head's authority when absent; two Host
//     fields are refused);
//   - connection-specific fields are dropped (§8.2.2): Connection, the
//     fields it names, Keep-Alive, Proxy-Connection, Transfer-Encoding,
//     Upgrade, HTTP2-Settings; TE is kept only as "te: trailers";
//   - content-length comes from head.content_length, like HTTP/1.1: sent
//     for a known length > 0, or 0 for a method that expects a body; an
//     application Content-Length field is refused;
//   - values lose surrounding spaces and tabs.
// Errors (kInvalidArgument) name the offending part; the session's own
// CheckRequestHead validates names and values afterwards.
absl::StatusOr<hpack::HeaderList> BuildRequestHeaders(const strata_request_head& head);
// The same into |out| (cleared first): a session keeps one list and reuses
// its storage for every request instead of allocating a new one.
absl::Status BuildRequestHeaders(const strata_request_head& head, hpack::HeaderList* out);

// RequestHasBody: DATA frames follow the HEADERS (a body of known length
// > 0 or of unknown length).
bool RequestHasBody(const strata_request_head& head);

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_LAYER_REQUEST_HEADERS_H_
