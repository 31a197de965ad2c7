// message_checks.h — HTTP semantics checks on field blocks (RFC 9113 §8).
//
// Responses (docs/hostile-peers.md section D): a violation makes the response
// malformed (§8.1.1); the session answers with a stream error
// PROTOCOL_ERROR. Requests: our own callers' mistakes, refused before
// anything is sent.
#ifndef STRATA_PLUGINS_H2_ENGINE_SESSION_MESSAGE_CHECKS_H_
#define STRATA_PLUGINS_H2_ENGINE_SESSION_MESSAGE_CHECKS_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "plugins/h2/engine/hpack/header_field.h"
#include "plugins/h2/engine/session/priority.h"

namespace strata::h2 {

// IsValidFieldName: non-empty, no uppercase, no 0x00-0x20 or 0x7f-0xff,
// no ':' (pseudo-header names are checked by their callers) (§8.2.1).
bool IsValidFieldName(absl::string_view name);

// IsValidFieldValue: no NUL, CR or LF; no leading or trailing SP/HTAB.
bool IsValidFieldValue(absl::string_view value);

// IsConnectionSpecific: connection, keep-alive, proxy-connection,
// transfer-encoding, upgrade (§8.2.2). TE is checked separately.
bool IsConnectionSpecific(absl::string_view name);

// ResponseHead is a checked response head.
struct ResponseHead {
  int status = 0;
  hpack::HeaderList fields;  // regular fields only, in order
  // The :status field as it was in the block (empty until the check passed):
  // a caller that reuses the block's storage puts it back into the list, so
  // no field's strings are lost between responses.
  hpack::HeaderField status_field;
  std::optional<uint64_t> content_length;
};

// CheckResponseHead validates a response (or 1xx) head: exactly one
// :status of three digits (100..599... any 3 digits), first; no other
// pseudo-header; valid fields; no connection-specific fields; TE absent;
// content-length digits only, all values equal, below 2^63. Returns
// kInvalidArgument with the reason.
// |block| is taken by value: a caller done with it moves it in, and its
// regular fields move into |out| instead of being copied.
absl::Status CheckResponseHead(hpack::HeaderList block, ResponseHead* out);

// CheckTrailers validates a trailer section: no pseudo-headers, valid
// fields, no connection-specific fields.
absl::Status CheckTrailers(const hpack::HeaderList& block);

// RequestInfo is what the session needs from a request head.
struct RequestInfo {
  bool head = false;  // :method is HEAD: the response has no body
  bool connect = false;  // :method is CONNECT: a 2xx opens a tunnel (RFC 9113 §8.5)
  Priority priority;
};

// CheckRequestHead validates a request we are asked to send: pseudo-headers
// first, :method present, :scheme and :path present unless CONNECT, no
// unknown or response pseudo-headers, valid fields, no connection-specific
// fields, TE only "trailers".
absl::Status CheckRequestHead(const hpack::HeaderList& block, RequestInfo* out);

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_ENGINE_SESSION_MESSAGE_CHECKS_H_
