// error_code.h — HTTP/2 error codes (RFC 9113 §7) and the typed error the
// frame codec and the session report: a connection error (GOAWAY) or a
// stream error (RST_STREAM) with its code.
#ifndef STRATA_PLUGINS_H2_ENGINE_FRAMES_ERROR_CODE_H_
#define STRATA_PLUGINS_H2_ENGINE_FRAMES_ERROR_CODE_H_

#include <cstdint>
#include <string>
#include <utility>

namespace strata::h2 {

// ErrorCode values travel in RST_STREAM and GOAWAY. Peers may send codes we
// do not know; keep them as uint32_t and treat unknown ones as
// INTERNAL_ERROR where a meaning is needed (§7).
enum class ErrorCode : uint32_t {
  kNoError = 0x0,
  kProtocolError = 0x1,
  kInternalError = 0x2,
  kFlowControlError = 0x3,
  kSettingsTimeout = 0x4,
  kStreamClosed = 0x5,
  kFrameSizeError = 0x6,
  kRefusedStream = 0x7,
  kCancel = 0x8,
  kCompressionError = 0x9,
  kConnectError = 0xa,
  kEnhanceYourCalm = 0xb,
  kInadequateSecurity = 0xc,
  kHttp11Required = 0xd,
};

// ErrorCodeName is the RFC's name ("PROTOCOL_ERROR"), or "UNKNOWN_ERROR".
const char* ErrorCodeName(uint32_t code);
inline const char* ErrorCodeName(ErrorCode code) {
  return ErrorCodeName(static_cast<uint32_t>(code));
}

// H2Error is the outcome of a protocol check: none, a stream error for
// |stream_id|, or a connection error.
struct H2Error {
  enum class Scope { kNone, kStream, kConnection };

  Scope scope = Scope::kNone;
  ErrorCode code = ErrorCode::kNoError;
  uint32_t stream_id = 0;
  std::string message;

  bool ok() const { return scope == Scope::kNone; }
  bool is_connection() const { return scope == Scope::kConnection; }
  bool is_stream() const { return scope == Scope::kStream; }

  static H2Error None() { return H2Error(); }
  static H2Error Connection(ErrorCode code, std::string message) {
    return H2Error{Scope::kConnection, code, 0, std::move(message)};
  }
  static H2Error Stream(uint32_t stream_id, ErrorCode code, std::string message) {
    return H2Error{Scope::kStream, code, stream_id, std::move(message)};
  }
};

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_ENGINE_FRAMES_ERROR_CODE_H_
