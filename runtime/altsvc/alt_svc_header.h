// alt_svc_header.h — the Alt-Svc response header field (RFC 7838 §3):
//
//   Alt-Svc       = clear / 1#alt-value
//   alt-value     = alternative *( OWS ";" OWS parameter )
//   alternative   = protocol-id "=" alt-authority     ; alt-authority quoted
//   alt-authority = quoted-string containing [ uri-host ] ":" port
//
// Parsing is lenient where RFC 7838 asks clients to be (unknown parameters
// are skipped, a malformed alternative is dropped, not the whole field) and
// strict where a peer could make us store garbage (host characters, port
// range, sizes): every limit below is a peer-controlled quantity.
#ifndef STRATA_RUNTIME_ALTSVC_ALT_SVC_HEADER_H_
#define STRATA_RUNTIME_ALTSVC_ALT_SVC_HEADER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace strata {

// Limits on what one field value may make us keep.
inline constexpr size_t kAltSvcMaxFieldBytes = 8192;
inline constexpr size_t kAltSvcMaxAlternatives = 16;
inline constexpr size_t kAltSvcMaxProtocolIdBytes = 32;
inline constexpr size_t kAltSvcMaxHostBytes = 255;
// RFC 7838 §3.1: "ma" defaults to 24 hours.
inline constexpr uint64_t kAltSvcDefaultMaxAgeSeconds = 24 * 3600;
// A peer may not keep an entry alive for longer than this (one year).
inline constexpr uint64_t kAltSvcMaxMaxAgeSeconds = 365ull * 24 * 3600;

struct AltSvcAlternative {
  std::string protocol_id;  // percent-decoded ALPN id, e.g. "h3"
  std::string host;         // empty: the origin's host
  uint16_t port = 0;
  uint64_t max_age_seconds = kAltSvcDefaultMaxAgeSeconds;
  bool persist = false;
};

struct AltSvcField {
  bool clear = false;  // "clear": forget every alternative of the origin
  std::vector<AltSvcAlternative> alternatives;
  // What was dropped and why ("h3=\":99999\": port out of range"), for the
  // trace; the field as a whole never fails.
  std::vector<std::string> dropped;
};

// ParseAltSvc parses one Alt-Svc field value (several field lines are
// combined with ", " first, RFC 9110 §5.3).
AltSvcField ParseAltSvc(absl::string_view value);

}  // namespace strata

#endif  // STRATA_RUNTIME_ALTSVC_ALT_SVC_HEADER_H_
